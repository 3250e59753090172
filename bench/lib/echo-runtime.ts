/**
 * What the channel benches (telegram, discord, wechat) run on Verity's side: the router and
 * one channel's adapter role in one process, answering every addressed message with an
 * echo, so the figure measures the path and not the support logic.
 */
import { z } from 'zod';
import { type Role, Runtime } from '../../src/app/runtime.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { ChannelAdapter, InboundSink } from '../../src/core/channel.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { Composer } from '../../src/router/composer.ts';
import type { RouterContext } from '../../src/router/context.ts';

/** Limits out of reach: the limiter stays in the path but never holds a send back. */
export const UNREACHABLE_LIMITS = '{ perSecond: 100000, perChat: { count: 100000, windowMs: 1000 } }';

export function echoRuntime(options: {
  redisUrl: string;
  adapter: ChannelAdapter;
  /** The channel's `limits` setting, as YAML. */
  limits: string;
  logger?: ReturnType<typeof createLogger>;
  /** Default: the router and the whole adapter, in this process. */
  roles?: Role[];
  /** Runtimes of one deployment in several processes share it. */
  keyPrefix?: string;
}): Runtime {
  const { adapter } = options;
  return new Runtime({
    config: parseConfigText(
      `organization: { name: Bench }
official: { name: Bench }
redis: { keyPrefix: ${options.keyPrefix ?? benchPrefix(adapter.channel)}, shards: 16 }
bus: { batchSize: 256, maxLen: 1000000 }
channels:
  ${adapter.channel}: { limits: ${options.limits} }`,
      'bench.yaml',
    ),
    redisUrl: options.redisUrl,
    roles: options.roles ?? ['router', `adapter:${adapter.channel}`],
    adapters: [adapter],
    middleware: new Composer<RouterContext>()
      .on('message:addressed', (ctx) => ctx.reply(`echo: ${ctx.text}`))
      .middleware(),
    logger: options.logger ?? createLogger(process.env.BENCH_LOG ?? 'warn'),
    metrics: new Metrics(),
    blockMs: 20,
  });
}

/**
 * A key prefix of its own for each bench run, about as short as a deployment's (`verity`):
 * every key a message touches carries it: the earlier 28-character prefix sent ~7 % more bytes
 * to Redis on the Telegram path (2,880 against 2,670 a message).
 */
export function benchPrefix(channel: string): string {
  return `${channel.slice(0, 2)}${Date.now().toString(36)}`;
}

/** Strips the rest: the bench reads the text only, and copying the whole event is cost it would charge to Verity. */
const TextEvent = z.object({ text: z.string() });

/** Times each event from injection to the sink's answer, without changing what it does. */
export function timedSink(sink: InboundSink, injectedAt: Map<string, number>, stored: number[]): InboundSink {
  return {
    async ingest(event) {
      const outcome = await sink.ingest(event);
      const parsed = TextEvent.safeParse(event);
      const at = parsed.success ? injectedAt.get(parsed.data.text) : undefined;
      if (at !== undefined) stored.push(Date.now() - at);
      return outcome;
    },
  };
}
