/**
 * Support quality and speed:
 *   - knowledge-base answers on the labelled set in bench/data (top-1 accuracy, correctly
 *     declined), from bench/support-kb.ts;
 *   - the router's handler chain (trust, then support) per message, p50/p99, with every
 *   labelled question sent as a user message through the real pipeline on a private Redis.
 * Baseline, same run: the knowledge-base match alone for the same questions.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Runtime } from '../src/app/runtime.ts';
import { createServices } from '../src/app/services.ts';
import { loadConfig, parseConfigText } from '../src/config/load.ts';
import { InboundEvent } from '../src/core/model.ts';
import { createLogger } from '../src/ops/logger.ts';
import type { Middleware } from '../src/router/composer.ts';
import type { RouterContext } from '../src/router/context.ts';
import { RecordingAdapter } from './lib/recording-adapter.ts';
import { benchRedis } from './lib/redis.ts';
import { jsonLine, percentile, printFigures, round } from './lib/report.ts';
import { run as kbQuality } from './support-kb.ts';

const questions = readFileSync(new URL('./data/support-questions.test.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim())
  .map((l) => String((JSON.parse(l) as { q: unknown }).q));

export async function run(): Promise<Record<string, number | string>> {
  const quality = await kbQuality();
  const server = await benchRedis();
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const base = loadConfig('config/verity.yaml', {}).config;
  const config = parseConfigText(
    `organization: { name: ${base.organization.name} }
official: ${JSON.stringify(base.official)}
redis: { keyPrefix: ${prefix}, shards: 16 }
channels: { bench: { limits: off } }`,
    'bench.yaml',
  );
  const logger = createLogger('warn');
  const services = await createServices({ config, env: {}, redisUrl: server.url, logger });
  const times: number[] = [];
  const timed: Middleware<RouterContext> = async (ctx, next) => {
    const t0 = performance.now();
    await services.middleware(ctx, async () => {});
    times.push(performance.now() - t0);
    await next();
  };
  const adapter = new RecordingAdapter();
  const runtime = new Runtime({
    config,
    redisUrl: server.url,
    roles: ['router', 'adapter:bench'],
    adapters: [adapter],
    middleware: timed,
    enrich: services.enrich,
    logger,
    blockMs: 20,
  });
  await runtime.start();
  try {
    // One message at a time, the next offered once the last was handled: the handling time
    // of a message, not the queueing of many (a batch of chains in flight shares one event
    // loop, so each one's wall time would include the others').
    const rounds = 2;
    for (let r = 0; r < rounds; r++) {
      for (const [i, text] of questions.entries()) {
        const before = times.length;
        await runtime.sink.ingest(
          InboundEvent.parse({
            type: 'message',
            channel: 'bench',
            eventId: `${r}:${i}`,
            thread: { key: `u${r}-${i}`, kind: 'private' },
            sender: { channel: 'bench', userId: `u${r}-${i}` },
            at: Date.now(),
            platformMessageId: `${r}:${i}`,
            text,
          }),
        );
        while (times.length === before) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  } finally {
    await runtime.stop();
    await services.stop();
    await server.stop();
  }
  const sorted = [...times].sort((a, b) => a - b);
  const figures = {
    bench: 'support',
    top1: quality.top1 ?? Number.NaN,
    declinedCorrectly: quality.declinedCorrectly ?? Number.NaN,
    questions: quality.questions ?? Number.NaN,
    p50Ms: round(percentile(sorted, 50), 2),
    p99Ms: round(percentile(sorted, 99), 2),
  };
  printFigures('support: handler chain (trust + support) per user message, through the router', [
    ['messages', sorted.length],
    ['handler chain p50 (ms)', figures.p50Ms],
    ['handler chain p99 (ms)', figures.p99Ms],
    ['knowledge-base match alone p50 (ms), baseline', quality.matchP50Ms ?? Number.NaN],
    ['knowledge-base match alone p99 (ms), baseline', quality.matchP99Ms ?? Number.NaN],
    ['target', 'top-1 >= 0.85'],
  ]);
  jsonLine(figures);
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
