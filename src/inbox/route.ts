/**
 * How every inbox route is declared: method, path, the least role allowed, zod schemas for
 * params, query and body, and a handler that receives the parsed values. Declaring the role
 * here, checked once by the guard, means no handler can forget it; the same declarations
 * produce the OpenAPI document.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { PublicUser, Role } from './auth/users.ts';
import { HttpError } from './errors.ts';

export type Access = Role | 'public';
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** false for signals that change nothing worth recording (typing, read marks). */
    audit?: boolean;
  }
}

export interface Parsed<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Present on every route but public ones (the guard put it there). */
  user: PublicUser;
  request: FastifyRequest;
  reply: FastifyReply;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: Method;
  url: string;
  access: Access;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Success status (default 200). */
  status?: number;
  /** Leave out of the audit log (only for signals that change nothing: typing, read marks). */
  audit?: false;
  handler: (input: Parsed<z.infer<P>, z.infer<Q>, z.infer<B>>) => Promise<unknown>;
}

export interface DocumentedRoute {
  method: Method;
  url: string;
  access: Access;
  summary: string;
  status: number;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
}

const Nothing = z.unknown();

function parse<T extends z.ZodType>(schema: T, value: unknown, part: string): z.infer<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success)
    throw new HttpError(400, 'VALIDATION', `invalid ${part}: ${z.prettifyError(result.error)}`);
  return result.data;
}

export class Routes {
  readonly documented: DocumentedRoute[] = [];

  add<
    P extends z.ZodType = z.ZodUnknown,
    Q extends z.ZodType = z.ZodUnknown,
    B extends z.ZodType = z.ZodUnknown,
  >(app: FastifyInstance, spec: RouteSpec<P, Q, B>): void {
    const status = spec.status ?? 200;
    this.documented.push({
      method: spec.method,
      url: `${app.prefix}${spec.url}`,
      access: spec.access,
      summary: spec.summary,
      status,
      ...(spec.params ? { params: spec.params } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.body ? { body: spec.body } : {}),
    });
    app.route({
      method: spec.method,
      url: spec.url,
      config: { access: spec.access, audit: spec.audit ?? true },
      handler: async (request, reply) => {
        // An absent schema leaves its type parameter at ZodUnknown, whose output is `unknown`:
        // the assertions only restate that for the compiler.
        const params = parse(spec.params ?? Nothing, request.params, 'path') as z.infer<P>;
        const query = parse(spec.query ?? Nothing, request.query, 'query') as z.infer<Q>;
        const body = parse(spec.body ?? Nothing, request.body, 'body') as z.infer<B>;
        const user = request.auth?.user;
        if (!user && spec.access !== 'public') throw new HttpError(401, 'UNAUTHENTICATED', 'log in first');
        const result = await spec.handler({
          params,
          query,
          body,
          // Public handlers never read it; a placeholder keeps the type simple for the rest.
          user: user ?? ANONYMOUS,
          request,
          reply,
        });
        if (reply.sent) return reply;
        reply.code(status);
        return status === 204 ? reply.send() : reply.send(result ?? {});
      },
    });
  }
}

const ANONYMOUS: PublicUser = {
  id: '',
  username: 'anonymous',
  name: 'anonymous',
  role: 'agent',
  disabled: true,
  createdAt: 0,
};
