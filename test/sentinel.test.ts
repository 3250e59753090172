/**
 * Verity connected through Redis Sentinel (`redis.sentinel`): ioredis asks the sentinel
 * for the master, and every role, helper connection and script works through it, also
 * when the master and the sentinel require passwords (given by the environment only).
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Runtime } from '../src/app/runtime.ts';
import { type Env, parseConfigText } from '../src/config/load.ts';
import { dm } from './support/events.ts';
import { FakePlatformAdapter, startFakePlatform } from './support/fake-platform.ts';
import { captureLog, echo, waitFor } from './support/pipeline.ts';
import { startLocalSentinel } from './support/redis-sentinel.ts';

const AUTH = { master: `master-${randomUUID()}`, sentinel: `sentinel-${randomUUID()}` };

describe.each([
  { through: 'an open Sentinel', auth: undefined },
  { through: 'a Sentinel and a master that require passwords', auth: AUTH },
])('through $through', ({ auth }) => {
  const prefix = `s-${randomUUID().slice(0, 8)}`;
  const env: Env = auth ? { REDIS_PASSWORD: auth.master, REDIS_SENTINEL_PASSWORD: auth.sentinel } : {};
  const captured = captureLog();
  let sentinel: Awaited<ReturnType<typeof startLocalSentinel>>;
  let platform: Awaited<ReturnType<typeof startFakePlatform>>;
  let adapter: FakePlatformAdapter;
  let runtime: Runtime;

  beforeAll(async () => {
    sentinel = await startLocalSentinel('verity', auth);
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
      env,
    );
    runtime = new Runtime({
      config,
      redisUrl: '',
      roles: ['router', 'adapter:fake'],
      adapters: [adapter],
      middleware: echo(),
      logger: captured.logger,
      blockMs: 50,
    });
    await runtime.start();
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    await platform?.close();
    await sentinel?.stop();
  });

  it('stores a DM on the master the sentinel names, and answers it', async () => {
    const outcome = await adapter.sink!.ingest(
      dm('ann', { channel: 'fake', sender: { channel: 'fake', userId: 'ann' }, text: 'via sentinel' }),
    );
    expect(outcome.status).toBe('stored');
    await waitFor(() => platform.arrivals.length === 1, 10_000, 'the reply');
    expect(platform.arrivals[0]).toMatchObject({ chat: 'chat-ann', text: 'echo: via sentinel' });
    const master = new Redis(sentinel.master.port, '127.0.0.1', auth ? { password: auth.master } : {});
    try {
      const keys = await master.keys(`${prefix}:*`);
      expect(keys.some((k) => k.endsWith(`c:${outcome.conversationId}`))).toBe(true);
    } finally {
      master.disconnect();
    }
    if (auth) {
      expect(captured.log.text()).not.toContain(auth.master);
      expect(captured.log.text()).not.toContain(auth.sentinel);
    }
  });
});

describe('Sentinel settings', () => {
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

  it('takes Redis passwords from the environment only, never from the file', () => {
    const file = `organization: { name: T }
official: { name: T }
redis: { password: hunter2, sentinel: { name: m, nodes: ['b:2'], password: hunter3 } }`;
    expect(() => parseConfigText(file, 'secret.yaml')).toThrow(/redis\.password.*REDIS_PASSWORD/s);
    expect(() => parseConfigText(file, 'secret.yaml')).toThrow(
      /redis\.sentinel\.password.*REDIS_SENTINEL_PASSWORD/s,
    );
    const config = parseConfigText(
      `organization: { name: T }
official: { name: T }
redis: { sentinel: { name: m, nodes: ['b:2'] } }`,
      'env.yaml',
      { REDIS_PASSWORD: 'from-env', REDIS_SENTINEL_PASSWORD: 'also-env' },
    );
    expect(config.redis.password).toBe('from-env');
    expect(config.redis.sentinel?.password).toBe('also-env');
  });
});
