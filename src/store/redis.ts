/**
 * Redis connections. One factory so every role connects the same way (single node or
 * Cluster), with the scripts defined.
 *
 * ioredis 5, not 6: 6.0's own RESP decoder cost ~40 % more CPU per command than 5's
 * redis-parser here (5.3–5.5 vs 8.3–9.7 µs per pipelined SET/GET/HGETALL, same machine,
 * alternating runs), and the pipeline is bound by exactly that. Version 5 speaks RESP2,
 * which the store's reply handling assumes.
 */
import { Cluster, Redis } from 'ioredis';
import { defineScripts } from './scripts.ts';

export interface RedisTarget {
  url: string;
  cluster?: { nodes: string[] } | undefined;
}

const COMMON = {
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
      redisOptions: { connectionName: name },
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
