/**
 * Redis connections. One factory so every role connects the same way (single node or
 * Cluster), with the scripts defined.
 *
 * ioredis 5, not 6: 6.0's own RESP decoder cost ~40 % more CPU per command than 5's
 * redis-parser here (5.3–5.5 vs 8.3–9.7 µs per pipelined SET/GET/HGETALL, same machine,
 * alternating runs), and the pipeline is bound by exactly that. Version 5 speaks RESP2,
 * which the store's reply handling assumes.
 *
 * Auto-pipelining is off on a single node. It queues every command for the next tick and
 * sends each tick's commands as a pipeline, which pays off only for many commands issued at
 * once; the roles issue a few per message as messages arrive, and there its bookkeeping cost
 * more than it saved. Four alternating pairs of pipeline-bench runs, on then off: 3,290-3,980
 * against 3,680-5,410 messages/s, p50 at 1,000/s 2.4-3.2 against 1.1-1.6 ms, p99 21-33
 * against 6-18 ms; three Telegram pairs: 1,680-1,750 against 1,840-1,910 messages/s. (The
 * ingest bench sends explicit pipelines, which auto-pipelining does not change.)
 */
import { Cluster, Redis } from 'ioredis';
import { defineScripts } from './scripts.ts';

export interface RedisTarget {
  url: string;
  cluster?: { nodes: string[] } | undefined;
  /** The master Sentinel watches, found (and followed across failovers) by ioredis. */
  sentinel?: { name: string; nodes: string[]; password?: string | undefined } | undefined;
  /** The servers' ACL user and password (a single server's URL may carry them instead). */
  username?: string | undefined;
  password?: string | undefined;
}

/** ioredis's credential options, only those that are set. */
function credentials(target: RedisTarget): { username?: string; password?: string } {
  return {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
  };
}

/**
 * Hands the socket each turn of the event loop's commands in one write. Without it every
 * command is its own write syscall, which took 17 % of the pipeline bench's CPU with
 * auto-pipelining off. The socket stays corked until `setImmediate`, i.e. until every I/O
 * callback of this loop turn (and its promise continuations) has run: on the Telegram path
 * that is 0.1 writes per message against 1.37 when uncorking at `process.nextTick` (which
 * covers only the one callback that issued the command), and the profile's Redis writes
 * fell from ~10 % of this process's CPU to ~2 %. An idle loop reaches the check phase at
 * once, so a lone command waits no longer than before (pipeline bench p50 at 1,000/s:
 * 0.70-0.77 ms either way). Unlike auto-pipelining it adds no per-command bookkeeping.
 */
class TurnBatchedRedis extends Redis {
  #corked = false;

  override sendCommand(...args: Parameters<Redis['sendCommand']>): unknown {
    const socket = this.stream;
    if (!args[1] && !this.#corked && this.status === 'ready' && socket) {
      this.#corked = true;
      socket.cork();
      setImmediate(() => {
        this.#corked = false;
        socket.uncork();
      });
    }
    return super.sendCommand(...args);
  }
}

const COMMON = {
  maxRetriesPerRequest: null,
  connectionName: 'verity',
};

/**
 * The client type the store works with. A Cluster exposes the same commands; it is
 * narrowed to `Redis` at this one seam because ioredis types them as separate classes.
 */
export function connectRedis(target: RedisTarget, name = 'verity'): Redis {
  if (target.cluster) {
    const cluster = new Cluster(target.cluster.nodes, {
      redisOptions: { connectionName: name, ...credentials(target) },
      scaleReads: 'master',
      maxRedirections: 100,
      retryDelayOnFailover: 300,
      retryDelayOnClusterDown: 300,
      retryDelayOnMoved: 100,
      slotsRefreshInterval: 5000,
      // The nodes' connections are ioredis's own, so the loop-turn batching below cannot apply;
      // auto-pipelining batches there instead (not measured: no Cluster on the bench machine).
      enableAutoPipelining: true,
    });
    defineScripts(cluster as unknown as Redis);
    return cluster as unknown as Redis;
  }
  const redis = target.sentinel
    ? new TurnBatchedRedis({
        ...COMMON,
        ...credentials(target),
        connectionName: name,
        name: target.sentinel.name,
        sentinels: target.sentinel.nodes.map((node) => {
          const [host = '', port = ''] = node.split(':');
          return { host, port: Number(port) };
        }),
        ...(target.sentinel.password ? { sentinelPassword: target.sentinel.password } : {}),
      })
    : new TurnBatchedRedis(target.url, { ...COMMON, ...credentials(target), connectionName: name });
  // ioredis reconnects by itself; a lost connection shows in /readyz and in the commands
  // that fail, so the event needs no handler beyond keeping ioredis from printing it.
  redis.on('error', () => {});
  defineScripts(redis);
  return redis;
}

/** Whether `redis` is a Redis Cluster client (typed as `Redis` at the seam above). */
export function isCluster(redis: Redis): boolean {
  return (redis as unknown as { isCluster?: boolean }).isCluster === true;
}

/**
 * A second connection to the same deployment, with the scripts defined: for blocking reads
 * (XREADGROUP BLOCK), subscriptions and bottleneck, which must not queue behind or inside
 * other commands, so it never auto-pipelines. A Cluster's `duplicate` takes seed nodes and
 * Cluster options, a single node's takes connection options: the one place that knows.
 */
export function duplicateConnection(redis: Redis, name: string): Redis {
  const copy = isCluster(redis)
    ? (redis as unknown as Cluster).duplicate([], {
        redisOptions: { ...(redis as unknown as Cluster).options.redisOptions, connectionName: name },
        enableAutoPipelining: false,
      })
    : redis.duplicate({ connectionName: name, enableAutoPipelining: false });
  copy.on('error', () => {});
  defineScripts(copy as unknown as Redis);
  return copy as unknown as Redis;
}
