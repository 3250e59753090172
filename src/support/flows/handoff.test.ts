import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { dm } from '../../../test/support/events.ts';
import { assign, replyAsAgent } from '../../agents/actions.ts';
import { RouterContext } from '../../router/context.ts';
import { type Harness, supportHarness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const TX = `0x${'ab12'.repeat(16)}`;
const MIN = 60_000;

describe('support flows: collection and hand-off', () => {
  it('collects what the team needs for a withdrawal problem, one question at a time, then queues it', async () => {
    h = await supportHarness({ agentsOnline: () => 2 });
    const id = await h.say('ann', 'my withdrawal has not arrived');
    await h.waitReplies('ann', 1);
    await h.press('ann', 'human');
    const [intro, askAccount] = await h.waitReplies('ann', 3, 1);
    expect(intro).toMatch(/a few quick questions/);
    expect(askAccount).toMatch(/account ID or the e-mail/);
    await h.say('ann', 'ann@example.com');
    expect((await h.waitReplies('ann', 4, 3))[0]).toMatch(/transaction hash/);
    await h.say('ann', 'no idea what that is, abc');
    expect((await h.waitReplies('ann', 5, 4))[0]).toMatch(/doesn't look like a transaction hash/);
    await h.say('ann', `here: ${TX}`);
    expect((await h.waitReplies('ann', 6, 5))[0]).toMatch(/How much was it/);
    await h.say('ann', '250 USDT, yesterday 14:30');
    expect((await h.waitReplies('ann', 7, 6))[0]).toMatch(/screenshot/);
    await h.press('ann', 'collect:skip');
    const [done, ticket, queued] = await h.waitReplies('ann', 10, 7);
    expect(done).toMatch(/that's everything/);
    expect(ticket).toMatch(/Your ticket number is EX-\d{6}/);
    expect(queued).toMatch(/You're number 1 in line\. Estimated wait is about \d+ min/);
    const conversation = await h.runtime.store.get(id);
    expect(conversation).toMatchObject({ owner: 'none', category: 'deposit-withdrawal', team: 'first-line' });
    expect(conversation?.ticket).toMatch(/^EX-\d{6}$/);
    expect(await h.state.get(id, 'answers')).toEqual({
      accountId: { status: 'given', value: 'ann@example.com', kind: 'email' },
      txHash: { status: 'given', value: TX, kind: 'evm' },
      amountTime: { status: 'given', value: '250 USDT, yesterday 14:30' },
      screenshot: { status: 'skipped' },
    });
    const note = (await h.runtime.store.history(id, { limit: 20 })).find((m) => m.note);
    expect(note?.text).toContain('accountId: ann@example.com');
    expect(note?.author.kind).toBe('system');
  });

  it('a re-run of the same event (router crash, replay) answers the same question again', async () => {
    h = await supportHarness();
    const id = await h.say('re', 'my withdrawal has not arrived');
    await h.waitReplies('re', 1);
    await h.press('re', 'human');
    await h.waitReplies('re', 3);
    const event = dm('re', {
      channel: 'fake',
      sender: { channel: 'fake', userId: 're' },
      text: 're@example.com',
    });
    await h.runtime.sink.ingest(event);
    expect((await h.waitReplies('re', 4, 3))[0]).toMatch(/transaction hash/);
    const message = (await h.runtime.store.history(id, { limit: 5 })).find((m) => m.direction === 'in');
    const again = new RouterContext(
      event,
      await h.runtime.store.get(id),
      message,
      h.runtime.store,
      pino({ level: 'silent' }),
    );
    await h.support.middleware(again, async () => {});
    expect(again.replies.map((r) => r.text)).toEqual([h.received('re')[3]]);
    expect(await h.state.get(id, 'collect')).toMatchObject({ index: 1 });
  });

  it('tells each user their place in the queue, and re-tells it when the wait changed a lot', async () => {
    h = await supportHarness({ config: { collect: { contact: [] } }, agentsOnline: () => 1 });
    for (const user of ['q1', 'q2', 'q3', 'q4']) {
      h.clock.now += 1000;
      await h.say(user, '/human');
      await h.waitReplies(user, 2);
    }
    expect(h.received('q1')[1]).toMatch(/number 1 in line/);
    expect(h.received('q4')[1]).toMatch(/number 4 in line\. Estimated wait is about 20 min/);
    // Three ahead of q4 are taken by agents: the estimate halves.
    for (const user of ['q1', 'q2', 'q3']) {
      const id = await h.runtime.store.findByThread('fake', `chat-${user}`);
      await assign(h.desk, id ?? '', 'agent-1');
    }
    expect(await h.support.sweepQueues()).toBe(1);
    expect((await h.waitReplies('q4', 3, 2))[0]).toMatch(/you're now number 1 in line, about 10 min left/);
    expect(await h.support.sweepQueues()).toBe(0);
  });

  it('goes quiet while an agent owns the conversation, and the agent sees everything', async () => {
    h = await supportHarness({ config: { collect: { contact: [] } } });
    const id = await h.say('bo', '/human');
    await h.waitReplies('bo', 2);
    await assign(h.desk, id, 'agent-7');
    await replyAsAgent(h.desk, id, { id: 'agent-7', name: 'Alice' }, 'Hi, Alice here. Looking into it.');
    await h.waitReplies('bo', 3);
    await h.say('bo', 'my withdrawal has not arrived');
    await h.say('bo', '/ticket');
    await h.press('bo', 'human');
    await h.quiet('bo', 500);
    const history = await h.runtime.store.history(id, { limit: 3 });
    expect(history.map((m) => m.text)).toContain('my withdrawal has not arrived');
    const conversation = await h.runtime.store.get(id);
    expect(conversation).toMatchObject({ owner: 'agent', assignee: 'agent-7' });
    expect(await h.state.position('first-line', id)).toBeUndefined();
  });

  it('hands the user back to the bot when the agent stays silent past the limit', async () => {
    h = await supportHarness({ config: { collect: { contact: [] }, handBackAfterMin: 15 } });
    const id = await h.say('cy', '/human');
    await h.waitReplies('cy', 2);
    await assign(h.desk, id, 'agent-2');
    await replyAsAgent(h.desk, id, { id: 'agent-2' }, 'One moment please.', { now: h.clock.now });
    await h.waitReplies('cy', 3);
    h.clock.now += MIN;
    await h.say('cy', 'are you still there?');
    await h.quiet('cy', 300);
    expect(await h.support.sweepSilentAgents(h.clock.now + 14 * MIN)).toEqual([]);
    expect(await h.support.sweepSilentAgents(h.clock.now + 15 * MIN)).toEqual([id]);
    const [resumed] = await h.waitReplies('cy', 4, 3);
    expect(resumed).toMatch(/the agent seems to be busy/);
    expect(await h.runtime.store.get(id)).toMatchObject({ owner: 'bot' });
    expect(await h.state.position('first-line', id)).toBe(1);
    expect(await h.support.sweepSilentAgents(h.clock.now + 30 * MIN)).toEqual([]);
    await h.say('cy', 'my withdrawal has not arrived');
    expect((await h.waitReplies('cy', 5, 4))[0]).toMatch(/withdraw/i);
  });

  it('an agent who answered in time keeps the conversation', async () => {
    h = await supportHarness({ config: { collect: { contact: [] } } });
    const id = await h.say('di', '/human');
    await h.waitReplies('di', 2);
    await assign(h.desk, id, 'agent-3');
    await h.say('di', 'hello?');
    await new Promise((r) => setTimeout(r, 200));
    await replyAsAgent(h.desk, id, { id: 'agent-3' }, 'Here!', { now: h.clock.now + 5 * MIN });
    expect(await h.support.sweepSilentAgents(h.clock.now + 20 * MIN)).toEqual([]);
    expect(await h.runtime.store.get(id)).toMatchObject({ owner: 'agent' });
  });

  it('out of hours, says when a person will answer', async () => {
    const monday0300Utc = Date.UTC(2026, 10, 23, 3, 0);
    h = await supportHarness({
      start: monday0300Utc,
      config: {
        collect: { contact: [] },
        teams: { 'first-line': { hours: { timezone: 'UTC', weekly: { mon: ['09:00-17:00'] } } } },
      },
    });
    const id = await h.say('ed', '/human');
    const [, closed] = await h.waitReplies('ed', 2);
    expect(closed).toMatch(/offline right now\. A person will answer from Monday, Nov 23, 09:00 AM UTC/);
    expect(await h.state.position('first-line', id)).toBe(1);
  });
});
