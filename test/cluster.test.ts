/**
 * The pipeline on a real three-master Redis Cluster: every script, stream read and helper
 * connection must keep to one slot per command, or Redis answers CROSSSLOT. The single-node
 * tests cannot show that, since one server accepts any mix of keys.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../src/app/runtime.ts';
import { parseConfigText } from '../src/config/load.ts';
import type { HubEvent } from '../src/inbox/live-hub.ts';
import { LiveHub } from '../src/inbox/live-hub.ts';
import { connectRedis } from '../src/store/redis.ts';
import { dm } from './support/events.ts';
import { type FakePlatform, FakePlatformAdapter, startFakePlatform } from './support/fake-platform.ts';
import { captureLog, echo, waitFor } from './support/pipeline.ts';
import { type LocalCluster, startLocalCluster } from './support/redis-cluster.ts';

let cluster: LocalCluster;
let platform: FakePlatform;
let runtime: Runtime;
let hub: LiveHub;
const hubEvents: HubEvent[] = [];
let adapter: FakePlatformAdapter;

beforeAll(async () => {
  cluster = await startLocalCluster();
  platform = await startFakePlatform();
  adapter = new FakePlatformAdapter(platform.url);
  const prefix = `c-${randomUUID().slice(0, 8)}`;
  const config = parseConfigText(
    `organization: { name: Test }
official: { name: Test }
redis: { keyPrefix: ${prefix}, shards: 8, cluster: { nodes: [${cluster.nodes.join(', ')}] } }
bus: { claimIdleMs: 1000, maxAttempts: 3, batchSize: 32 }
channels:
  fake: { limits: { perSecond: 200, perChat: { count: 100, windowMs: 1000 } } }`,
    'cluster.yaml',
  );
  const { logger } = captureLog();
  runtime = new Runtime({
    config,
    redisUrl: 'redis://unused:6379',
    roles: ['router', 'adapter:fake'],
    adapters: [adapter],
    middleware: echo(),
    logger,
    blockMs: 50,
  });
  await runtime.start();
  hub = new LiveHub(
    connectRedis({ url: '', cluster: { nodes: cluster.nodes } }),
    runtime.store.keys.liveStream(),
    logger,
    50,
  );
  hub.subscribe((event) => hubEvents.push(event));
  await hub.start();
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  await runtime?.stop();
  await platform?.close();
  await cluster?.stop();
});

describe('on a Redis Cluster', () => {
  it('stores, routes and answers DMs from every shard once, and records each reply as sent', async () => {
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    const fake = (user: string) => dm(user, { channel: 'fake', sender: { channel: 'fake', userId: user } });
    const first = users.map(fake);
    const outcomes = await Promise.all(first.map((event) => adapter.sink!.ingest(event)));
    expect(outcomes.every((o) => o.status === 'stored')).toBe(true);
    const shards = new Set(outcomes.map((o) => runtime.store.keys.shardOfConversation(o.conversationId!)));
    expect(shards.size).toBe(8);
    // A redelivery of every message is dropped.
    const again = await Promise.all(first.map((event) => adapter.sink!.ingest(event)));
    expect(again.every((o) => o.status === 'duplicate')).toBe(true);

    await waitFor(() => platform.arrivals.length >= users.length, 15_000, 'every reply');
    await new Promise((r) => setTimeout(r, 300));
    expect(platform.arrivals).toHaveLength(users.length);
    expect(new Set(platform.arrivals.map((a) => a.chat))).toEqual(new Set(users.map((u) => `chat-${u}`)));

    for (const outcome of outcomes) {
      const reply = await waitFor(async () => {
        const [m] = await runtime.store.history(outcome.conversationId!, { limit: 1 });
        return m?.delivery?.state === 'sent' ? m : undefined;
      });
      expect(reply.text).toBe('echo: hello');
    }
  });

  it('lists conversations across shards and updates one', async () => {
    const page = await runtime.store.list({ status: 'open' }, { limit: 100 });
    expect(page.conversations).toHaveLength(40);
    const [some] = page.conversations;
    const updated = await runtime.store.update(some!.id, { status: 'resolved', addTags: ['cluster'] });
    expect(updated.ok).toBe(true);
    const resolved = await runtime.store.list({ status: 'resolved' });
    expect(resolved.conversations.map((c) => c.id)).toEqual([some!.id]);
    const tagged = await runtime.store.list({ tag: 'cluster' });
    expect(tagged.conversations.map((c) => c.id)).toEqual([some!.id]);
  });

  it('publishes live events the inbox hub reads', async () => {
    await waitFor(() => hubEvents.some((e) => e.event.type === 'delivery'), 5000, 'a delivery event');
    expect(hubEvents.some((e) => e.event.type === 'message')).toBe(true);
  });
});
