/**
 * Second tier: an agent sends a case on to specialists (routing with `tier: 'second'`).
 * It is the same conversation, so the history and the collected answers stay with it;
 * it leaves the first-line queue, waits in the specialists' queue (keeping its
 * priority's place), and the user is told their new place.
 */
import { routeTeam } from '../config.ts';
import { Category } from '../kb/load.ts';
import type { Flow } from './flow.ts';
import { dequeue, enqueue, queueMessage } from './handoff.ts';

export async function escalateToSecondTier(
  flow: Flow,
  conversationId: string,
  now = flow.now(),
): Promise<{ team: string } | undefined> {
  const { store, live } = flow.deps;
  const c = await store.get(conversationId);
  if (!c) return undefined;
  const stored = await flow.state.all(c.id);
  const category = Category.safeParse(c.category).data ?? stored.triage?.category ?? 'contact';
  const language = c.language ?? flow.deps.languages.default;
  const team = routeTeam(flow.config, { category, language, priority: c.priority, tier: 'second' });
  await dequeue(flow, c.id, stored.queueTeam);
  const result = await store.update(c.id, {
    team,
    owner: 'none',
    assignee: null,
    addTags: ['escalated', 'tier-2'],
  });
  if (result.ok && result.changed) {
    await live.publish({
      type: 'conversation',
      conversationId: c.id,
      data: { team, owner: 'none', assignee: null },
    });
  }
  await enqueue(flow, c.id, team, c.priority === 'urgent', now);
  await flow.state.set(c.id, { queueTeam: team, queuedAt: now });
  await flow.state.setIfAbsent(c.id, 'openedAt', now);
  await flow.state.redis.zadd(flow.state.slaKey(), 'NX', now, c.id);
  await flow.note(
    c.id,
    `Escalated to second tier: team ${team} (was ${c.team ?? 'none'}).`,
    `tier2:${now}`,
    now,
  );
  const told = await queueMessage(flow, c.id, team, language, now);
  await flow.sayOutside(c, told.text, `tier2:${now}`, { now });
  await flow.state.set(c.id, { etaToldMs: told.waitMs ?? -1 });
  return { team };
}
