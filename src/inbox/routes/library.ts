/** Canned responses (with placeholders) and macros: read by agents, kept by admins. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addNote, assign, replyAsAgent, setStatus } from '../../agents/actions.ts';
import type { PublicUser } from '../auth/users.ts';
import type { Inbox } from '../context.ts';
import { notFound } from '../errors.ts';
import { type Collection, type MacroAction, renderPlaceholders } from '../library.ts';
import { agentOf } from './actions.ts';
import { ConversationId } from './conversations.ts';

const ItemId = z.object({ itemId: z.string().regex(/^[0-9a-z]{10,40}$/, 'an item id') });

export function libraryRoutes(inbox: Inbox) {
  return async (app: FastifyInstance) => {
    const { routes, library, desk } = inbox;
    const { store } = inbox.deps;
    const ticketFormat = inbox.deps.ticketFormat ?? ((n: number) => `T-${String(n).padStart(6, '0')}`);

    crud(app, inbox, '/canned', library.canned, 'canned response');
    crud(app, inbox, '/macros', library.macros, 'macro');

    routes.add(app, {
      method: 'GET',
      url: '/conversations/:id/canned/:itemId',
      access: 'agent',
      summary:
        'A canned response with its placeholders filled for this conversation ({{ticket}} creates the ticket)',
      params: ConversationId.extend(ItemId.shape),
      handler: async ({ params, user }) => {
        const [canned, conversation] = await Promise.all([
          library.canned.get(params.itemId),
          store.get(params.id),
        ]);
        if (!canned) throw notFound('canned response');
        if (!conversation) throw notFound('conversation');
        const ticket = /\{\{\s*ticket\s*\}\}/.test(canned.text)
          ? await store.ensureTicket(conversation.id, ticketFormat)
          : conversation.ticket;
        const p = conversation.participant;
        return {
          text: renderPlaceholders(canned.text, {
            name: p.displayName ?? p.handle ?? p.userId,
            ...(p.handle ? { handle: `@${p.handle}` } : {}),
            ...(ticket ? { ticket } : {}),
            agent: user.name,
            channel: conversation.channel,
          }),
        };
      },
    });

    routes.add(app, {
      method: 'POST',
      url: '/conversations/:id/macros/:itemId',
      access: 'agent',
      summary: "Apply a macro's actions to the conversation, in order",
      params: ConversationId.extend(ItemId.shape),
      handler: async ({ params, user }) => {
        const macro = await library.macros.get(params.itemId);
        if (!macro) throw notFound('macro');
        if (!(await store.get(params.id))) throw notFound('conversation');
        for (const action of macro.actions) await apply(action, params.id, user);
        return { applied: macro.actions.length, conversation: await store.get(params.id) };
      },
    });

    async function apply(action: MacroAction, id: string, user: PublicUser): Promise<void> {
      switch (action.type) {
        case 'reply':
          await replyAsAgent(desk, id, agentOf(user), action.text);
          return;
        case 'note':
          await addNote(desk, id, agentOf(user), action.text);
          return;
        case 'status':
          await setStatus(desk, id, action.status);
          return;
        case 'priority':
          await store.update(id, { priority: action.priority });
          await desk.live.publish({
            type: 'conversation',
            conversationId: id,
            data: { priority: action.priority },
          });
          return;
        case 'tag':
          await store.update(id, { addTags: action.add, removeTags: action.remove });
          await desk.live.publish({ type: 'conversation', conversationId: id, data: { tags: true } });
          return;
        case 'assign':
          await assign(desk, id, action.to === 'me' ? user.id : null);
          return;
      }
    }
  };
}

function crud<I extends z.ZodType, T extends { id: string }>(
  app: FastifyInstance,
  inbox: Inbox,
  path: string,
  collection: Collection<I, T>,
  what: string,
): void {
  const { routes } = inbox;
  routes.add(app, {
    method: 'GET',
    url: path,
    access: 'agent',
    summary: `Every ${what}`,
    handler: async () => ({ items: await collection.list() }),
  });
  routes.add(app, {
    method: 'POST',
    url: path,
    access: 'admin',
    summary: `Create a ${what}`,
    body: collection.input,
    status: 201,
    handler: async ({ body }) => collection.put(body),
  });
  routes.add(app, {
    method: 'PUT',
    url: `${path}/:itemId`,
    access: 'admin',
    summary: `Replace a ${what}`,
    params: ItemId,
    body: collection.input,
    handler: async ({ params, body }) => {
      const item = await collection.replace(params.itemId, body);
      if (!item) throw notFound(what);
      return item;
    },
  });
  routes.add(app, {
    method: 'DELETE',
    url: `${path}/:itemId`,
    access: 'admin',
    summary: `Delete a ${what}`,
    params: ItemId,
    status: 204,
    handler: async ({ params }) => {
      if (!(await collection.remove(params.itemId))) throw notFound(what);
    },
  });
}
