/** What an agent does to a conversation: reply, note, assign, status, tags, priority, typing. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addNote, assign, replyAsAgent, setStatus } from '../../agents/actions.ts';
import { ConversationStatus, Priority } from '../../core/model.ts';
import type { PublicUser } from '../auth/users.ts';
import type { Inbox } from '../context.ts';
import { conflict, HttpError, notFound } from '../errors.ts';
import { ConversationId } from './conversations.ts';

const Text = z.string().trim().min(1).max(4000);
const IdempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/)
  .optional();
const Tag = z.string().regex(/^[\p{L}\p{N}_:.-]{1,64}$/u, 'a tag is 1–64 letters, digits, _ : . or -');

/** `@username` mentions of existing colleagues in a note. */
export function mentionedUsernames(text: string): string[] {
  return [
    ...new Set(
      [...text.matchAll(/(?:^|[^\w@])@([a-z0-9][a-z0-9._-]{1,31})/gi)].map((m) => (m[1] ?? '').toLowerCase()),
    ),
  ];
}

export function agentOf(user: PublicUser) {
  return { id: user.id, name: user.name };
}

export function actionRoutes(inbox: Inbox) {
  return async (app: FastifyInstance) => {
    const { routes, desk, users } = inbox;
    const { store, live } = inbox.deps;

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/reply',
      access: 'agent',
      summary:
        "Reply to the user through the conversation's channel (the replying agent takes the conversation)",
      params: ConversationId,
      body: z.object({ text: Text, idempotencyKey: IdempotencyKey }),
      status: 201,
      handler: async ({ params, body, user }) =>
        replyAsAgent(desk, params.id, agentOf(user), body.text, {
          ...(body.idempotencyKey ? { idempotencyKey: `agent:${user.id}:${body.idempotencyKey}` } : {}),
        }),
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/notes',
      access: 'agent',
      summary: 'A private note for colleagues; @username mentions alert those colleagues live',
      params: ConversationId,
      body: z.object({ text: Text, idempotencyKey: IdempotencyKey }),
      status: 201,
      handler: async ({ params, body, user }) => {
        const note = await addNote(desk, params.id, agentOf(user), body.text, {
          ...(body.idempotencyKey ? { idempotencyKey: `note:${user.id}:${body.idempotencyKey}` } : {}),
        });
        const mentioned = (
          await Promise.all(mentionedUsernames(body.text).map((name) => users.byUsername(name)))
        ).flatMap((u) => (u && u.id !== user.id ? [u] : []));
        await Promise.all(
          mentioned.map((u) =>
            live.publish({
              type: 'alert',
              conversationId: params.id,
              data: { kind: 'mention', to: u.id, by: user.name, messageId: note.messageId },
            }),
          ),
        );
        return { ...note, mentioned: mentioned.map((u) => u.username) };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/assign',
      access: 'agent',
      summary: 'Assign to a colleague (or to nobody with `userId: null`)',
      params: ConversationId,
      body: z.object({ userId: z.string().min(1).max(64).nullable() }),
      handler: async ({ params, body }) => {
        if (body.userId !== null && !(await users.get(body.userId))) throw notFound('user');
        const result = await assign(desk, params.id, body.userId);
        return { assignee: body.userId, version: result.version };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/claim',
      access: 'agent',
      summary: 'Take an unassigned conversation; 409 when a colleague was faster',
      params: ConversationId,
      handler: async ({ params, user }) => {
        const result = await assign(desk, params.id, user.id, { onlyIfUnassigned: true });
        if (!result.ok) {
          const current = await store.get(params.id);
          if (current?.assignee === user.id) return { assignee: user.id, version: current.version };
          throw conflict('ALREADY_ASSIGNED', 'a colleague already took this conversation');
        }
        return { assignee: user.id, version: result.version };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/unassign',
      access: 'agent',
      summary: 'Put the conversation back in the queue',
      params: ConversationId,
      handler: async ({ params }) => {
        const result = await assign(desk, params.id, null);
        return { assignee: null, version: result.version };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/status',
      access: 'agent',
      summary: 'Open, pending, snoozed (until a time) or resolved',
      params: ConversationId,
      body: z
        .object({ status: ConversationStatus, snoozedUntil: z.number().int().positive().optional() })
        .refine((b) => b.status !== 'snoozed' || (b.snoozedUntil ?? 0) > Date.now(), {
          message: 'snoozing needs snoozedUntil in the future',
          path: ['snoozedUntil'],
        }),
      handler: async ({ params, body }) => {
        const result = await setStatus(desk, params.id, body.status, {
          ...(body.snoozedUntil ? { snoozedUntil: body.snoozedUntil } : {}),
        });
        return { status: body.status, version: result.version };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/tags',
      access: 'agent',
      summary: 'Add and remove tags',
      params: ConversationId,
      body: z.object({ add: z.array(Tag).max(20).default([]), remove: z.array(Tag).max(20).default([]) }),
      handler: async ({ params, body }) => {
        const result = await store.update(params.id, { addTags: body.add, removeTags: body.remove });
        const conversation = await store.get(params.id);
        if (result.ok && result.changed)
          await live.publish({
            type: 'conversation',
            conversationId: params.id,
            data: { tags: conversation?.tags ?? [] },
          });
        return { tags: conversation?.tags ?? [] };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/priority',
      access: 'agent',
      summary: 'Set the priority',
      params: ConversationId,
      body: z.object({ priority: Priority }),
      handler: async ({ params, body }) => {
        const result = await store.update(params.id, { priority: body.priority });
        if (result.ok && result.changed)
          await live.publish({
            type: 'conversation',
            conversationId: params.id,
            data: { priority: body.priority },
          });
        return { priority: body.priority };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/typing',
      access: 'agent',
      summary: 'Tell colleagues (live) that you are typing in this conversation',
      audit: false,
      params: ConversationId,
      status: 204,
      handler: async ({ params, user }) => {
        await live.publish({
          type: 'typing',
          conversationId: params.id,
          data: { by: user.id, name: user.name },
        });
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/verification-code',
      access: 'agent',
      summary: "A verification code bound to this conversation's user, to put in a reply",
      params: ConversationId,
      handler: async ({ params }) => {
        const { codes } = inbox.deps;
        if (!codes) throw new HttpError(503, 'CODES_UNAVAILABLE', 'verification codes are not configured');
        const conversation = await store.get(params.id);
        if (!conversation) throw notFound('conversation');
        const { code } = await codes.issue({
          channel: conversation.participant.channel,
          userId: conversation.participant.userId,
        });
        return { code };
      },
    });
  };
}
