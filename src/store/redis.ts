/**
 * Redis connections. One factory so every role connects the same way (single node or
 * Cluster), with the scripts defined and RESP2 (measurably faster for pipelines here, see
 * ../shared/platform-notes.md).
 */
import { Cluster, Redis } from 'ioredis';
import { defineScripts } from './scripts.ts';

export interface RedisTarget {
  url: string;
  cluster?: { nodes: string[] } | undefined;
}

const COMMON = {
  protocol: 2 as const,
  maxRetriesPerRequest: null,
  enableAutoPipelining: true,
  connectionName: 'verity',
};

/**
 * The client type the store works with. A Cluster exposes the same commands; it is
 * narrowed to `Redis` at this one seam because ioredis types them as separate classes.
 */
export function connectRedis(target: RedisTarget, name = 'verity'): Redis {
  if (target.cluster) {
    const cluster = new Cluster(target.cluster.nodes, {
      redisOptions: { protocol: 2, connectionName: name },
      scaleReads: 'master',
      maxRedirections: 100,
      retryDelayOnFailover: 300,
      retryDelayOnClusterDown: 300,
      retryDelayOnMoved: 100,
      slotsRefreshInterval: 5000,
      enableAutoPipelining: true,
    });
    defineScripts(cluster as unknown as Redis);
    return cluster as unknown as Redis;
  }
  const redis = new Redis(target.url, { ...COMMON, connectionName: name });
  // ioredis reconnects by itself; a lost connection shows in /readyz and in the commands
  // that fail, so the event needs no handler beyond keeping ioredis from printing it.
  redis.on('error', () => {});
  defineScripts(redis);
  return redis;
}

/** A dedicated connection for blocking reads (XREADGROUP BLOCK), so they never queue other commands. */
export function duplicateForBlocking(redis: Redis, name: string): Redis {
  const copy = redis.duplicate({ connectionName: name, enableAutoPipelining: false });
  copy.on('error', () => {});
  defineScripts(copy);
  return copy;
}
