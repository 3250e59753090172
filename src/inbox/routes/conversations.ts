/** Reading conversations: the filtered list, one conversation with its messages, tickets. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ChannelName, ConversationStatus, Priority } from '../../core/model.ts';
import type { ListFilter } from '../../store/conversations.ts';
import type { Inbox } from '../context.ts';
import { notFound } from '../errors.ts';
import { searchConversations } from '../search.ts';

export const ConversationId = z.object({ id: z.string().regex(/^\d+-[0-9a-z]+$/, 'a conversation id') });

const ListQuery = z.object({
  status: ConversationStatus.optional(),
  channel: ChannelName.optional(),
  assignee: z.string().max(64).optional(),
  mine: z.stringbool().optional(),
  unassigned: z.stringbool().optional(),
  priority: Priority.optional(),
  team: z.string().max(64).optional(),
  language: z.string().max(16).optional(),
  tag: z.string().max(64).optional(),
  q: z.string().trim().min(1).max(200).optional(),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const MessagesQuery = z.object({
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function conversationRoutes(inbox: Inbox) {
  return async (app: FastifyInstance) => {
    const { routes } = inbox;
    const { store } = inbox.deps;

    routes.add(app, {
      method: 'GET',
      url: '/conversations',
      access: 'agent',
      summary: 'Conversations, newest activity first, filtered; `q` searches recent messages (bounded scan)',
      query: ListQuery,
      handler: async ({ query, user }) => {
        const filter: ListFilter = {
          ...(query.status ? { status: query.status } : {}),
          ...(query.channel ? { channel: query.channel } : {}),
          ...(query.priority ? { priority: query.priority } : {}),
          ...(query.team ? { team: query.team } : {}),
          ...(query.language ? { language: query.language } : {}),
          ...(query.tag ? { tag: query.tag } : {}),
          ...(query.assignee !== undefined ? { assignee: query.assignee } : {}),
          ...(query.unassigned ? { assignee: '' } : {}),
          ...(query.mine ? { assignee: user.id } : {}),
        };
        const paging = { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) };
        return query.q ? searchConversations(store, filter, query.q, paging) : store.list(filter, paging);
      },
    });

    routes.add(app, {
      method: 'GET',
      url: '/conversations/:id',
      access: 'agent',
      summary: 'One conversation with its newest messages (oldest first)',
      params: ConversationId,
      query: MessagesQuery,
      handler: async ({ params, query }) => {
        const [conversation, messages] = await Promise.all([
          store.get(params.id),
          store.history(params.id, { limit: query.limit, ...(query.before ? { before: query.before } : {}) }),
        ]);
        if (!conversation) throw notFound('conversation');
        return { conversation, messages: messages.reverse() };
      },
    });

    routes.add(app, {
      method: 'GET',
      url: '/conversations/:id/messages',
      access: 'agent',
      summary: 'A page of older messages: pass the smallest seq you have as `before` (oldest first)',
      params: ConversationId,
      query: MessagesQuery,
      handler: async ({ params, query }) => {
        if (!(await store.get(params.id))) throw notFound('conversation');
        const messages = await store.history(params.id, {
          limit: query.limit,
          ...(query.before ? { before: query.before } : {}),
        });
        return { messages: messages.reverse() };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/read',
      access: 'agent',
      summary: 'Mark the conversation read (its unread count drops to 0)',
      audit: false,
      params: ConversationId,
      status: 204,
      handler: async ({ params }) => {
        await store.update(params.id, { markRead: true });
      },
    });

    routes.add(app, {
      method: 'GET',
      url: '/tickets/:ticket',
      access: 'agent',
      summary: 'The conversation of a ticket number',
      params: z.object({ ticket: z.string().min(1).max(64) }),
      handler: async ({ params }) => {
        const id = await store.conversationOfTicket(params.ticket);
        const conversation = id ? await store.get(id) : undefined;
        if (!conversation) throw notFound('ticket');
        return { conversation };
      },
    });
  };
}
