import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { LimitConfig } from '../config/schema.ts';
import { createLogger } from '../ops/logger.ts';
import { Keys } from '../store/keys.ts';
import { type LocalRedis, startLocalRedis } from '../store/local-redis.ts';
import { connectRedis } from '../store/redis.ts';
import { ChannelLimiter, limiterConnection } from './limiter.ts';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/**
 * A limiter on a private Redis that this test may kill and flush. `wrap` stands between the
 * limiter and its store connection (to slow a reply down, say).
 */
async function limiterOn(
  server: LocalRedis,
  {
    perSecond = 100,
    wrap = (redis: Redis) => redis,
    onRedateFailed,
  }: { perSecond?: number; wrap?: (redis: Redis) => Redis; onRedateFailed?: (error: unknown) => void } = {},
) {
  const redis = connectRedis({ url: server.url });
  const connection = limiterConnection(
    redis.duplicate({ enableAutoPipelining: false }),
    createLogger('silent'),
  );
  const limiter = new ChannelLimiter(connection, {
    redis: wrap(redis),
    keys: new Keys('lim', 1),
    channel: 'fake',
    limits: LimitConfig.parse({ perSecond, perChat: { count: 100, windowMs: 1000 } }),
    ...(onRedateFailed ? { onRedateFailed } : {}),
  });
  cleanup.push(async () => {
    await limiter.stop();
    await connection.disconnect(false);
    redis.disconnect();
  });
  return { limiter, redis };
}

/** Half the jobs before the trouble, half after it (new messages keep arriving). */
async function runThrough(limiter: ChannelLimiter, n: number, midway: () => Promise<void>) {
  const done: number[] = [];
  const failures: unknown[] = [];
  const submit = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) =>
      limiter
        .call({ chat: `c${(from + k) % 10}`, group: false }, async () => done.push(from + k))
        .catch((e: unknown) => failures.push(e)),
    );
  const before = submit(0, n / 2);
  while (done.length < n / 4) await new Promise((r) => setTimeout(r, 10));
  await midway();
  const after = submit(n / 2, n);
  await Promise.all([...before, ...after]);
  return { done, failures: failures.map(String) };
}

describe('rate limiters clustered in Redis', () => {
  it('recover by themselves after Redis restarts mid-run (state lost), and every job runs', async () => {
    const server = await startLocalRedis();
    cleanup.push(() => server.stop());
    const { limiter } = await limiterOn(server);
    const { done, failures } = await runThrough(limiter, 150, () => server.restart());
    expect(failures).toEqual([]);
    expect(new Set(done).size).toBe(150);
  });

  it('recover by themselves after Redis is flushed mid-run, and every job runs', async () => {
    const server = await startLocalRedis();
    cleanup.push(() => server.stop());
    const { limiter, redis } = await limiterOn(server);
    const { done, failures } = await runThrough(limiter, 150, async () => {
      await redis.flushall();
    });
    expect(failures).toEqual([]);
    expect(new Set(done).size).toBe(150);
  });

  it('re-dates a send this process got to late, so the next one still keeps a full window away', async () => {
    const server = await startLocalRedis();
    cleanup.push(() => server.stop());
    const { limiter } = await limiterOn(server, { perSecond: 1, wrap: slowFirstAdmission() });
    const sentAt: number[] = [];
    const send = () => limiter.call({ chat: 'c', group: false }, async () => sentAt.push(performance.now()));
    await Promise.all([send(), send()]);
    const [first = 0, second = 0] = sentAt;
    expect(second - first).toBeGreaterThanOrEqual(1000);
  });

  it('still sends a late send whose re-dating fails, and reports the failure', async () => {
    const server = await startLocalRedis();
    cleanup.push(() => server.stop());
    const failures: unknown[] = [];
    const { limiter } = await limiterOn(server, {
      perSecond: 1,
      wrap: slowFirstAdmission({ failTouch: true }),
      onRedateFailed: (error) => failures.push(error),
    });
    let sent = 0;
    await limiter.call({ chat: 'c', group: false }, async () => sent++);
    expect(sent).toBe(1);
    expect(failures).toHaveLength(1);
  });
});

/**
 * Between a limiter and its store: the first admission reaches the sender 300 ms after
 * Redis gave it (as after a GC pause), and with `failTouch` the re-dating that follows fails.
 */
function slowFirstAdmission({ failTouch = false } = {}) {
  let delayNext = true;
  return (redis: Redis) =>
    new Proxy(redis, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop);
        if (typeof value !== 'function') return value;
        if (prop === 'verityWindowTouch' && failTouch)
          return async () => Promise.reject(new Error('touch failed'));
        if (prop !== 'verityWindowGuard') return value.bind(target);
        return async (...args: unknown[]) => {
          const reply: unknown = await value.apply(target, args);
          if (delayNext) await new Promise((r) => setTimeout(r, 300));
          delayNext = false;
          return reply;
        };
      },
    });
}
