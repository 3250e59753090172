/**
 * What the router's handlers stand on, built once per process from the configuration:
 * the trust scanner with the scam registry synced from Redis, the verification-code
 * ledger, the knowledge base and templates, and the support flows with their periodic
 * sweeps and the hook that runs when an agent resolves a conversation.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { StreamConsumer } from '../bus/consumer.ts';
import { decodeLiveEntry, LivePublisher } from '../bus/live.ts';
import { OutboundQueue } from '../bus/outbound.ts';
import type { Env } from '../config/load.ts';
import type { VerityConfig } from '../config/schema.ts';
import { trustEnricher } from '../guard/enrich.ts';
import { guardMiddleware } from '../guard/middleware.ts';
import { groupHolder, verificationMessage } from '../guard/verification.ts';
import type { Enricher } from '../ingest/sink.ts';
import { Composer, type Middleware } from '../router/composer.ts';
import type { RouterContext } from '../router/context.ts';
import { ConversationStore } from '../store/conversations.ts';
import { connectRedis } from '../store/redis.ts';
import { SupportConfig } from '../support/config.ts';
import { createSupport, type Support } from '../support/flows/index.ts';
import { loadSupportData } from '../support/load.ts';
import { formatTicket } from '../support/ticket.ts';
import { CodeLedger, VerificationCodes } from '../trust/codes.ts';
import { ScamRegistry } from '../trust/registry.ts';
import { TrustScanner } from '../trust/scanner.ts';

export interface Services {
  middleware: Middleware<RouterContext>;
  enrich: Enricher;
  registry: ScamRegistry;
  scanner: TrustScanner;
  ledger: CodeLedger;
  support: Support;
  /** Emits the scheduled verification messages due at `now` (the background timer calls it). */
  scheduledVerification(now: number): Promise<void>;
  /** How ticket numbers are written (the support section's prefix). */
  ticketFormat: (n: number) => string;
  /** Sweeps and the resolve hook; call in processes that run the router role. */
  startBackground(consumer: string): Promise<void>;
  stop(): Promise<void>;
}

const SWEEP_MS = 15_000;

export async function createServices(options: {
  config: VerityConfig;
  env: Env;
  redisUrl: string;
  logger: Logger;
}): Promise<Services> {
  const { config, env, logger } = options;
  const redis = connectRedis({ ...config.redis, url: options.redisUrl }, 'verity-services');
  const store = new ConversationStore(redis, {
    prefix: config.redis.keyPrefix,
    shards: config.redis.shards,
    dedupeSeconds: Math.round(config.store.retention.dedupeHours * 3600),
    streamMaxLen: config.bus.maxLen,
  });
  const live = new LivePublisher(redis, store.keys);
  const outbound = new OutboundQueue(redis, store.keys, {
    markSeconds: Math.round(config.store.retention.dedupeHours * 3600),
    maxLen: config.bus.maxLen,
  });
  const trustPrefix = store.keys.namespace('trust');
  const registry = new ScamRegistry({ redis, prefix: trustPrefix, logger });
  await registry.start();
  const scanner = new TrustScanner(config.official, registry.index);
  const ledger = new CodeLedger(
    redis,
    trustPrefix,
    new VerificationCodes({ secret: await codeSecret(redis, trustPrefix, env, logger) }),
  );

  const supportConfig = SupportConfig.parse(config.support);
  const { matcher, templates } = loadSupportData(supportConfig, config.languages);
  const support = createSupport({
    matcher,
    templates,
    config: supportConfig,
    languages: config.languages,
    org: config.organization.name,
    store,
    live,
    logger: logger.child({ part: 'support' }),
  });
  const guard = guardMiddleware({
    organization: config.organization.name,
    official: config.official,
    scanner,
    registry,
    ledger,
    templates,
    languages: config.languages,
    live,
    logger: logger.child({ part: 'trust' }),
    deleteInGroups: config.trust.deleteInGroups,
  });
  const report = (error: unknown, ctx: RouterContext) =>
    logger.error({ err: error, eventId: ctx.event.eventId, channel: ctx.event.channel }, 'handler failed');
  const middleware = new Composer<RouterContext>()
    .errorBoundary(report, guard)
    .errorBoundary(report, support.middleware)
    .middleware();

  // Each period's message has one id, so however many routers run, a group gets it once.
  const scheduledVerification = async (now: number) => {
    for (const group of config.trust.verificationSchedule) {
      const period = group.everyHours * 3_600_000;
      const reply = await verificationMessage(
        { organization: config.organization.name, official: config.official, templates, ledger },
        groupHolder(group.channel, group.threadKey),
        group.language ?? config.languages.default,
      );
      await outbound.emit({
        type: 'send',
        id: `verify-schedule:${group.channel}:${group.threadKey}:${Math.floor(now / period)}`,
        channel: group.channel,
        threadKey: group.threadKey,
        text: reply.text,
        style: 'verification',
      });
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let hooks: StreamConsumer | undefined;
  return {
    middleware,
    enrich: trustEnricher(scanner),
    registry,
    scanner,
    ledger,
    support,
    scheduledVerification,
    ticketFormat: (n) => formatTicket(supportConfig.ticketPrefix, n),
    async startBackground(consumer) {
      timer = setInterval(() => {
        support.sweep().catch((err: unknown) => logger.warn({ err }, 'support sweep failed'));
        scheduledVerification(Date.now()).catch((err: unknown) =>
          logger.warn({ err }, 'scheduled verification failed'),
        );
      }, SWEEP_MS);
      timer.unref();
      // One router handles each resolution (a consumer group), however many run.
      hooks = new StreamConsumer({
        redis,
        streams: [store.keys.liveStream()],
        group: 'support:resolved',
        startAt: '$',
        consumer,
        deadLetters: store.keys.deadLetters(),
        logger,
        handle: async (entry) => {
          for (const event of decodeLiveEntry(entry.fields.e)) {
            if (event.type === 'conversation' && event.conversationId && event.data.status === 'resolved')
              await support.onConversationResolved(event.conversationId);
          }
        },
      });
      await hooks.start();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await hooks?.stop();
      await registry.stop();
      redis.disconnect();
    },
  };
}

/**
 * The HMAC secret of verification codes: VERITY_CODE_SECRET in production; otherwise one
 * random secret kept in Redis, shared by every process (so codes verify anywhere).
 */
async function codeSecret(redis: Redis, prefix: string, env: Env, logger: Logger): Promise<string> {
  if (env.VERITY_CODE_SECRET) return env.VERITY_CODE_SECRET;
  const key = `${prefix}code-secret`;
  await redis.set(key, randomBytes(32).toString('base64url'), 'NX');
  logger.warn('VERITY_CODE_SECRET is not set: verification codes use a secret kept in Redis');
  return (await redis.get(key)) ?? '';
}
