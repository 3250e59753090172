import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { scopedTestStore } from '../../test/support/redis.ts';
import { LiveHub } from '../inbox/live-hub.ts';
import { decodeLiveEntry, LivePublisher } from './live.ts';

function setup() {
  const { store, redis } = scopedTestStore({ shards: 2 });
  return { live: new LivePublisher(redis, store.keys), redis, stream: store.keys.liveStream() };
}

describe('live events', () => {
  it('writes the events of one tick as one entry, and each resolves once stored', async () => {
    const { live, redis, stream } = setup();
    await Promise.all(
      ['a', 'b', 'c'].map((id) => live.publish({ type: 'message', conversationId: id, data: { n: id } })),
    );
    const entries = await redis.xrange(stream, '-', '+');
    expect(entries).toHaveLength(1);
    const events = decodeLiveEntry(entries[0]?.[1][1]);
    expect(events.map((e) => e.conversationId)).toEqual(['a', 'b', 'c']);
    await live.publish({ type: 'typing', conversationId: 'd' });
    const [, single] = await redis.xrange(stream, '-', '+');
    expect(JSON.parse(single?.[1][1] ?? '')).toMatchObject({ type: 'typing', conversationId: 'd', data: {} });
  });

  it('replays a reconnecting page from the middle of a batch without repeating what it saw', async () => {
    const { live, redis, stream } = setup();
    await Promise.all(['a', 'b', 'c'].map((id) => live.publish({ type: 'message', conversationId: id })));
    await live.publish({ type: 'message', conversationId: 'd' });
    const hub = new LiveHub(redis, stream, pino({ level: 'silent' }));
    const [batch] = await redis.xrange(stream, '-', '+');
    const missed = await hub.since(`${batch?.[0]}/0`);
    expect(missed.map((e) => e.event.conversationId)).toEqual(['b', 'c', 'd']);
    expect(missed[0]?.id).toBe(`${batch?.[0]}/1`);
    const afterBatch = await hub.since(String(batch?.[0]));
    expect(afterBatch.map((e) => e.event.conversationId)).toEqual(['d']);
  });

  it('reads a malformed entry as no events', () => {
    expect(decodeLiveEntry('{"type":"nope"}')).toEqual([]);
    expect(decodeLiveEntry('not json')).toEqual([]);
    expect(decodeLiveEntry(undefined)).toEqual([]);
  });
});
