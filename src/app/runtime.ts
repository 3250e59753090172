/**
 * One Verity process: the roles it was asked to run (router, inbox, and per channel
 * adapter:<channel>, or its halves receive:<channel> and deliver:<channel>), wired to one
 * Redis. `verity start` runs them all in one process; a large deployment runs subsets on
 * many machines. Stopping drains: no new work is taken, work in flight finishes and is
 * acknowledged, connections close.
 */
import { hostname } from 'node:os';
import type Bottleneck from 'bottleneck';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
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

/**
 * `adapter:<channel>` receives from the platform and delivers to it. Its halves run apart
 * where one side must stay single and the other should scale: Telegram long polling admits
 * one receiver per bot (a second getUpdates is refused with 409), while any number of
 * processes may deliver, splitting the channel's outbound streams (by shard) and sharing
 * its rate limits.
 */
export type Role = 'router' | 'inbox' | `adapter:${string}` | `receive:${string}` | `deliver:${string}`;

/** A role as an operator writes it (`--roles`), checked against the forms above. */
export const RoleName = z
  .string()
  .regex(
    /^(router|inbox|(adapter|receive|deliver):[a-z][a-z0-9-]*)$/,
    'router, inbox, adapter:<channel>, receive:<channel> or deliver:<channel>',
  )
  .transform((role) => role as Role);

/** What a process runs of one channel, from its roles. */
export function channelRoles(
  roles: readonly Role[],
  channel: string,
): { receive: boolean; deliver: boolean } {
  const both = roles.includes(`adapter:${channel}`);
  return {
    receive: both || roles.includes(`receive:${channel}`),
    deliver: both || roles.includes(`deliver:${channel}`),
  };
}

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
  /** Absent in a process that only receives. */
  delivery: DeliveryWorker | undefined;
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
      const parts = channelRoles(roles, adapter.channel);
      if (parts.receive || parts.deliver) await this.startChannel(adapter, parts);
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
        ...[...this.channels]
          .filter(([, parts]) => parts.delivery)
          .flatMap(([c]) =>
            this.store.keys
              .allShards()
              .map((s) => ({ stream: this.store.keys.outboundStream(c, s), group: deliveryGroup(c) })),
          ),
      ],
      limiters: () => [...this.channels].map(([channel, parts]) => ({ channel, limiter: parts.limiter })),
      ...(this.router ? { retentionDays: config.store.retention.resolvedDays } : {}),
    });
    logger.info({ roles, consumer: this.consumer }, 'verity started');
  }

  /**
   * A channel that fails to start is reported in health and leaves the others running:
   * one platform's outage must not take support down on the rest. Its limiter and delivery
   * worker are made only once the platform answered: a limiter left initializing in Redis
   * by a channel that never started would fail unseen when the process stops.
   */
  private async startChannel(
    adapter: ChannelAdapter,
    roles: { receive: boolean; deliver: boolean },
  ): Promise<void> {
    const { logger } = this.options;
    const parts: ChannelParts = { adapter, limiter: NO_LIMITS, delivery: undefined, started: false };
    this.channels.set(adapter.channel, parts);
    try {
      if (roles.receive) await adapter.start(this.sink);
      else if (adapter.startSending) await adapter.startSending();
      else
        throw new Error(
          `${adapter.channel} cannot deliver without receiving; run adapter:${adapter.channel}`,
        );
      if (roles.deliver) {
        parts.limiter = this.limiterFor(adapter.channel);
        parts.delivery = this.deliveryFor(adapter, parts.limiter);
        await parts.delivery.start();
      }
      parts.started = true;
    } catch (error) {
      parts.error = error instanceof Error ? error.message : String(error);
      logger.error(
        { err: error, channel: adapter.channel },
        'channel failed to start; the others keep running',
      );
    }
  }

  private limiterFor(channel: string): Limiter {
    const configured = this.options.config.channels[channel]?.limits;
    if (configured === 'off') return NO_LIMITS;
    return new ChannelLimiter(this.limiterConnection(), {
      redis: this.redis,
      keys: this.store.keys,
      channel,
      limits: configured ?? LimitConfig.parse(DEFAULT_LIMITS[channel] ?? DEFAULT_LIMITS.wechat),
      onRedateFailed: () => this.metrics.limiterRedateFailures.inc({ channel }),
    });
  }

  private deliveryFor(adapter: ChannelAdapter, limiter: Limiter): DeliveryWorker {
    const { config, logger } = this.options;
    return new DeliveryWorker({
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
      ...[...this.channels.values()].map((c) => c.started && c.delivery?.stop()),
    ]);
    await Promise.all([...this.channels.values()].map((c) => (c.started ? c.adapter.stop() : undefined)));
    await Promise.all([...this.channels.values()].map((c) => c.limiter.stop()));
    await this.connection?.disconnect(false);
    await this.redis.quit().catch(() => this.redis.disconnect());
    this.state = 'stopped';
    logger.info('verity stopped');
  }
}
