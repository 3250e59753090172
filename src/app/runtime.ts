/**
 * One Verity process: the roles it was asked to run (router, inbox, adapter:<channel>),
 * wired to one Redis. `verity start` runs them all in one process; a large deployment runs
 * subsets on many machines. Stopping drains: no new work is taken, work in flight finishes
 * and is acknowledged, connections close.
 */
import { hostname } from 'node:os';
import type Bottleneck from 'bottleneck';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LivePublisher } from '../bus/live.ts';
import { OutboundQueue } from '../bus/outbound.ts';
import { DEFAULT_LIMITS, LimitConfig, type VerityConfig } from '../config/schema.ts';
import type { AdapterHealth, ChannelAdapter } from '../core/channel.ts';
import { ChannelLimiter, type Limiter, limiterConnection, NO_LIMITS } from '../delivery/limiter.ts';
import { DeliveryWorker, deliveryGroup } from '../delivery/worker.ts';
import { type Enricher, StoreSink } from '../ingest/sink.ts';
import { Metrics } from '../ops/metrics.ts';
import type { Middleware } from '../router/composer.ts';
import type { RouterContext } from '../router/context.ts';
import { ROUTER_GROUP, Router } from '../router/router.ts';
import { ConversationStore } from '../store/conversations.ts';
import { connectRedis, duplicateConnection } from '../store/redis.ts';
import { startHousekeeping } from './housekeeping.ts';

export type Role = 'router' | 'inbox' | `adapter:${string}`;

export interface RuntimeOptions {
  config: VerityConfig;
  redisUrl: string;
  roles: Role[];
  adapters: ChannelAdapter[];
  middleware: Middleware<RouterContext>;
  logger: Logger;
  metrics?: Metrics;
  enrich?: Enricher;
  /** Unique per process; defaults to host:pid. */
  consumerName?: string;
  /** Shorter blocking reads make tests and benchmarks react faster. */
  blockMs?: number;
}

interface ChannelParts {
  adapter: ChannelAdapter;
  limiter: Limiter;
  delivery: DeliveryWorker;
  started: boolean;
  error?: string;
}

export class Runtime {
  readonly redis: Redis;
  readonly store: ConversationStore;
  readonly metrics: Metrics;
  readonly live: LivePublisher;
  readonly outbound: OutboundQueue;
  readonly sink: StoreSink;
  private router: Router | undefined;
  private readonly channels = new Map<string, ChannelParts>();
  private connection: Bottleneck.IORedisConnection | undefined;
  private state: 'new' | 'running' | 'stopping' | 'stopped' = 'new';
  private stopHousekeeping: (() => void) | undefined;

  constructor(private readonly options: RuntimeOptions) {
    const { config } = options;
    this.redis = connectRedis({ ...config.redis, url: options.redisUrl });
    this.metrics = options.metrics ?? new Metrics();
    this.store = new ConversationStore(this.redis, {
      prefix: config.redis.keyPrefix,
      shards: config.redis.shards,
      dedupeSeconds: Math.round(config.store.retention.dedupeHours * 3600),
      streamMaxLen: config.bus.maxLen,
    });
    this.live = new LivePublisher(this.redis, this.store.keys);
    this.outbound = new OutboundQueue(this.redis, this.store.keys, {
      markSeconds: Math.round(config.store.retention.dedupeHours * 3600),
      maxLen: config.bus.maxLen,
    });
    this.sink = new StoreSink({
      store: this.store,
      live: this.live,
      logger: options.logger,
      metrics: this.metrics,
      ...(options.enrich ? { enrich: options.enrich } : {}),
    });
  }

  get consumer(): string {
    return this.options.consumerName ?? `${hostname()}:${process.pid}`;
  }

  async start(): Promise<void> {
    const { roles, config, logger } = this.options;
    this.state = 'running';
    if (roles.includes('router')) {
      this.router = new Router({
        redis: this.redis,
        store: this.store,
        outbound: this.outbound,
        live: this.live,
        middleware: this.options.middleware,
        logger,
        metrics: this.metrics,
        consumer: this.consumer,
        bus: config.bus,
        ...(this.options.blockMs ? { blockMs: this.options.blockMs } : {}),
      });
      await this.router.start();
    }
    for (const adapter of this.options.adapters) {
      if (!roles.includes(`adapter:${adapter.channel}`)) continue;
      await this.startChannel(adapter);
    }
    this.stopHousekeeping = startHousekeeping({
      redis: this.redis,
      store: this.store,
      metrics: this.metrics,
      logger,
      streams: () => [
        ...(this.router
          ? this.store.keys
              .allShards()
              .map((s) => ({ stream: this.store.keys.inboundStream(s), group: ROUTER_GROUP }))
          : []),
        ...[...this.channels.keys()].map((c) => ({
          stream: this.store.keys.outboundStream(c),
          group: deliveryGroup(c),
        })),
      ],
      limiters: () => [...this.channels].map(([channel, parts]) => ({ channel, limiter: parts.limiter })),
      ...(this.router ? { retentionDays: config.store.retention.resolvedDays } : {}),
    });
    logger.info({ roles, consumer: this.consumer }, 'verity started');
  }

  /**
   * A channel that fails to start is reported in health and leaves the others running:
   * one platform's outage must not take support down on the rest.
   */
  private async startChannel(adapter: ChannelAdapter): Promise<void> {
    const { config, logger } = this.options;
    const configured = config.channels[adapter.channel]?.limits;
    const limiter =
      configured === 'off'
        ? NO_LIMITS
        : new ChannelLimiter(this.limiterConnection(), {
            redis: this.redis,
            keys: this.store.keys,
            channel: adapter.channel,
            limits: configured ?? LimitConfig.parse(DEFAULT_LIMITS[adapter.channel] ?? DEFAULT_LIMITS.wechat),
            onRedateFailed: () => this.metrics.limiterRedateFailures.inc({ channel: adapter.channel }),
          });
    const delivery = new DeliveryWorker({
      redis: this.redis,
      store: this.store,
      adapter,
      limiter,
      live: this.live,
      logger,
      metrics: this.metrics,
      consumer: this.consumer,
      bus: config.bus,
      ...(this.options.blockMs ? { blockMs: this.options.blockMs } : {}),
    });
    const parts: ChannelParts = { adapter, limiter, delivery, started: false };
    this.channels.set(adapter.channel, parts);
    try {
      await adapter.start(this.sink);
      await delivery.start();
      parts.started = true;
    } catch (error) {
      parts.error = error instanceof Error ? error.message : String(error);
      logger.error(
        { err: error, channel: adapter.channel },
        'channel failed to start; the others keep running',
      );
    }
  }

  /**
   * One bottleneck connection per process, of its own: bottleneck defines its scripts on
   * the client it is given, which must not race ioredis auto-pipelining on the shared one.
   */
  private limiterConnection(): Bottleneck.IORedisConnection {
    this.connection ??= limiterConnection(
      duplicateConnection(this.redis, 'verity-limiter'),
      this.options.logger,
    );
    return this.connection;
  }

  health(): { ok: boolean; redis: string; channels: Record<string, AdapterHealth> } {
    const channels: Record<string, AdapterHealth> = {};
    for (const [name, parts] of this.channels) {
      channels[name] = parts.error
        ? { ok: false, detail: `failed to start: ${parts.error}` }
        : parts.adapter.health();
    }
    return {
      ok:
        this.state === 'running' &&
        this.redis.status === 'ready' &&
        Object.values(channels).every((c) => c.ok),
      redis: this.redis.status,
      channels,
    };
  }

  get running(): boolean {
    return this.state === 'running';
  }

  /** Drain: the router and delivery finish and acknowledge what they hold, adapters stop, connections close. */
  async stop(): Promise<void> {
    if (this.state === 'stopping' || this.state === 'stopped') return;
    this.state = 'stopping';
    const { logger } = this.options;
    this.stopHousekeeping?.();
    // Workers first, while adapters can still send what they hold; anything an adapter
    // receives meanwhile is stored and waits in its stream for the next process.
    await Promise.all([
      this.router?.stop(),
      ...[...this.channels.values()].map((c) => c.started && c.delivery.stop()),
    ]);
    await Promise.all([...this.channels.values()].map((c) => (c.started ? c.adapter.stop() : undefined)));
    await Promise.all([...this.channels.values()].map((c) => c.limiter.stop()));
    await this.connection?.disconnect(false);
    await this.redis.quit().catch(() => this.redis.disconnect());
    this.state = 'stopped';
    logger.info('verity stopped');
  }
}
