/**
 * Tickets across channels: /ticket shows the state; quoting a ticket number (in /ticket
 * or any message) from another conversation continues it here. The two conversations are
 * linked (a set per ticket, tags `continues:<id>` / `continued-in:<id>`, a note in each
 * for the agent); this one takes the ticket, its triage and its place in the queue.
 * Quoting a number proves nothing about who the user is, so nothing of the original is
 * taken away or copied (its collected answers stay there, its place in the queue too) and
 * the note tells the agent the identity is unverified.
 */
import type { Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import type { UpdateChanges } from '../../store/conversations.ts';
import { findTicketReference } from '../ticket.ts';
import type { Flow } from './flow.ts';
import { enqueue, queueMessage } from './handoff.ts';
import { isCommand } from './triage.ts';

export function ticketReferences(flow: Flow): Middleware<RouterContext> {
  return async (ctx, next) => {
    if (ctx.event.type !== 'message' || isCommand(ctx.text)) return next();
    if (!(await continueTicket(flow, ctx, ctx.text))) await next();
  };
}

/** Returns true when the text quoted a ticket (continued or not found). */
export async function continueTicket(flow: Flow, ctx: RouterContext, text: string): Promise<boolean> {
  const c = ctx.conversation;
  const ticket = findTicketReference(text, flow.config.ticketPrefix);
  if (!c || !ticket || ticket === c.ticket) return false;
  const language = flow.language(ctx);
  const originId = await ctx.store.conversationOfTicket(ticket);
  const origin = originId && originId !== c.id ? await ctx.store.get(originId) : undefined;
  if (!origin) {
    if (originId === c.id) return false;
    ctx.reply(flow.t.render('ticket.not-found', language, { ticket }));
    return true;
  }
  if (c.ticket) {
    // Already on another ticket: say where this one stands instead of merging two cases.
    await ticketStatus(flow, ctx);
    return true;
  }
  const now = flow.now();
  const originState = await flow.state.all(origin.id);
  const team = originState.queueTeam ?? origin.team ?? flow.config.defaultTeam;
  const claimed = await ctx.update(
    {
      ticket,
      team,
      priority: origin.priority,
      owner: 'none',
      addTags: ['escalated', 'unverified-link', `continues:${origin.id}`],
      ...(origin.category ? { category: origin.category } : {}),
    } satisfies UpdateChanges,
    { expect: { ticket: '' } },
  );
  if (!claimed.ok) return false;
  await ctx.store.update(origin.id, { addTags: [`continued-in:${c.id}`] });
  await flow.state.redis.sadd(flow.state.ticketLinksKey(ticket), origin.id, c.id);
  const score = originState.queueTeam
    ? await flow.state.redis.zscore(flow.state.queueKey(originState.queueTeam), origin.id)
    : null;
  if (score !== null) {
    await flow.state.redis.zadd(flow.state.queueKey(team), 'NX', score, c.id);
    await flow.state.redis.sadd(flow.state.teamsKey(), team);
  } else {
    await enqueue(flow, c.id, team, origin.priority === 'urgent', now);
  }
  await flow.state.set(c.id, {
    queuedAt: originState.queuedAt ?? now,
    queueTeam: team,
    openedAt: originState.openedAt ?? now,
    ...(originState.triage ? { triage: originState.triage } : {}),
  });
  await flow.state.redis.zadd(flow.state.slaKey(), 'NX', now, c.id);
  const who = `${ctx.event.channel}:${ctx.event.sender.userId}`;
  const link = `${ctx.event.channel}:${ctx.event.eventId}`;
  await flow.note(
    c.id,
    `Continues ticket ${ticket} from ${origin.channel} conversation ${origin.id}. The user (${who}) quoted the number; identity across channels is not verified.`,
    `continues:${link}`,
    now,
  );
  await flow.note(
    origin.id,
    `Ticket ${ticket} continued on ${c.channel} in conversation ${c.id}.`,
    `continued:${link}`,
    now,
  );
  ctx.reply(flow.t.render('ticket.continued', language, { ticket, channel: origin.channel }));
  ctx.reply((await queueMessage(flow, c.id, team, language, now)).text);
  return true;
}

export async function ticketStatus(flow: Flow, ctx: RouterContext): Promise<void> {
  const c = ctx.conversation;
  const language = flow.language(ctx);
  if (!c?.ticket) {
    ctx.reply(flow.t.render('ticket.none', language));
    return;
  }
  const queueTeam = await flow.state.get(c.id, 'queueTeam');
  const queued = queueTeam !== undefined && (await flow.state.position(queueTeam, c.id)) !== undefined;
  const key =
    c.status === 'resolved'
      ? 'status.resolved'
      : c.status === 'snoozed'
        ? 'status.snoozed'
        : c.owner === 'none' || queued
          ? 'status.pending'
          : 'status.open';
  ctx.reply(
    flow.t.render('ticket.status', language, { ticket: c.ticket, status: flow.t.render(key, language) }),
  );
}
