/** The moderator console: scam registry flags, the report queue, lookalike alerts, checks. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Message } from '../../core/model.ts';
import { FlagKind } from '../../trust/index.ts';
import type { Inbox } from '../context.ts';
import { HttpError, notFound } from '../errors.ts';
import type { TrustDesk } from '../trust-desk.ts';

const Flag = z.object({
  kind: FlagKind,
  value: z.string().trim().min(1).max(512),
  reason: z.string().trim().min(1).max(2000),
  evidence: z.string().max(4000).optional(),
  channel: z.string().max(32).optional(),
});

export function trustRoutes(inbox: Inbox) {
  return async (app: FastifyInstance) => {
    const { routes } = inbox;
    const { store } = inbox.deps;
    const desk = (): TrustDesk => {
      if (!inbox.deps.trust)
        throw new HttpError(503, 'TRUST_UNAVAILABLE', 'the scam registry is not configured');
      return inbox.deps.trust;
    };

    routes.add(app, {
      method: 'GET',
      url: '/flags',
      access: 'moderator',
      summary: 'Everything in the scam registry',
      query: z.object({ kind: FlagKind.optional() }),
      handler: async ({ query }) => ({ flags: await desk().registry.list(query.kind) }),
    });

    routes.add(app, {
      method: 'POST',
      url: '/flags',
      access: 'moderator',
      summary: 'Flag an account, handle, domain, phone, address or e-mail as a scam',
      body: Flag,
      status: 201,
      handler: async ({ body, user }) =>
        desk().registry.flag({
          kind: body.kind,
          value: body.value,
          reason: body.reason,
          by: user.username,
          ...(body.evidence ? { evidence: body.evidence } : {}),
          ...(body.channel ? { channel: body.channel } : {}),
        }),
    });

    routes.add(app, {
      method: 'POST',
      url: '/flags/remove',
      access: 'moderator',
      summary: 'Remove a flag',
      body: Flag.pick({ kind: true, value: true, channel: true }).extend({
        reason: z.string().max(2000).optional(),
      }),
      handler: async ({ body, user }) => {
        const removed = await desk().registry.unflag({
          kind: body.kind,
          value: body.value,
          by: user.username,
          ...(body.reason ? { reason: body.reason } : {}),
          ...(body.channel ? { channel: body.channel } : {}),
        });
        if (!removed) throw notFound('flag');
        return { removed };
      },
    });

    routes.add(app, {
      method: 'GET',
      url: '/reports',
      access: 'moderator',
      summary: 'User reports waiting for a decision, oldest first',
      handler: async () => ({ reports: await desk().registry.pendingReports(200) }),
    });

    routes.add(app, {
      method: 'POST',
      url: '/reports/:reportId/decision',
      access: 'moderator',
      summary: 'Accept (flags the reported value) or reject a report',
      params: z.object({ reportId: z.uuid() }),
      body: z.object({ accept: z.boolean(), reason: z.string().max(2000).optional() }),
      handler: async ({ params, body, user }) => {
        const report = await desk().registry.decide(params.reportId, {
          accept: body.accept,
          by: user.username,
          ...(body.reason ? { reason: body.reason } : {}),
        });
        if (!report) throw notFound('report');
        return { report };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/check',
      access: 'agent',
      summary: 'Check any text, link, handle or address against the official and scam registries',
      body: z.object({ text: z.string().trim().min(1).max(4000) }),
      handler: async ({ body }) => desk().check(body.text),
    });

    routes.add(app, {
      method: 'GET',
      url: '/alerts',
      access: 'moderator',
      summary: 'Recent messages carrying flagged or lookalike entities (recent conversations, bounded scan)',
      handler: async () => {
        const { conversations } = await store.list({}, { limit: 100 });
        const pages = await Promise.all(conversations.map((c) => store.history(c.id, { limit: 20 })));
        const alerts = pages.flatMap((messages, i) =>
          messages.filter(suspicious).map((m) => ({
            conversationId: conversations[i]?.id ?? '',
            participant: conversations[i]?.participant,
            message: m,
          })),
        );
        alerts.sort((a, b) => b.message.createdAt - a.message.createdAt);
        return { alerts: alerts.slice(0, 200) };
      },
    });
  };
}

function suspicious(m: Message): boolean {
  return m.direction === 'in' && m.entities.some((e) => e.verdict === 'flagged' || e.verdict === 'lookalike');
}
