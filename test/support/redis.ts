import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { inject, onTestFinished } from 'vitest';
import { ConversationStore, type StoreOptions } from '../../src/store/conversations.ts';
import { connectRedis } from '../../src/store/redis.ts';

/** A client on the run's Redis and a key prefix no other test uses. */
export function testRedis(): { redis: Redis; prefix: string; url: string } {
  const url = inject('redisUrl');
  return { redis: connectRedis({ url }, 'verity-test'), prefix: `t-${randomUUID().slice(0, 8)}`, url };
}

export function testStore(options: Partial<StoreOptions> = {}): {
  store: ConversationStore;
  redis: Redis;
  url: string;
} {
  const { redis, prefix, url } = testRedis();
  const store = new ConversationStore(redis, {
    prefix,
    shards: 4,
    dedupeSeconds: 3600,
    streamMaxLen: 100_000,
    ...options,
  });
  return { store, redis, url };
}

/** A test store whose keys are dropped and client closed when the calling test ends. */
export function scopedTestStore(options: Partial<StoreOptions> = {}): {
  store: ConversationStore;
  redis: Redis;
} {
  const { store, redis } = testStore(options);
  onTestFinished(async () => {
    await dropPrefix(redis, store.options.prefix);
    redis.disconnect();
  });
  return { store, redis };
}

/** Delete every key under a prefix (tests share one server). */
export async function dropPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
}
