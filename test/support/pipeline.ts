/**
 * A whole Verity pipeline in this process (store, router, delivery through a fake
 * platform), on the test run's Redis under a fresh prefix.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { inject } from 'vitest';
import { type Role, Runtime } from '../../src/app/runtime.ts';
import { parseConfigText } from '../../src/config/load.ts';
import type { VerityConfig } from '../../src/config/schema.ts';
import type { ChannelAdapter } from '../../src/core/channel.ts';
import type { Enricher } from '../../src/ingest/sink.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { Composer, type Middleware } from '../../src/router/composer.ts';
import type { RouterContext } from '../../src/router/context.ts';

/** `bus` is added to the test's bus settings, as YAML flow-map entries (`leaseMs: 600`). */
export function testConfig(prefix: string, overrides = '', bus = ''): VerityConfig {
  return parseConfigText(
    `organization: { name: Test }
official: { name: Test, domains: [example.com] }
redis: { keyPrefix: ${prefix}, shards: 4 }
bus: { claimIdleMs: 1000, maxAttempts: 3, batchSize: 32${bus ? `, ${bus}` : ''} }
channels:
  fake: { limits: { perSecond: 1000, perChat: { count: 1000, windowMs: 1000 } } }
${overrides}`,
    'test.yaml',
  );
}

/** Replies "echo: <text>" to every addressed message: proves the path end to end. */
export function echo(): Middleware<RouterContext> {
  return new Composer<RouterContext>()
    .on('message:addressed', (ctx) => ctx.reply(`echo: ${ctx.text}`))
    .middleware();
}

export interface TestLog {
  lines: Array<Record<string, unknown>>;
  text(): string;
}

export function captureLog(): { logger: ReturnType<typeof createLogger>; log: TestLog } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return {
    logger: createLogger('debug', stream),
    log: { lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') },
  };
}

export function testRuntime(options: {
  adapters: ChannelAdapter[];
  roles?: Role[];
  middleware?: Middleware<RouterContext>;
  prefix?: string;
  config?: string;
  bus?: string;
  consumerName?: string;
  enrich?: Enricher;
}) {
  const prefix = options.prefix ?? `t-${randomUUID().slice(0, 8)}`;
  const { logger, log } = captureLog();
  const runtime = new Runtime({
    config: testConfig(prefix, options.config, options.bus),
    redisUrl: inject('redisUrl'),
    roles: options.roles ?? ['router', ...options.adapters.map((a) => `adapter:${a.channel}` as const)],
    adapters: options.adapters,
    middleware: options.middleware ?? echo(),
    logger,
    blockMs: 50,
    ...(options.consumerName ? { consumerName: options.consumerName } : {}),
    ...(options.enrich ? { enrich: options.enrich } : {}),
  });
  return { runtime, prefix, log };
}

type Falsy = undefined | null | false | 0 | '';

/** Polls `probe` until it returns something truthy, and returns that. */
export async function waitFor<T>(
  probe: () => PromiseLike<T> | T,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<Exclude<T, Falsy>> {
  const deadline = Date.now() + timeoutMs;
  const truthy = (v: T): v is Exclude<T, Falsy> => Boolean(v);
  for (;;) {
    const value = await probe();
    if (truthy(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
