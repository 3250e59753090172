/**
 * The emulator's REST plumbing: route matching, bot-token auth, rate limits, injected
 * faults, and Discord's error bodies. The routes themselves live in routes-*.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Gateway } from './gateway.ts';
import type { FaultQueue, RateLimiter } from './ratelimit.ts';
import type { World } from './world.ts';

export interface RestRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

export interface RestReply {
  status: number;
  body?: unknown;
}

export interface RestContext {
  world: World;
  gateway: Gateway;
  /** How long an interaction may wait for its first callback (Discord: 3 s). */
  interactionDeadlineMs: number;
  /** `http://127.0.0.1:PORT`, known once listening. */
  baseUrl(): string;
}

export interface Route {
  method: string;
  /** `/channels/:channel/messages`; the first `:param` is the bucket's major parameter. */
  pattern: string;
  /** Interaction callbacks and webhooks carry their own token and skip bot auth and the global limit. */
  unauthenticated?: boolean;
  handle(req: RestRequest, ctx: RestContext): RestReply | Promise<RestReply>;
}

export class ApiError {
  constructor(
    readonly status: number,
    readonly code: number,
    readonly message: string,
  ) {}
}

export const Errors = {
  unknownChannel: () => new ApiError(404, 10003, 'Unknown Channel'),
  unknownMessage: () => new ApiError(404, 10008, 'Unknown Message'),
  unknownMember: () => new ApiError(404, 10007, 'Unknown Member'),
  unknownGuild: () => new ApiError(404, 10004, 'Unknown Guild'),
  unknownUser: () => new ApiError(404, 10013, 'Unknown User'),
  unknownInteraction: () => new ApiError(404, 10062, 'Unknown interaction'),
  unknownWebhook: () => new ApiError(404, 10015, 'Unknown Webhook'),
  alreadyAcknowledged: () => new ApiError(400, 40060, 'Interaction has already been acknowledged.'),
  cannotDm: () => new ApiError(403, 50007, 'Cannot send messages to this user'),
  missingPermissions: () => new ApiError(403, 50013, 'Missing Permissions'),
  notAuthor: () => new ApiError(403, 50005, 'Cannot edit a message authored by another user'),
  emptyMessage: () => new ApiError(400, 50006, 'Cannot send an empty message'),
};

/** Parses a request body or throws Discord's 50035 Invalid Form Body. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(400, 50035, `Invalid Form Body: ${parsed.error.message}`);
  return parsed.data;
}

interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
  template: string;
}

export function compileRoutes(routes: Route[]): CompiledRoute[] {
  return routes.map((route) => {
    const names: string[] = [];
    const source = route.pattern.replace(/:(\w+)/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
    return {
      ...route,
      regex: new RegExp(`^${source}$`),
      names,
      template: `${route.pattern}#${route.method}`,
    };
  });
}

export interface RestServerDeps extends RestContext {
  token: string;
  limiter: RateLimiter;
  faults: FaultQueue;
  routes: CompiledRoute[];
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (status === 204) {
    res.writeHead(204, headers).end();
    return;
  }
  res.writeHead(status, { ...headers, 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, 50109, 'The request body contains invalid JSON.');
  }
}

/** Handles one request under `/api/v10`; `path` excludes that prefix. */
export async function handleRest(
  deps: RestServerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
): Promise<void> {
  const method = req.method ?? 'GET';
  const route = deps.routes.find((r) => r.method === method && r.regex.test(path));
  if (!route) {
    send(res, 404, { message: '404: Not Found', code: 0 });
    return;
  }
  if (!route.unauthenticated && req.headers.authorization !== `Bot ${deps.token}`) {
    send(res, 401, { message: '401: Unauthorized', code: 0 });
    return;
  }
  const match = route.regex.exec(path);
  const params: Record<string, string> = {};
  route.names.forEach((name, i) => {
    params[name] = decodeURIComponent(match?.[i + 1] ?? '');
  });
  const fault = deps.faults.take(path);
  if (fault) {
    if (fault.kind === '429') {
      const retryAfter = String(fault.retryAfter);
      send(
        res,
        429,
        {
          message: 'You are being rate limited.',
          retry_after: fault.retryAfter,
          global: fault.global ?? false,
        },
        { 'Retry-After': retryAfter, ...(fault.global ? { 'X-RateLimit-Global': 'true' } : {}) },
      );
    } else if (fault.kind === '500') {
      send(res, 500, { message: '500: Internal Server Error', code: 0 });
    } else {
      res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'text/plain' }).end(fault.body);
    }
    return;
  }
  const major = route.names[0] ? (params[route.names[0]] ?? '') : '';
  const verdict = deps.limiter.check(route.template, major, !route.unauthenticated);
  if (verdict.exceeded) {
    const { retryAfter, global } = verdict.exceeded;
    send(
      res,
      429,
      { message: 'You are being rate limited.', retry_after: retryAfter, global },
      { ...verdict.headers, 'Retry-After': String(Math.ceil(retryAfter)) },
    );
    return;
  }
  try {
    const body = await readJson(req);
    const reply = await route.handle({ method, path, params, query, body }, deps);
    send(res, reply.status, reply.body, verdict.headers);
  } catch (error) {
    if (error instanceof ApiError) {
      send(res, error.status, { message: error.message, code: error.code }, verdict.headers);
      return;
    }
    send(res, 500, { message: '500: Internal Server Error', code: 0 });
  }
}
