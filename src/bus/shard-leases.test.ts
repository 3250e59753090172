import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/pipeline.ts';
import { scopedTestStore } from '../../test/support/redis.ts';
import { createLogger } from '../ops/logger.ts';
import { ShardLeases } from './shard-leases.ts';

/**
 * A router's leases over 8 shards, recording which shards it reads. Giving shards up waits
 * for `drained`, as a consumer waits for the work it took from them; the first `failTakes`
 * takes fail; `redis` replaces the store's client.
 */
function router(
  store: ReturnType<typeof scopedTestStore>['store'],
  owner: string,
  {
    drained,
    failTakes = 0,
    redis = store.redis,
  }: { drained?: Promise<void>; failTakes?: number; redis?: Redis } = {},
) {
  const reading = new Set<number>();
  let failures = 0;
  const held: number[] = [];
  const leases = new ShardLeases({
    redis,
    shards: store.keys.shards,
    lease: (shard) => store.keys.routerLease(shard),
    members: store.keys.routers(),
    owner,
    leaseMs: 600,
    logger: createLogger('silent'),
    take: async (shards) => {
      if (failures < failTakes) {
        failures++;
        throw new Error('Redis went away');
      }
      for (const shard of shards) reading.add(shard);
    },
    give: async (shards) => {
      await drained;
      for (const shard of shards) reading.delete(shard);
    },
    onHeld: (count) => held.push(count),
  });
  return { leases, reading, held, failed: () => failures };
}

describe('shard leases', () => {
  it('give every shard exactly one reader as routers come, stop and die', async () => {
    const { store } = scopedTestStore({ shards: 8 });
    const routers = ['a', 'b', 'c'].map((owner) => router(store, owner));
    const [a, b, c] = routers as [
      ReturnType<typeof router>,
      ReturnType<typeof router>,
      ReturnType<typeof router>,
    ];
    const readers = (of: Array<ReturnType<typeof router>>) =>
      store.keys.allShards().map((shard) => of.filter((r) => r.reading.has(shard)).length);

    await a.leases.start();
    expect(a.reading.size).toBe(8);
    expect(a.held).toEqual([8]);
    await b.leases.start();
    await c.leases.start();
    // Three routers: shares of ceil(8 / 3) = 3, reached within a few rounds, never a shard read twice.
    await waitFor(() => readers(routers).every((n) => n === 1) && a.reading.size <= 3, 10_000, 'even shares');
    expect(routers.map((r) => r.reading.size).sort()).toEqual([2, 3, 3]);

    // A clean stop gives its shards up; the two left take them within a round or two.
    await b.leases.stop(async () => {});
    await waitFor(() => readers([a, c]).every((n) => n === 1), 10_000, 'b handed over');

    await c.leases.stop(async () => {});
    await a.leases.stop(async () => {});

    // A router that died holding shards 0-3 (its leases and its place in the set still
    // there): the next one takes the rest at once, and those four once they lapse.
    const { redis, keys } = store;
    await redis.zadd(keys.routers(), Date.now() + 600, 'ghost');
    for (const shard of [0, 1, 2, 3]) await redis.set(keys.routerLease(shard), 'ghost', 'PX', 600);
    const survivor = router(store, 'd');
    await survivor.leases.start();
    expect([...survivor.reading].sort()).toEqual([4, 5, 6, 7]);
    await waitFor(() => survivor.reading.size === 8, 10_000, "the dead router's shards taken over");
    for (const shard of keys.allShards()) expect(await redis.get(keys.routerLease(shard))).toBe('d');
    await survivor.leases.stop(async () => {});
    expect(survivor.held.at(-1)).toBe(0);
    expect(await store.redis.exists(...store.keys.allShards().map((s) => store.keys.routerLease(s)))).toBe(0);
    expect(await store.redis.zcard(store.keys.routers())).toBe(0);
  });

  it('keep renewing every lease while shards being given up drain, however long that takes', async () => {
    const { store } = scopedTestStore({ shards: 8 });
    let drain = () => {};
    const a = router(store, 'a', { drained: new Promise<void>((resolve) => (drain = resolve)) });
    const b = router(store, 'b');
    await a.leases.start();
    await b.leases.start();
    await waitFor(async () => (await store.redis.zcard(store.keys.routers())) === 2, 5000, 'two routers');
    // Work taken from the four shards a gives up outlasts its leases (600 ms) several times over.
    await new Promise((r) => setTimeout(r, 2000));
    expect(a.reading.size).toBe(8);
    expect(b.reading.size).toBe(0);
    for (const shard of store.keys.allShards()) {
      expect(await store.redis.get(store.keys.routerLease(shard))).toBe('a');
    }
    drain();
    await waitFor(() => a.reading.size === 4 && b.reading.size === 4, 5000, 'the four handed over');
    expect([...a.reading].some((shard) => b.reading.has(shard))).toBe(false);
    await a.leases.stop(async () => {});
    await b.leases.stop(async () => {});
  });

  it('give back shards they failed to start reading, and take them in a later round', async () => {
    const { store } = scopedTestStore({ shards: 8 });
    const a = router(store, 'a');
    const b = router(store, 'b', { failTakes: 1 });
    await a.leases.start();
    await b.leases.start();
    // b's first take of the four a gives up fails; its next round takes them.
    await waitFor(
      () => b.reading.size === 4 && a.reading.size === 4,
      10_000,
      'the four taken after a failure',
    );
    expect(b.failed()).toBe(1);
    expect([...a.reading].some((shard) => b.reading.has(shard))).toBe(false);
    await a.leases.stop(async () => {});
    await b.leases.stop(async () => {});
  });

  it('count a lease lapsed from the moment it may have, before Redis says so, and take it again later', async () => {
    const { store } = scopedTestStore({ shards: 8 });
    const a = router(store, 'a');
    await a.leases.start();
    expect(store.keys.allShards().every((shard) => a.leases.holds(shard))).toBe(true);
    // A stall past the lease (a long GC pause, a frozen VM): no renewal could run.
    const until = performance.now() + 700;
    while (performance.now() < until);
    expect(store.keys.allShards().some((shard) => a.leases.holds(shard))).toBe(false);
    // Its next round finds them lapsed in Redis too, so they are surely lost.
    expect(await a.leases.confirm(0)).toBe(false);
    await waitFor(() => a.leases.holds(0), 5000, 'shard 0 taken again');
    expect(await a.leases.confirm(0)).toBe(true);
    await a.leases.stop(async () => {});
    expect(a.leases.holds(0)).toBe(false);
  });

  it('keep renewing while stopping, so that a drain longer than a lease loses none', async () => {
    const { store } = scopedTestStore({ shards: 8 });
    const a = router(store, 'a');
    await a.leases.start();
    const stopped = a.leases.stop(() => new Promise((r) => setTimeout(r, 2000)));
    await new Promise((r) => setTimeout(r, 1500));
    expect(store.keys.allShards().every((shard) => a.leases.holds(shard))).toBe(true);
    expect(await store.redis.get(store.keys.routerLease(0))).toBe('a');
    await stopped;
    expect(await store.redis.exists(store.keys.routerLease(0))).toBe(0);
  });

  it('wait for the next round when a renewal is only late, and go on holding what it renewed', async () => {
    const { store } = scopedTestStore({ shards: 8 });
    // One round's renewals reach Redis at once, but their answers come back late (a slow
    // network): after the lease counted from the round before has lapsed here (~390 ms into
    // this round), before the one they renewed lapses in Redis.
    let lateAnswers = 0;
    const redis = new Proxy(store.redis, {
      get(target, prop) {
        const value: unknown = Reflect.get(target, prop);
        if (typeof value !== 'function') return value;
        if (prop !== 'verityLeaseRenew') return value.bind(target);
        return async (...args: unknown[]) => {
          const answer: unknown = await value.apply(target, args);
          if (lateAnswers > 0) {
            lateAnswers--;
            await new Promise((r) => setTimeout(r, 480));
          }
          return answer;
        };
      },
    });
    const a = router(store, 'a', { redis });
    await a.leases.start();
    lateAnswers = 8;
    await waitFor(() => !a.leases.holds(0), 5000, 'the lease to seem lapsed');
    expect(await a.leases.confirm(0)).toBe(true);
    expect(a.leases.holds(0)).toBe(true);
    expect(a.reading.size).toBe(8);
    expect(await store.redis.get(store.keys.routerLease(0))).toBe('a');
    // The next round starts at once, not a third of a lease after the slow one: in time to
    // renew before the leases lapse in Redis, so none was ever given up.
    await new Promise((r) => setTimeout(r, 1000));
    expect(a.held.every((count) => count === 8)).toBe(true);
    await a.leases.stop(async () => {});
  });
});
