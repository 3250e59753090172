/** Users and roles, the audit log and channels' health (admin); the colleague directory (agents). */
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { Password, Role, UserError, Username } from '../auth/users.ts';
import type { Inbox } from '../context.ts';
import { conflict, notFound } from '../errors.ts';

const UserId = z.object({ userId: z.string().regex(/^[0-9a-z]{10,40}$/, 'a user id') });

export function adminRoutes(inbox: Inbox) {
  return async (app: FastifyInstance) => {
    const { routes, users, sessions, audit } = inbox;

    routes.add(app, {
      method: 'GET',
      url: '/directory',
      access: 'agent',
      summary: 'Colleagues (for assignment and @mentions)',
      handler: async () => ({
        users: (await users.list())
          .filter((u) => !u.disabled)
          .map((u) => ({ id: u.id, username: u.username, name: u.name, role: u.role })),
      }),
    });

    routes.add(app, {
      method: 'GET',
      url: '/users',
      access: 'admin',
      summary: 'Every account',
      handler: async () => ({ users: await users.list() }),
    });

    routes.add(app, {
      method: 'POST',
      url: '/users',
      access: 'admin',
      summary: 'Create an account',
      body: z.object({
        username: Username,
        name: z.string().trim().min(1).max(128).optional(),
        role: Role,
        password: Password,
      }),
      status: 201,
      handler: async ({ body }) => {
        try {
          const { name, ...rest } = body;
          return await users.create({ ...rest, ...(name ? { name } : {}) });
        } catch (error) {
          if (error instanceof UserError && error.code === 'USERNAME_TAKEN')
            throw conflict(error.code, error.message);
          throw error;
        }
      },
    });

    routes.add(app, {
      method: 'PATCH',
      url: '/users/:userId',
      access: 'admin',
      summary:
        "Change a user's name, role, password or disabled state (role, password and disabling end their sessions)",
      params: UserId,
      body: z.object({
        name: z.string().trim().min(1).max(128).optional(),
        role: Role.optional(),
        password: Password.optional(),
        disabled: z.boolean().optional(),
      }),
      handler: async ({ params, body }) => {
        if (!(await users.get(params.userId))) throw notFound('user');
        const updated = await users.update(params.userId, {
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.role !== undefined ? { role: body.role } : {}),
          ...(body.password !== undefined ? { password: body.password } : {}),
          ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        });
        if (body.role !== undefined || body.password !== undefined || body.disabled === true)
          await sessions.endAll(params.userId);
        return updated;
      },
    });

    routes.add(app, {
      method: 'GET',
      url: '/audit',
      access: 'admin',
      summary: 'Moderator and admin actions and logins, newest first',
      query: z.object({
        before: z
          .string()
          .regex(/^\d+-\d+$/)
          .optional(),
        actor: z.string().max(64).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      handler: async ({ query }) => ({
        entries: await audit.page({
          limit: query.limit,
          ...(query.before ? { before: query.before } : {}),
          ...(query.actor ? { actor: query.actor } : {}),
        }),
      }),
    });

    routes.add(app, {
      method: 'GET',
      url: '/admin/health',
      access: 'admin',
      summary: "Channels' health; a channel waiting for a login scan carries its QR code as an SVG",
      handler: async () => {
        const health = inbox.deps.health();
        const channels = await Promise.all(
          Object.entries(health.channels).map(async ([name, h]) => {
            const payload = h.info?.qrcode;
            return {
              name,
              ...h,
              ...(payload ? { qrSvg: await QRCode.toString(payload, { type: 'svg', margin: 2 }) } : {}),
            };
          }),
        );
        return { ok: health.ok, redis: health.redis, channels, liveClients: inbox.hub.size };
      },
    });
  };
}
