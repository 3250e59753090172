/**
 * Verity connected through Redis Sentinel (`redis.sentinel`): ioredis asks the sentinel
 * for the master, and every role, helper connection and script works through it.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../src/app/runtime.ts';
import { parseConfigText } from '../src/config/load.ts';
import { dm } from './support/events.ts';
import { type FakePlatform, FakePlatformAdapter, startFakePlatform } from './support/fake-platform.ts';
import { captureLog, echo, waitFor } from './support/pipeline.ts';
import { type LocalSentinel, startLocalSentinel } from './support/redis-sentinel.ts';

let sentinel: LocalSentinel;
let platform: FakePlatform;
let adapter: FakePlatformAdapter;
let runtime: Runtime;
const prefix = `s-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  sentinel = await startLocalSentinel();
  platform = await startFakePlatform();
  adapter = new FakePlatformAdapter(platform.url);
  const config = parseConfigText(
    `organization: { name: Test }
official: { name: Test }
redis: { keyPrefix: ${prefix}, shards: 4, sentinel: { name: ${sentinel.name}, nodes: [${sentinel.nodes.join(', ')}] } }
bus: { claimIdleMs: 1000, maxAttempts: 3, batchSize: 32 }
channels:
  fake: { limits: { perSecond: 200, perChat: { count: 100, windowMs: 1000 } } }`,
    'sentinel.yaml',
  );
  runtime = new Runtime({
    config,
    redisUrl: '',
    roles: ['router', 'adapter:fake'],
    adapters: [adapter],
    middleware: echo(),
    logger: captureLog().logger,
    blockMs: 50,
  });
  await runtime.start();
}, 60_000);

afterAll(async () => {
  await runtime?.stop();
  await platform?.close();
  await sentinel?.stop();
});

describe('through Redis Sentinel', () => {
  it('stores a DM on the master the sentinel names, and answers it', async () => {
    const outcome = await adapter.sink!.ingest(
      dm('ann', { channel: 'fake', sender: { channel: 'fake', userId: 'ann' }, text: 'via sentinel' }),
    );
    expect(outcome.status).toBe('stored');
    await waitFor(() => platform.arrivals.length === 1, 10_000, 'the reply');
    expect(platform.arrivals[0]).toMatchObject({ chat: 'chat-ann', text: 'echo: via sentinel' });
    const master = new Redis(sentinel.master.port, '127.0.0.1');
    try {
      const keys = await master.keys(`${prefix}:*`);
      expect(keys.some((k) => k.endsWith(`c:${outcome.conversationId}`))).toBe(true);
    } finally {
      master.disconnect();
    }
  });

  it('refuses a configuration naming both a Cluster and a Sentinel', () => {
    expect(() =>
      parseConfigText(
        `organization: { name: T }
official: { name: T }
redis: { cluster: { nodes: ['a:1'] }, sentinel: { name: m, nodes: ['b:2'] } }`,
        'both.yaml',
      ),
    ).toThrow(/redis\.sentinel.*not both/s);
  });
});
