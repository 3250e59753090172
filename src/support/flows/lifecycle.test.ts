import { afterEach, describe, expect, it } from 'vitest';
import { addNote, assign, replyAsAgent, setStatus } from '../../agents/actions.ts';
import { decodeLiveEntry } from '../../bus/live.ts';
import type { RouterContext } from '../../router/context.ts';
import { type Harness, supportHarness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const MIN = 60_000;
const NO_QUESTIONS = {
  collect: { contact: [], 'deposit-withdrawal': [], security: [], account: [] },
};

/** The trust layer's finding, simulated: it redacted a recovery phrase from this message. */
const seedLeak = (ctx: RouterContext) => ({ secretLeaked: ctx.text.includes('[seed phrase removed]') });

async function liveEvents(h: Harness, type: string) {
  const entries = await h.runtime.redis.xrange(h.runtime.store.keys.liveStream(), '-', '+');
  return entries.flatMap(([, fields]) => decodeLiveEntry(fields[1])).filter((e) => e.type === type);
}

describe('support flows: urgent cases, tickets, satisfaction, abuse', () => {
  it('puts a leaked seed phrase ahead of the queue as an urgent security case', async () => {
    h = await supportHarness({ config: NO_QUESTIONS, trust: seedLeak });
    const waiting = await h.say('calm', '/human');
    await h.waitReplies('calm', 2);
    h.clock.now += 1000;
    const id = await h.say('panic', 'someone asked me for it so I sent [seed phrase removed]');
    const [shield, steps, ticket, urgent] = await h.waitReplies('panic', 4);
    expect(shield).toMatch(/STOP — your message contained a recovery phrase/);
    expect(steps).toMatch(/create a new wallet/);
    expect(ticket).toMatch(/EX-\d{6}/);
    expect(urgent).toMatch(/URGENT/);
    const conversation = await h.runtime.store.get(id);
    expect(conversation).toMatchObject({ priority: 'urgent', category: 'security', owner: 'none' });
    expect(conversation?.tags).toContain('leaked-secret');
    expect(await h.state.position('first-line', id)).toBe(1);
    expect(await h.state.position('first-line', waiting)).toBe(2);
    // Already at the head: a second alarm goes to the agent without repeating the notice.
    await h.say('panic', 'my funds are gone, they stole everything');
    await h.quiet('panic');
  });

  it('interrupts the questions when a secret leaks mid-collection, keeping the answers', async () => {
    h = await supportHarness({ trust: seedLeak });
    const id = await h.say('gus', 'my withdrawal has not arrived');
    await h.waitReplies('gus', 1);
    await h.press('gus', 'human');
    await h.waitReplies('gus', 3);
    await h.say('gus', 'gus@example.com');
    await h.waitReplies('gus', 4);
    await h.say('gus', 'the support guy on whatsapp has it: [seed phrase removed]');
    const replies = await h.waitReplies('gus', 7, 4);
    expect(replies.at(-1)).toMatch(/URGENT/);
    expect(await h.runtime.store.get(id)).toMatchObject({ priority: 'urgent', category: 'security' });
    expect(await h.state.get(id, 'answers')).toMatchObject({ accountId: { value: 'gus@example.com' } });
    expect(await h.state.get(id, 'collect')).toBeUndefined();
  });

  it('continues a ticket quoted on another channel', async () => {
    h = await supportHarness({ config: NO_QUESTIONS });
    const first = await h.say('tg-user', '/human');
    const [created] = await h.waitReplies('tg-user', 2);
    const ticket = /EX-\d{6}/.exec(created ?? '')?.[0] ?? '';
    h.clock.now += 1000;
    const later = await h.say('later', '/human');
    await h.waitReplies('later', 2);
    const second = await h.say(
      'dc-user',
      `hi, about my ticket ${ticket.toLowerCase().replace('-', ' ')}`,
      {},
      'other',
    );
    const [continued, place] = await h.waitReplies('dc-user', 2);
    expect(continued).toBe(
      `Found it — continuing ticket ${ticket} from fake. The agent can see the whole history.`,
    );
    expect(place).toMatch(/number [12] in line/);
    // It keeps the original's place: ahead of someone who asked after the original did.
    expect(await h.state.position('first-line', second)).toBeLessThan(
      (await h.state.position('first-line', later)) ?? 0,
    );
    const [a, b] = await h.runtime.store.getMany([first, second]);
    expect(b).toMatchObject({ ticket, channel: 'other', owner: 'none' });
    expect(b?.tags).toContain(`continues:${first}`);
    expect(a?.tags).toContain(`continued-in:${second}`);
    expect(await h.state.position('first-line', first)).toBe(1);
    expect(b?.tags).toContain('unverified-link');
    expect(await h.runtime.redis.smembers(h.state.ticketLinksKey(ticket))).toEqual(
      expect.arrayContaining([first, second]),
    );
    await h.say('dc-user', '/ticket', {}, 'other');
    expect((await h.waitReplies('dc-user', 3, 2))[0]).toBe(`Ticket ${ticket}: waiting in the queue.`);
    await h.say('nobody', '/ticket EX-999999');
    expect((await h.waitReplies('nobody', 1))[0]).toMatch(/couldn't find ticket EX-999999/);
  });

  it('asks for a rating on resolve, takes an optional comment, and keeps the case resolved', async () => {
    h = await supportHarness({ config: NO_QUESTIONS });
    const id = await h.say('ann', '/human');
    await h.waitReplies('ann', 2);
    await assign(h.desk, id, 'agent-1');
    await replyAsAgent(h.desk, id, { id: 'agent-1' }, 'Fixed it for you.', { now: h.clock.now + 4 * MIN });
    await setStatus(h.desk, id, 'resolved');
    expect(await h.support.onConversationResolved(id, h.clock.now + 6 * MIN)).toBe(true);
    expect(await h.support.onConversationResolved(id, h.clock.now + 6 * MIN)).toBe(false);
    const [, resolved, prompt] = await h.waitReplies('ann', 5, 2);
    expect(resolved).toMatch(/marked as resolved/);
    expect(prompt).toMatch(/How would you rate/);
    const [survey] = await h.runtime.store.history(id, { limit: 1 });
    expect(survey?.buttons?.[0]?.map((b) => ('data' in b ? b.data : ''))).toEqual([
      'csat:1',
      'csat:2',
      'csat:3',
      'csat:4',
      'csat:5',
    ]);
    expect(await h.runtime.redis.lrange(h.state.handlingKey('first-line'), 0, -1)).toEqual([String(2 * MIN)]);
    await h.press('ann', 'csat:4');
    expect((await h.waitReplies('ann', 6, 5))[0]).toMatch(/Anything we could do better/);
    await h.say('ann', 'quick and friendly, thanks');
    expect((await h.waitReplies('ann', 7, 6))[0]).toMatch(/Thank you for your feedback/);
    expect(await h.state.get(id, 'csat')).toMatchObject({ score: 4, comment: 'quick and friendly, thanks' });
    const conversation = await h.runtime.store.get(id);
    expect(conversation).toMatchObject({ status: 'resolved', owner: 'bot' });
    expect(conversation?.tags).toContain('csat:4');
    await h.say('ann', 'one more thing: my withdrawal has not arrived');
    const [reopened] = await h.waitReplies('ann', 9, 7);
    expect(reopened).toMatch(/is open again/);
    expect((await h.runtime.store.get(id))?.status).toBe('open');
  });

  it('slows a flooding sender down once, then stops processing past the hard limit', async () => {
    h = await supportHarness({
      config: { flood: { soft: { count: 3, windowMs: 10_000 }, hard: { count: 5, windowMs: 60_000 } } },
    });
    let id = '';
    for (let i = 1; i <= 8; i++) id = await h.say('spam', `/start ${i}`);
    await h.waitReplies('spam', 6);
    await h.quiet('spam', 400);
    const texts = h.received('spam');
    expect(texts.filter((t) => /sending messages very fast/.test(t))).toHaveLength(1);
    expect(texts.filter((t) => /official Example support/.test(t))).toHaveLength(5);
    expect((await h.runtime.store.get(id))?.messageCount).toBe(8 + 6);
    h.clock.now += 61_000;
    await h.say('spam', '/start');
    expect((await h.waitReplies('spam', 7, 6))[0]).toMatch(/official Example support/);
  });

  it('warns the inbox before an SLA is breached, once per phase', async () => {
    h = await supportHarness({ config: NO_QUESTIONS });
    const id = await h.say('sla', 'my account was hacked, someone logged in');
    await h.waitReplies('sla', 2);
    const start = h.clock.now;
    expect(await h.support.sweepSla(start + MIN)).toEqual([]);
    const warned = await h.support.sweepSla(start + 4 * MIN + 1000);
    expect(warned).toEqual([
      { conversationId: id, clock: 'firstResponse', phase: 'warning', dueAt: start + 5 * MIN },
    ]);
    expect(await h.support.sweepSla(start + 4 * MIN + 2000)).toEqual([]);
    expect((await h.support.sweepSla(start + 6 * MIN)).map((w) => w.phase)).toEqual(['breached']);
    const events = await liveEvents(h, 'sla');
    expect(events.map((e) => e.data.phase)).toEqual(['warning', 'breached']);
  });

  it('sends a transcript without notes, and escalates to the second tier keeping everything', async () => {
    h = await supportHarness({
      config: {
        ...NO_QUESTIONS,
        teams: { 'first-line': {}, specialists: { tier: 'second' } },
      },
    });
    const id = await h.say('tx', 'my withdrawal has not arrived');
    await h.waitReplies('tx', 1);
    await h.say('tx', '/human');
    await h.waitReplies('tx', 3);
    await addNote(h.desk, id, { id: 'agent-1' }, 'internal: check the hot wallet');
    expect(await h.support.escalateToSecondTier(id)).toEqual({ team: 'specialists' });
    expect((await h.waitReplies('tx', 4, 3))[0]).toMatch(/number 1 in line/);
    expect(await h.runtime.store.get(id)).toMatchObject({ team: 'specialists', owner: 'none' });
    expect(await h.state.position('first-line', id)).toBeUndefined();
    expect(await h.state.position('specialists', id)).toBe(1);
    await h.say('tx', '/transcript');
    const [transcript] = await h.waitReplies('tx', 5, 4);
    expect(transcript).toMatch(/^Transcript of ticket EX-\d{6}/);
    expect(transcript).toContain('You: my withdrawal has not arrived');
    expect(transcript).not.toContain('hot wallet');
    expect(transcript).not.toContain('Escalated');
  });
});
