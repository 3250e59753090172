/**
 * The whole configuration: `config/verity.yaml` merged with the environment, validated by
 * one schema. Sections that belong to one subsystem live beside this file in sections/;
 * a channel's own settings are validated by its adapter (see src/app/adapters.ts), so a
 * new channel never edits this file.
 */
import { z } from 'zod';
import { Language } from '../core/model.ts';
import { OfficialConfig } from './sections/official.ts';
import { TrustConfig } from './sections/trust.ts';

const Duration = z.number().int().positive();

export const RedisConfig = z
  .object({
    url: z
      .string()
      .regex(/^rediss?:\/\//, 'a redis:// or rediss:// URL')
      .optional(),
    /** Start a private redis-server under `.verity/` when no url is given (newcomers, sandbox). */
    autostart: z.boolean().default(true),
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('verity'),
    /**
     * Conversations are spread over this many hash-tag shards so the store scales out on
     * Redis Cluster. Fixed at install: changing it orphans existing conversations.
     */
    shards: z.number().int().min(1).max(1024).default(16),
    cluster: z.object({ nodes: z.array(z.string()).min(1) }).optional(),
    /** Redis Sentinel: the monitored master's name and the sentinels (`host:port`) that know it. */
    sentinel: z
      .object({
        name: z.string().min(1),
        nodes: z.array(z.string().regex(/^[^:\s]+:\d+$/, 'host:port')).min(1),
        /** REDIS_SENTINEL_PASSWORD: the sentinels' own password, when they require one. */
        password: z.string().min(1).optional(),
      })
      .optional(),
    /**
     * REDIS_USERNAME / REDIS_PASSWORD: the servers' ACL user and password, for a Cluster or
     * a Sentinel-watched master (a single server's URL can carry them itself).
     */
    username: z.string().min(1).optional(),
    password: z.string().min(1).optional(),
  })
  .refine((redis) => !(redis.cluster && redis.sentinel), {
    message: 'a Redis Cluster or a Sentinel-watched master, not both',
    path: ['sentinel'],
  });

export const StoreConfig = z.object({
  retention: z
    .object({
      /** Resolved conversations and their messages are deleted this many days after resolution. */
      resolvedDays: z.number().positive().default(90),
      /**
       * How long the id of an edit, button press or member event, and of an emitted or
       * appended bot message, is remembered for dropping repeats. An inbound message needs
       * no mark: its platform id in its conversation drops a redelivery while the
       * conversation exists.
       */
      dedupeHours: z.number().positive().default(168),
    })
    .prefault({}),
});

export const BusConfig = z.object({
  /** A pending entry idle this long is taken over from its (presumed dead) consumer. */
  claimIdleMs: Duration.default(30_000),
  /**
   * How long a router's or delivery process's hold on a shard outlives its last renewal
   * (every third of it): one that dies has its shards, and the entries it left pending,
   * taken over after this.
   */
  leaseMs: Duration.default(10_000),
  /** Attempts before an entry is moved to the dead-letter stream. */
  maxAttempts: z.number().int().min(1).max(100).default(5),
  /** Approximate cap per stream; older entries are trimmed. */
  maxLen: z.number().int().min(1000).default(100_000),
  batchSize: z.number().int().min(1).max(1000).default(64),
});

export const LimitConfig = z.object({
  /** Per bot, across every process of the deployment. */
  perSecond: z.number().positive(),
  /** Per chat or channel: `count` sends per `windowMs`. */
  perChat: z.object({ count: z.number().int().positive(), windowMs: Duration }),
  /** Group chats, where the platform is stricter. */
  perGroup: z.object({ count: z.number().int().positive(), windowMs: Duration }).optional(),
  /**
   * How much later a send may leave than the moment it was admitted (event-loop lag,
   * network jitter): every window is widened by it. Larger is safer and slower.
   */
  marginMs: z.number().int().min(0).max(1000).default(20),
});
export type LimitConfig = z.infer<typeof LimitConfig>;

export const DEFAULT_LIMITS: Record<string, z.input<typeof LimitConfig>> = {
  telegram: {
    perSecond: 30,
    perChat: { count: 1, windowMs: 1000 },
    perGroup: { count: 20, windowMs: 60_000 },
  },
  discord: { perSecond: 50, perChat: { count: 5, windowMs: 5000 } },
  wechat: { perSecond: 10, perChat: { count: 1, windowMs: 1000 } },
};

export const ChannelConfig = z
  .object({
    enabled: z.boolean().default(true),
    /** The platform's limits; `off` sends without any limiter (a self-hosted server with none, a benchmark). */
    limits: z.union([LimitConfig, z.literal('off')]).optional(),
  })
  .catchall(z.unknown());

export const InboxConfig = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65_535).default(8080),
  /** Public base URL, for links and secure cookies behind TLS. */
  publicUrl: z.url().optional(),
});

export const LogConfig = z.object({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export const VerityConfig = z.object({
  organization: z.object({
    name: z.string().min(1),
    timezone: z.string().default('UTC'),
  }),
  official: OfficialConfig,
  languages: z
    .object({
      default: Language.default('en'),
      supported: z.array(Language).min(1).default(['en', 'zh']),
    })
    .prefault({}),
  redis: RedisConfig.prefault({}),
  store: StoreConfig.prefault({}),
  bus: BusConfig.prefault({}),
  channels: z.record(z.string(), ChannelConfig).default({}),
  inbox: InboxConfig.prefault({}),
  log: LogConfig.prefault({}),
  trust: TrustConfig.prefault({}),
  /** Owned by the support subsystem and validated there (src/support/config.ts), with every default. */
  support: z.record(z.string(), z.unknown()).default({}),
});
export type VerityConfig = z.infer<typeof VerityConfig>;
export type VerityConfigInput = z.input<typeof VerityConfig>;
