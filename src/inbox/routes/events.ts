/**
 * Live updates as Server-Sent Events. Each connection gets every live event of the
 * desk, except mention alerts meant for someone else; `Last-Event-ID` (sent by EventSource
 * on reconnect) replays what was missed while the stream still holds it.
 */
import type { FastifyInstance } from 'fastify';
import type { LiveEvent } from '../../bus/live.ts';
import type { Inbox } from '../context.ts';
import { EVENT_ID, type HubEvent } from '../live-hub.ts';

const HEARTBEAT_MS = 15_000;

function visibleTo(event: LiveEvent, userId: string): boolean {
  const to = event.data.to;
  return event.type !== 'alert' || to === undefined || to === userId;
}

export function eventRoutes(inbox: Inbox, open: Set<() => void>) {
  return async (app: FastifyInstance) => {
    inbox.routes.add(app, {
      method: 'GET',
      url: '/events',
      access: 'agent',
      summary: 'Server-Sent Events: message, conversation, typing, sla, delivery, alert',
      handler: async ({ request, reply, user }) => {
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-store',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        const send = ({ id, event }: HubEvent) => {
          if (visibleTo(event, user.id))
            res.write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
        };
        res.write('retry: 2000\n: connected\n\n');
        const last = request.headers['last-event-id'];
        const unsubscribe = inbox.hub.subscribe(send);
        if (typeof last === 'string' && EVENT_ID.test(last))
          for (const e of await inbox.hub.since(last)) send(e);
        const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
        const close = () => {
          clearInterval(heartbeat);
          unsubscribe();
          open.delete(close);
          res.end();
        };
        open.add(close);
        request.raw.on('close', close);
      },
    });
  };
}
