import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { dm } from '../../test/support/events.ts';
import { scopedTestStore } from '../../test/support/redis.ts';
import { InboundEvent } from '../core/model.ts';
import { checkConsistency } from './check.ts';
import type { ConversationStore } from './conversations.ts';

function setup(shards = 1) {
  return scopedTestStore({ shards });
}

/** Counts the script calls (one pipeline each) the store sends. */
function countCalls(redis: Redis): { calls: number } {
  const counter = { calls: 0 };
  const pipeline = redis.pipeline.bind(redis);
  redis.pipeline = (...args: Parameters<Redis['pipeline']>) => {
    counter.calls++;
    return pipeline(...args);
  };
  return counter;
}

async function texts(store: ConversationStore, id: string) {
  return (await store.history(id, { limit: 500 })).reverse().map((m) => m.text);
}

const edit = (user: string, platformMessageId: string, text: string) =>
  InboundEvent.parse({
    ...dm(user),
    type: 'edit',
    eventId: `${user}:${platformMessageId}:edit:${text}`,
    platformMessageId,
    text,
  });

describe('batched ingest', () => {
  it("stores one turn's events of a shard with one script call, and answers each caller alone", async () => {
    const { store, redis } = setup();
    const first = await store.ingest(dm('ann', { platformMessageId: '1' }));
    const calls = countCalls(redis);
    const button = InboundEvent.parse({ ...dm('ann'), type: 'button', eventId: 'ann-button', data: 'yes' });
    const results = await Promise.all([
      store.ingest(dm('ann', { platformMessageId: '2', text: 'second' })),
      store.ingest(dm('ann', { platformMessageId: '1' })),
      store.ingest(dm('bea', { text: 'new here' })),
      store.ingest(button),
      store.ingest(edit('ann', '2', 'second, edited')),
    ]);
    expect(calls.calls).toBe(1);
    const id = first.conversationId!;
    expect(results[0]).toEqual({ status: 'stored', created: false, conversationId: id, seq: 2 });
    expect(results[1]).toEqual({ status: 'duplicate', created: false });
    expect(results[2]).toMatchObject({ status: 'stored', created: true, seq: 1 });
    expect(results[3]).toEqual({ status: 'event', created: false, conversationId: id });
    // The edit finds the message stored earlier in the same call.
    expect(results[4]).toEqual({ status: 'stored', created: false, conversationId: id, seq: 2 });
    expect(await texts(store, id)).toEqual(['hello', 'second, edited']);
    expect((await store.get(id))?.messageCount).toBe(2);
    expect((await checkConsistency(store)).problems).toEqual([]);
  });

  it('keeps the order of the calls within a conversation, whatever `now` each caller passes', async () => {
    const { store } = setup();
    const results = await Promise.all([
      store.ingest(dm('cy', { text: 'a' }), {}, 1_000),
      store.ingest(dm('cy', { text: 'b' })),
      store.ingest(dm('cy', { text: 'c' }), {}, 1_000),
      store.ingest(dm('cy', { text: 'd' })),
    ]);
    expect(results.map((r) => r.seq)).toEqual([1, 2, 3, 4]);
    expect(await texts(store, results[0]!.conversationId!)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('splits a large turn into calls of at most 64 events, in order', async () => {
    const { store, redis } = setup();
    const calls = countCalls(redis);
    const events = Array.from({ length: 150 }, (_, n) => dm('dee', { text: `#${n}` }));
    const results = await Promise.all(events.map((e) => store.ingest(e)));
    expect(calls.calls).toBe(3);
    expect(results.map((r) => r.seq)).toEqual(events.map((_, n) => n + 1));
    expect(await texts(store, results[0]!.conversationId!)).toEqual(events.map((e) => e.text));
  });

  it('answers a reply to a message stored earlier in the same call with its seq', async () => {
    const { store } = setup();
    const [question, answer] = await Promise.all([
      store.ingest(dm('eve', { platformMessageId: '7' })),
      store.ingest(dm('eve', { platformMessageId: '8', replyToPlatformId: '7' })),
    ]);
    const [, reply] = (await store.history(question.conversationId!)).reverse();
    expect(answer.seq).toBe(2);
    expect(reply?.replyTo).toBe(`${question.conversationId}.1`);
  });

  it('re-opens a resolved conversation by the first message to the bot in a call, even after one that is not', async () => {
    const { store } = setup();
    const { conversationId } = await store.ingest(dm('fay'), {}, 1_000);
    const id = conversationId!;
    await store.update(id, { status: 'resolved' }, {}, 2_000);
    await Promise.all([
      store.ingest(dm('fay', { addressedToBot: false }), {}, 3_000),
      store.ingest(dm('fay'), {}, 3_000),
      store.ingest(dm('fay'), {}, 3_000),
    ]);
    expect(await store.get(id)).toMatchObject({
      status: 'open',
      unread: 3,
      messageCount: 4,
      lastMessageAt: 3_000,
    });
    expect((await store.list({ status: 'resolved' })).conversations).toEqual([]);
    expect((await store.list({ status: 'open' })).conversations.map((c) => c.id)).toEqual([id]);
    expect((await checkConsistency(store)).problems).toEqual([]);
  });

  it('fails only the event that cannot be stored, not the others of its call', async () => {
    const { store, redis } = setup();
    const broken = (await store.ingest(dm('gus'))).conversationId!;
    // A corrupt key: the message list is not a list, so RPUSH fails with WRONGTYPE.
    await redis.del(store.keys.messages(broken));
    await redis.set(store.keys.messages(broken), 'not a list');
    const before = dm('hal');
    const failing = dm('gus');
    const after = dm('ida');
    const outcomes = await Promise.allSettled([
      store.ingest(before),
      store.ingest(failing),
      store.ingest(after),
    ]);
    // `before` was stored by the failed call: answered with its error, its retry finds it.
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect(outcomes[2]).toMatchObject({ value: { status: 'stored', created: true } });
    expect(await store.ingest(before)).toEqual({ status: 'duplicate', created: false });
    expect(await store.findByThread('telegram', 'chat-hal')).toBeDefined();
  });
});

describe('dedupe of messages by platform id', () => {
  it('drops a redelivered message after its event mark would have expired, and writes no mark for it', async () => {
    const { store, redis } = setup();
    const message = dm('ivy', { platformMessageId: '42' });
    const first = await store.ingest(message);
    expect(await redis.keys(`${store.options.prefix}:*seen:*`)).toEqual([]);
    expect(await store.ingest({ ...message, eventId: 'redelivered-under-another-id' })).toEqual({
      status: 'duplicate',
      created: false,
    });
    expect(await texts(store, first.conversationId!)).toEqual(['hello']);
  });

  it('still maps a message to its place in the list when the stored count has drifted', async () => {
    const { store, redis } = setup();
    const { conversationId } = await store.ingest(dm('jo', { platformMessageId: '1' }));
    const id = conversationId!;
    await redis.hset(store.keys.conversation(id), 'messageCount', '5');
    const next = await store.ingest(dm('jo', { platformMessageId: '2' }));
    expect(next.seq).toBe(2);
    expect(await store.seqOfPlatformMessage(id, '2')).toBe(2);
    expect((await store.get(id))?.messageCount).toBe(2);
    expect(await store.ingest(dm('jo', { platformMessageId: '2' }))).toMatchObject({ status: 'duplicate' });
    expect((await checkConsistency(store)).problems).toEqual([]);
  });
});

describe('activity indexes', () => {
  it('are kept as skiplists, with no trace of the conversion', async () => {
    const { store, redis } = setup();
    const a = await store.ingest(dm('kai'), {}, 1_000);
    const b = await store.ingest(dm('lia'), {}, 2_000);
    await store.ingest(dm('kai'), {}, 3_000);
    for (const index of [
      store.keys.index(0, 'all'),
      store.keys.index(0, 'status', 'open'),
      store.keys.index(0, 'assignee', '~'),
    ]) {
      expect(await redis.object('ENCODING', index)).toBe('skiplist');
      expect(await redis.zrange(index, 0, -1)).toEqual([b.conversationId, a.conversationId]);
    }
    expect((await store.list({})).conversations.map((c) => c.id)).toEqual([
      a.conversationId,
      b.conversationId,
    ]);
  });
});
