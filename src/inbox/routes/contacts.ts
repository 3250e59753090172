/** A person's conversations across channels, and merging two contacts into one person. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CONTACT } from '../contacts.ts';
import type { Inbox } from '../context.ts';
import { badRequest } from '../errors.ts';

const Account = z.string().regex(CONTACT, 'an account is <channel>:<userId>');

export function contactRoutes(inbox: Inbox) {
  return async (app: FastifyInstance) => {
    const { routes, contacts } = inbox;

    routes.add(app, {
      method: 'GET',
      url: '/contacts/:account',
      access: 'agent',
      summary: "A contact's accounts and their conversations on every channel (recent ones, bounded scan)",
      params: z.object({ account: Account }),
      handler: async ({ params }) => contacts.conversations(params.account),
    });

    routes.add(app, {
      method: 'POST',
      url: '/contacts/merge',
      access: 'agent',
      summary: 'Treat two accounts as one person: `from` (and whatever was merged into it) joins `into`',
      body: z.object({ into: Account, from: Account }),
      handler: async ({ body }) => {
        if (body.into === body.from)
          throw badRequest('SAME_CONTACT', 'a contact cannot be merged into itself');
        return { members: await contacts.merge(body.into, body.from) };
      },
    });
  };
}
