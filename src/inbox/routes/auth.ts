/** Login, logout and "who am I". */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { SESSION_COOKIE } from '../auth/guard.ts';
import { decoyHash, verifyPassword } from '../auth/passwords.ts';
import { publicUser } from '../auth/users.ts';
import type { Inbox } from '../context.ts';
import { HttpError } from '../errors.ts';

const Login = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(256) });

function setSessionCookie(inbox: Inbox, reply: FastifyReply, token: string, maxAge: number): void {
  const parts = [
    `${SESSION_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAge}`,
    ...(inbox.secureCookies ? ['Secure'] : []),
  ];
  reply.header('set-cookie', parts.join('; '));
}

export function authRoutes(inbox: Inbox) {
  return async (app: FastifyInstance) => {
    const { routes, users, sessions, limiter, audit } = inbox;

    routes.add(app, {
      method: 'POST',
      url: '/login',
      access: 'public',
      summary: 'Log in with username and password; sets the session cookie and returns the CSRF token',
      body: Login,
      handler: async ({ body, request, reply }) => {
        const wait = await limiter.attempt(request.ip, body.username);
        if (wait > 0) {
          reply.header('retry-after', String(wait));
          throw new HttpError(429, 'TOO_MANY_ATTEMPTS', `too many login attempts; try again in ${wait} s`);
        }
        const user = await users.byUsername(body.username);
        // Unknown users cost a full scrypt too, so timing does not tell which usernames exist.
        const ok = await verifyPassword(body.password, user?.passwordHash ?? (await decoyHash()));
        if (!user || !ok || user.disabled) {
          await limiter.failed(body.username);
          await audit.record({
            actor: body.username.slice(0, 64),
            role: '',
            action: 'login failed',
            target: '',
            ip: request.ip,
            detail: '',
          });
          throw new HttpError(401, 'BAD_CREDENTIALS', 'wrong username or password');
        }
        await limiter.succeeded(body.username);
        const { token, csrf } = await sessions.create(user.id);
        setSessionCookie(inbox, reply, token, inbox.deps.sessionTtlSeconds ?? 12 * 3600);
        await audit.record({
          actor: user.username,
          role: user.role,
          action: 'login',
          target: '',
          ip: request.ip,
          detail: '',
        });
        return { user: publicUser(user), csrfToken: csrf };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/logout',
      access: 'agent',
      summary: 'End this session',
      status: 204,
      handler: async ({ request, reply }) => {
        if (request.auth) await sessions.end(request.auth.session);
        setSessionCookie(inbox, reply, '', 0);
      },
    });

    routes.add(app, {
      method: 'GET',
      url: '/me',
      access: 'agent',
      summary: 'The logged-in user and the CSRF token for state-changing requests',
      handler: async ({ user, request }) => ({ user, csrfToken: request.auth?.session.csrf }),
    });
  };
}
