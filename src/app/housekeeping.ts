/**
 * Periodic work of a running process: the stream gauges Prometheus scrapes (lag and
 * pending per stream, limiter queues), and, in router processes, the retention purge of
 * resolved conversations. Failures are logged and retried on the next tick.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Limiter } from '../delivery/limiter.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { ConversationStore } from '../store/conversations.ts';

export interface HousekeepingOptions {
  redis: Redis;
  store: ConversationStore;
  metrics: Metrics;
  logger: Logger;
  /** Streams to report, with the consumer group whose lag counts. */
  streams: () => Array<{ stream: string; group: string }>;
  limiters: () => Array<{ channel: string; limiter: Limiter }>;
  /** Days after resolution; undefined in processes that do not purge. */
  retentionDays?: number;
  gaugeMs?: number;
  purgeMs?: number;
}

export function startHousekeeping(options: HousekeepingOptions): () => void {
  const { redis, store, metrics, logger } = options;
  const gauges = async () => {
    for (const { stream, group } of options.streams()) {
      const groups: unknown = await redis.xinfo('GROUPS', stream).catch(() => []);
      const info = Array.isArray(groups) ? groups.map(toRecord).find((g) => g.name === group) : undefined;
      if (!info) continue;
      metrics.streamLag.set({ stream }, Number(info.lag ?? 0));
      metrics.streamPending.set({ stream }, Number(info.pending ?? 0));
    }
    for (const { channel, limiter } of options.limiters())
      metrics.limiterQueued.set({ channel }, limiter.queued());
  };
  const purge = async () => {
    if (options.retentionDays === undefined) return;
    const purged = await store.purgeResolved(Date.now() - options.retentionDays * 86_400_000);
    if (purged) logger.info({ purged }, 'retention: resolved conversations deleted');
  };
  const every = (ms: number, task: () => Promise<void>, what: string) => {
    const timer = setInterval(
      () => task().catch((err: unknown) => logger.warn({ err }, `${what} failed`)),
      ms,
    );
    timer.unref();
    return timer;
  };
  const timers = [
    every(options.gaugeMs ?? 10_000, gauges, 'stream gauges'),
    every(options.purgeMs ?? 3_600_000, purge, 'retention purge'),
  ];
  return () => {
    for (const t of timers) clearInterval(t);
  };
}

/** XINFO replies are flat [name, value, …] arrays in RESP2. */
function toRecord(row: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(row)) return out;
  for (let i = 0; i + 1 < row.length; i += 2) out[String(row[i])] = row[i + 1];
  return out;
}
