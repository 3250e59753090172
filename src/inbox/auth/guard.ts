/**
 * The one place access is decided, for every request: find the session from the cookie,
 * check the route's declared role, and on every state-changing request check the CSRF
 * token header against the session's (synchronizer token: the page reads it from
 * `/api/auth/me` or the login answer; another site can neither read it nor set the header
 * without a CORS preflight we never allow). Afterwards it records moderator and admin
 * actions in the audit log.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditLog } from '../audit.ts';
import { HttpError } from '../errors.ts';
import type { Session, SessionStore } from './sessions.ts';
import { type PublicUser, publicUser, roleAllows, type UserStore } from './users.ts';

export const SESSION_COOKIE = 'verity_session';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    auth: { user: PublicUser; session: Session } | undefined;
  }
}

export interface GuardDeps {
  users: UserStore;
  sessions: SessionStore;
  audit: AuditLog;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function installGuard(app: FastifyInstance, deps: GuardDeps): void {
  app.decorateRequest('auth', undefined);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const access = request.routeOptions.config.access;
    // Not one of ours (404s, static files) or open to all: nothing to check.
    if (access === undefined || access === 'public') return;
    const token = readCookie(request, SESSION_COOKIE);
    const session = token ? await deps.sessions.get(token) : undefined;
    const stored = session ? await deps.users.get(session.userId) : undefined;
    if (!session || !stored || stored.disabled) throw new HttpError(401, 'UNAUTHENTICATED', 'log in first');
    const user = publicUser(stored);
    if (!roleAllows(user.role, access))
      throw new HttpError(403, 'FORBIDDEN', `this needs the ${access} role`);
    if (!SAFE.has(request.method)) {
      const header = request.headers[CSRF_HEADER];
      if (typeof header !== 'string' || !sameToken(header, session.csrf))
        throw new HttpError(403, 'CSRF', 'missing or wrong CSRF token');
    }
    request.auth = { user, session };
  });

  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const user = request.auth?.user;
    if (!user || user.role === 'agent' || SAFE.has(request.method) || reply.statusCode >= 400) return;
    if (request.routeOptions.config.audit === false) return;
    await deps.audit
      .record({
        actor: user.username,
        role: user.role,
        action: `${request.method} ${request.routeOptions.url ?? request.url}`,
        target: JSON.stringify(request.params ?? {}),
        ip: request.ip,
        detail: auditDetail(request.body),
      })
      .catch((err: unknown) => request.log.error({ err }, 'audit entry not written'));
  });
}

/** The request body as recorded: passwords never, long texts cut. */
function auditDetail(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const safe = Object.fromEntries(
    Object.entries(body).map(([k, v]) => [
      k,
      /password/i.test(k) ? '[redacted]' : typeof v === 'string' ? v.slice(0, 500) : v,
    ]),
  );
  return JSON.stringify(safe).slice(0, 2000);
}
