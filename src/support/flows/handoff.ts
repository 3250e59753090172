/**
 * Handing a conversation to people: "talk to a person" (any time), information collection
 * before it, the ticket, the team (routing by category, language and priority), the queue
 * (a sorted set per team; urgent cases go ahead of everyone) and what the user is told:
 * place and estimated wait, or when the team opens again.
 */
import type { RouterContext } from '../../router/context.ts';
import type { UpdateChanges } from '../../store/conversations.ts';
import { collectStep, startCollection } from '../collect.ts';
import { routeTeam } from '../config.ts';
import { estimateWaitMs, etaMinutes } from '../eta.ts';
import { formatOpening, isOpen, nextOpening } from '../hours.ts';
import { collectReplies } from '../replies.ts';
import { formatTicket } from '../ticket.ts';
import type { Triage } from '../triage.ts';
import type { Flow } from './flow.ts';
import type { CollectedAnswers } from './state.ts';

/** Urgent cases sort before every normal enqueue time (ms since the epoch). */
const URGENT_HEAD = 1e13;

export function isUrgentScore(score: number): boolean {
  return score < URGENT_HEAD / 2;
}

export const DEFAULT_TRIAGE: Triage = { category: 'contact', priority: 'normal', reasons: ['default'] };

export async function currentTriage(flow: Flow, ctx: RouterContext): Promise<Triage> {
  const fromTurn = flow.turn(ctx).triage;
  if (fromTurn) return fromTurn;
  const stored = ctx.conversation ? await flow.state.get(ctx.conversation.id, 'triage') : undefined;
  return stored ?? DEFAULT_TRIAGE;
}

/** "Talk to a person": collect what the team needs first, or hand off now. */
export async function requestHuman(flow: Flow, ctx: RouterContext): Promise<void> {
  const c = ctx.conversation;
  if (!c) return;
  const language = flow.language(ctx);
  const stored = await flow.state.all(c.id);
  const turn = `${ctx.event.channel}:${ctx.event.eventId}`;
  // Asked again mid-collection: hand off with what is there (unless this is a re-run of
  // the very request that started the questions, which starts them again).
  if (stored.collect && stored.collectStartedBy !== turn) {
    await handOff(flow, ctx, stored.collect.answers);
    return;
  }
  if (stored.queueTeam && (await flow.state.position(stored.queueTeam, c.id)) !== undefined) {
    const told = await queueMessage(flow, c.id, stored.queueTeam, language, flow.now());
    ctx.reply(told.text);
    return;
  }
  const triage = await currentTriage(flow, ctx);
  if (triage.priority === 'urgent') {
    await handOff(flow, ctx, {});
    return;
  }
  const step = startCollection(triage.category, flow.config.collect);
  if (step.done) {
    await handOff(flow, ctx, {});
    return;
  }
  await flow.state.set(c.id, { collect: step.state, collectStartedBy: turn });
  for (const reply of collectReplies(flow.t, step.send, language)) ctx.reply(reply);
}

/** One turn of collection; hands off when the last question is answered. */
export async function continueCollection(
  flow: Flow,
  ctx: RouterContext,
  input: { button?: string },
): Promise<boolean> {
  const c = ctx.conversation;
  if (!c) return false;
  const event = ctx.event;
  const stored = await flow.state.all(c.id);
  const turn = `${event.channel}:${event.eventId}`;
  const state = stored.collectTurn?.event === turn ? stored.collectTurn.before : stored.collect;
  if (!state) return false;
  await flow.state.set(c.id, { collectTurn: { event: turn, before: state } });
  const step = collectStep(state, {
    text: ctx.text,
    attachments: event.type === 'message' ? event.attachments : [],
    ...(input.button ? { button: input.button } : {}),
  });
  for (const reply of collectReplies(flow.t, step.send, flow.language(ctx))) ctx.reply(reply);
  if (step.done) await handOff(flow, ctx, step.state.answers);
  else await flow.state.set(c.id, { collect: step.state });
  return true;
}

/**
 * Give the conversation to the team's queue: ticket, team, owner `none`, the collected
 * answers kept (hash field `answers` + a note for the agent), SLA clock started.
 */
export async function handOff(flow: Flow, ctx: RouterContext, answers: CollectedAnswers): Promise<void> {
  const c = ctx.conversation;
  if (!c) return;
  const now = flow.now();
  const language = flow.language(ctx);
  const triage = await currentTriage(flow, ctx);
  const hadTicket = c.ticket;
  const ticket = await ctx.store.ensureTicket(c.id, (n) => formatTicket(flow.config.ticketPrefix, n));
  const team = routeTeam(flow.config, { category: triage.category, language, priority: triage.priority });
  const changes: UpdateChanges = {
    // Already set by ensureTicket; repeated so the inbox's live event carries it.
    ticket,
    owner: 'none',
    team,
    category: triage.category,
    priority: triage.priority,
    addTags: ['escalated'],
  };
  if (c.status !== 'open') changes.status = 'open';
  await ctx.update(changes);
  await enqueue(flow, c.id, team, triage.priority === 'urgent', now);
  const merged = { ...((await flow.state.get(c.id, 'answers')) ?? {}), ...answers };
  await flow.state.set(c.id, { answers: merged, queuedAt: now, queueTeam: team });
  await flow.state.setIfAbsent(c.id, 'openedAt', now);
  await flow.state.clear(c.id, 'collect', 'collectStartedBy', 'clarify');
  await flow.state.redis.zadd(flow.state.slaKey(), 'NX', now, c.id);
  if (Object.keys(merged).length) {
    await flow.note(
      c.id,
      summarize(ticket, merged),
      `collected:${ctx.event.channel}:${ctx.event.eventId}`,
      now,
    );
  }
  if (!hadTicket) ctx.reply(flow.t.render('ticket.created', language, { ticket }));
  if (triage.priority === 'urgent') {
    ctx.reply(flow.t.render('handoff.urgent', language));
    return;
  }
  const told = await queueMessage(flow, c.id, team, language, now);
  ctx.reply(told.text);
  await flow.state.set(c.id, { etaToldMs: told.waitMs ?? -1 });
}

/** Into the team's queue, keeping an earlier place; urgent goes to the head. */
export async function enqueue(
  flow: Flow,
  id: string,
  team: string,
  urgent: boolean,
  now: number,
): Promise<void> {
  const key = flow.state.queueKey(team);
  const score = urgent ? now - URGENT_HEAD : now;
  await flow.state.redis.zadd(key, urgent ? 'LT' : 'NX', score, id);
  await flow.state.redis.sadd(flow.state.teamsKey(), team);
}

export async function dequeue(flow: Flow, id: string, team: string | undefined): Promise<void> {
  if (team) await flow.state.redis.zrem(flow.state.queueKey(team), id);
}

/** What to tell a queued user: place and wait, or when the team is back. */
export async function queueMessage(
  flow: Flow,
  id: string,
  team: string,
  language: string,
  now: number,
): Promise<{ text: string; waitMs: number | null; position: number }> {
  const position = (await flow.state.position(team, id)) ?? 1;
  const schedule = flow.config.teams[team]?.hours;
  if (schedule && !isOpen(schedule, now)) {
    const next = nextOpening(schedule, now);
    const text =
      next === null
        ? flow.t.render('hours.closed-no-schedule', language)
        : flow.t.render('hours.closed', language, {
            next: formatOpening(next, schedule.timezone, language),
          });
    return { text, waitMs: null, position };
  }
  const agentsOnline = await flow.agentsOnline(team, now);
  const recentHandlingMs = await flow.state.recentHandlingMs(team, flow.config.eta.window);
  const waitMs = estimateWaitMs({ position, agentsOnline, recentHandlingMs }, flow.config.eta);
  const text =
    waitMs === null
      ? flow.t.render('handoff.queued-no-eta', language, { position })
      : flow.t.render('handoff.queued', language, { position, minutes: etaMinutes(waitMs) });
  return { text, waitMs, position };
}

/** The agent's view of what was collected (a private note; the same data is in the support hash). */
function summarize(ticket: string, answers: CollectedAnswers): string {
  const lines = Object.entries(answers).map(([field, a]) => {
    if (!a || a.status === 'skipped') return `- ${field}: (skipped)`;
    const kind = a.status === 'given' && a.kind ? ` [${a.kind}]` : '';
    return `- ${field}: ${a.value}${kind}${a.status === 'unverified' ? ' (unverified)' : ''}`;
  });
  return [`Collected before hand-off, ticket ${ticket}:`, ...lines].join('\n');
}
