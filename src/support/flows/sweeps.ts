/**
 * Periodic work the runtime calls on an interval (any router process; each step is safe
 * to run concurrently or twice): hand silent agents' conversations back to the bot, warn
 * the inbox before an SLA is breached, keep queues clean and re-tell waiting users their
 * wait when it changed a lot. Each takes `now`, so tests drive them with a fake clock.
 */
import { handBack } from '../../agents/actions.ts';
import type { Conversation, Message } from '../../core/model.ts';
import { etaChangedALot, etaMinutes } from '../eta.ts';
import { agentSilent, nextSlaCheck, slaState } from '../sla.ts';
import type { Flow } from './flow.ts';
import { enqueue, queueMessage } from './handoff.ts';

const MIN = 60_000;
const BATCH = 200;
const HISTORY_SCAN = 100;

/** Agent replies (not notes) and user messages, oldest first. */
async function recent(flow: Flow, id: string): Promise<Message[]> {
  return (await flow.deps.store.history(id, { limit: HISTORY_SCAN })).reverse();
}

/** Conversations handed back to the bot because their agent left the user waiting too long. */
export async function sweepSilentAgents(flow: Flow, now = flow.now()): Promise<string[]> {
  const { redis } = flow.state;
  const key = flow.state.awaitingAgentKey();
  const limitMs = flow.config.handBackAfterMin * MIN;
  const due = await redis.zrangebyscore(key, '-inf', now - limitMs, 'LIMIT', 0, BATCH);
  const handed: string[] = [];
  for (const id of due) {
    const c = await flow.deps.store.get(id);
    if (c?.owner !== 'agent' || c.status === 'resolved') {
      await redis.zrem(key, id);
      continue;
    }
    const messages = await recent(flow, id);
    const lastAgent = messages.filter((m) => m.author.kind === 'agent' && !m.note).at(-1)?.createdAt ?? 0;
    const waiting = messages.find((m) => m.direction === 'in' && m.createdAt > lastAgent)?.createdAt;
    if (waiting === undefined) {
      await redis.zrem(key, id);
      continue;
    }
    if (!agentSilent(waiting, now, flow.config.handBackAfterMin)) {
      await redis.zadd(key, 'XX', waiting, id);
      continue;
    }
    await handBack(flow.deps, id);
    await redis.zrem(key, id);
    await requeue(flow, c, now);
    const language = c.language ?? flow.deps.languages.default;
    await flow.sayOutside(c, flow.t.render('agent.silent-bot-resumes', language), `silent:${waiting}`, {
      now,
    });
    handed.push(id);
  }
  return handed;
}

/** Back in the team's queue, keeping the original place when it had one. */
async function requeue(flow: Flow, c: Conversation, now: number): Promise<void> {
  const stored = await flow.state.all(c.id);
  const team = stored.queueTeam ?? c.team ?? flow.config.defaultTeam;
  const score = stored.queuedAt ?? now;
  await enqueue(flow, c.id, team, c.priority === 'urgent', score);
  await flow.state.set(c.id, { queueTeam: team, queuedAt: score });
}

export interface SlaWarning {
  conversationId: string;
  clock: 'firstResponse' | 'resolution';
  phase: 'warning' | 'breached';
  dueAt: number;
}

/** Publishes `sla` live events (once per clock and phase) for escalated conversations. */
export async function sweepSla(flow: Flow, now = flow.now()): Promise<SlaWarning[]> {
  const { redis } = flow.state;
  const key = flow.state.slaKey();
  const due = await redis.zrangebyscore(key, '-inf', now, 'LIMIT', 0, BATCH);
  const warnings: SlaWarning[] = [];
  for (const id of due) {
    const c = await flow.deps.store.get(id);
    if (!c || c.status === 'resolved') {
      await redis.zrem(key, id);
      continue;
    }
    const stored = await flow.state.all(id);
    const openedAt = stored.openedAt ?? c.createdAt;
    const firstResponseAt = (await recent(flow, id)).find(
      (m) => m.author.kind === 'agent' && !m.note && m.createdAt >= openedAt,
    )?.createdAt;
    const state = slaState(
      { priority: c.priority, openedAt, ...(firstResponseAt ? { firstResponseAt } : {}) },
      now,
      flow.config.sla,
    );
    const warned = new Set(stored.slaWarned ?? []);
    for (const clock of ['firstResponse', 'resolution'] as const) {
      const { phase, dueAt } = state[clock];
      if ((phase !== 'warning' && phase !== 'breached') || warned.has(`${clock}:${phase}`)) continue;
      warned.add(`${clock}:${phase}`);
      warnings.push({ conversationId: id, clock, phase, dueAt });
      await flow.deps.live.publish({
        type: 'sla',
        conversationId: id,
        data: { clock, phase, dueAt, priority: c.priority, ...(c.team ? { team: c.team } : {}) },
      });
    }
    await flow.state.set(id, { slaWarned: [...warned] });
    const next = nextSlaCheck(state, now);
    if (next === null) await redis.zrem(key, id);
    else await redis.zadd(key, next, id);
  }
  return warnings;
}

/**
 * Drops conversations an agent took or that were resolved from the queues, and tells each
 * waiting user their new place and wait when the estimate moved a lot.
 */
export async function sweepQueues(flow: Flow, now = flow.now()): Promise<number> {
  const { redis } = flow.state;
  let told = 0;
  for (const team of await redis.smembers(flow.state.teamsKey())) {
    const key = flow.state.queueKey(team);
    const waiting: Conversation[] = [];
    for (const id of await redis.zrange(key, '0', '-1')) {
      const c = await flow.deps.store.get(id);
      if (!c || c.owner === 'agent' || c.status === 'resolved') await redis.zrem(key, id);
      else waiting.push(c);
    }
    for (const c of waiting) {
      const language = c.language ?? flow.deps.languages.default;
      const previous = await flow.state.get(c.id, 'etaToldMs');
      const now_ = await queueMessage(flow, c.id, team, language, now);
      const before = previous === undefined || previous < 0 ? null : previous;
      if (now_.waitMs === null || !etaChangedALot(before, now_.waitMs, flow.config.eta)) continue;
      const text = flow.t.render('handoff.eta-update', language, {
        position: now_.position,
        minutes: etaMinutes(now_.waitMs),
      });
      await flow.sayOutside(c, text, `eta:${now}`, { now });
      await flow.state.set(c.id, { etaToldMs: now_.waitMs });
      told++;
    }
  }
  return told;
}
