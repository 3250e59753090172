/**
 * The pipeline end to end: inbound event → ingest → router → outbound stream → delivery
 * (rate limiters included) → platform, in one process on one Redis.
 *   throughput  as fast as events can be offered, limits lifted
 *   latency     at a fixed offered load of 1,000 messages/s, from ingest to send
 *   limiter     delivered rate ÷ configured limit under saturation, and violations
 * Baseline, same run: a bare Redis Streams relay (XADD → XREADGROUP → XACK → XADD) with
 * no logic, which bounds what any Streams pipeline could do here.
 */
import { randomUUID } from 'node:crypto';
import { Runtime } from '../src/app/runtime.ts';
import { parseConfigText } from '../src/config/load.ts';
import { InboundEvent } from '../src/core/model.ts';
import { createLogger } from '../src/ops/logger.ts';
import { Composer } from '../src/router/composer.ts';
import type { RouterContext } from '../src/router/context.ts';
import { connectRedis } from '../src/store/redis.ts';
import { RecordingAdapter } from './lib/recording-adapter.ts';
import { benchRedis } from './lib/redis.ts';
import { jsonLine, percentile, printFigures, round } from './lib/report.ts';

const THROUGHPUT_MESSAGES = Number(process.env.BENCH_PIPELINE_MESSAGES ?? 20_000);
const LATENCY_RATE = 1_000;
const LATENCY_SECONDS = 5;
const LIMIT_PER_SECOND = 100;
const LIMIT_SECONDS = 6;

const echo = new Composer<RouterContext>()
  .on('message:addressed', (ctx) => ctx.reply(`ok ${ctx.text}`))
  .middleware();

function event(n: number, prefix: string, users: number) {
  return InboundEvent.parse({
    type: 'message',
    channel: 'bench',
    eventId: `${prefix}:${n}`,
    thread: { key: `chat-${n % users}`, kind: 'private' },
    sender: { channel: 'bench', userId: `u${n % users}` },
    at: Date.now(),
    platformMessageId: `${prefix}:${n}`,
    text: `message ${n}`,
  });
}

async function withRuntime<T>(
  url: string,
  limits: string,
  run: (rt: Runtime, adapter: RecordingAdapter, prefix: string) => Promise<T>,
) {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const config = parseConfigText(
    `organization: { name: Bench }
official: { name: Bench }
redis: { keyPrefix: ${prefix}, shards: 16 }
bus: { batchSize: 256 }
channels: { bench: { limits: ${limits} } }`,
    'bench.yaml',
  );
  const adapter = new RecordingAdapter();
  const runtime = new Runtime({
    config,
    redisUrl: url,
    roles: ['router', 'adapter:bench'],
    adapters: [adapter],
    middleware: echo,
    logger: createLogger('warn'),
    blockMs: 20,
  });
  await runtime.start();
  try {
    return await run(runtime, adapter, prefix);
  } finally {
    await runtime.stop();
  }
}

async function offer(rt: Runtime, events: InboundEvent[], concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events.length) await rt.sink.ingest(events[next++]!);
    }),
  );
}

async function bareRelay(url: string, n: number): Promise<number> {
  const redis = connectRedis({ url }, 'bench-relay');
  const reader = connectRedis({ url }, 'bench-relay-reader');
  const key = `bench-relay-${randomUUID()}`;
  await redis.xgroup('CREATE', `${key}:in`, 'g', '0', 'MKSTREAM');
  const t0 = performance.now();
  const writer = (async () => {
    for (let i = 0; i < n; i += 100) {
      const p = redis.pipeline();
      for (let j = i; j < Math.min(n, i + 100); j++)
        p.xadd(`${key}:in`, '*', 'e', `{"n":${j},"text":"message ${j}"}`);
      await p.exec();
    }
  })();
  let relayed = 0;
  while (relayed < n) {
    const reply = (await reader.xreadgroup(
      'GROUP',
      'g',
      'c',
      'COUNT',
      256,
      'BLOCK',
      100,
      'STREAMS',
      `${key}:in`,
      '>',
    )) as Array<[string, Array<[string, string[]]>]> | null;
    const entries = reply?.[0]?.[1] ?? [];
    if (!entries.length) continue;
    const p = redis.pipeline();
    for (const [id, fields] of entries) {
      p.xadd(`${key}:out`, '*', 'cmd', String(fields[1]));
      p.xack(`${key}:in`, 'g', id);
    }
    await p.exec();
    relayed += entries.length;
  }
  await writer;
  const rate = n / ((performance.now() - t0) / 1000);
  await redis.del(`${key}:in`, `${key}:out`);
  redis.disconnect();
  reader.disconnect();
  return rate;
}

export async function run(): Promise<Record<string, number | string>> {
  const server = await benchRedis();
  try {
    const baseline = await bareRelay(server.url, THROUGHPUT_MESSAGES);
    const throughput = (limits: string, messages: number) =>
      withRuntime(server.url, limits, async (rt, adapter, prefix) => {
        await offer(
          rt,
          Array.from({ length: 500 }, (_, n) => event(n, `${prefix}-warm`, 500)),
          50,
        );
        await adapter.until(500);
        const events = Array.from({ length: messages }, (_, n) => event(n, prefix, 1000));
        const t0 = performance.now();
        await offer(rt, events, 200);
        await adapter.until(500 + messages);
        return messages / ((performance.now() - t0) / 1000);
      });
    // Limits lifted: no limiter in the path (`limits: off`).
    const msgPerSec = await throughput('off', THROUGHPUT_MESSAGES);
    // The same with the limiters in the path at a limit nothing reaches: what they cost.
    const withLimiterPerSec = await throughput(
      '{ perSecond: 1000000, perChat: { count: 1000000, windowMs: 1000 }, marginMs: 0 }',
      Math.min(THROUGHPUT_MESSAGES, 3000),
    );

    const latencies = await withRuntime(server.url, 'off', async (rt, adapter, prefix) => {
      const total = LATENCY_RATE * LATENCY_SECONDS;
      const offeredAt = new Map<string, number>();
      const t0 = performance.now();
      const pending: Array<Promise<unknown>> = [];
      for (let n = 0; n < total; n++) {
        const due = t0 + (n * 1000) / LATENCY_RATE;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        offeredAt.set(`ok message ${n}`, performance.now());
        pending.push(rt.sink.ingest(event(n, prefix, 1000)));
      }
      await Promise.all(pending);
      await adapter.until(total);
      return adapter.sent.map((s) => s.at - (offeredAt.get(s.text) ?? s.at)).sort((a, b) => a - b);
    });

    const limiter = await withRuntime(
      server.url,
      `{ perSecond: ${LIMIT_PER_SECOND}, perChat: { count: 1, windowMs: 1000 } }`,
      async (rt, adapter, prefix) => {
        const total = LIMIT_PER_SECOND * (LIMIT_SECONDS + 2);
        await offer(
          rt,
          Array.from({ length: total }, (_, n) => event(n, prefix, 2000)),
          100,
        );
        await adapter.until(LIMIT_PER_SECOND);
        const start = adapter.sent[LIMIT_PER_SECOND - 1]!.at;
        await new Promise((r) => setTimeout(r, LIMIT_SECONDS * 1000));
        const times = adapter.sent
          .map((s) => s.at)
          .filter((t) => t >= start && t < start + LIMIT_SECONDS * 1000);
        let worst = 0;
        const all = adapter.sent.map((s) => s.at).sort((a, b) => a - b);
        for (let i = 0, j = 0; i < all.length; i++) {
          while (all[i]! - all[j]! >= 1000) j++;
          worst = Math.max(worst, i - j + 1);
        }
        return {
          efficiency: times.length / LIMIT_SECONDS / LIMIT_PER_SECOND,
          violations: Math.max(0, worst - LIMIT_PER_SECOND),
        };
      },
    );

    const p50Ms = percentile(latencies, 50);
    const p99Ms = percentile(latencies, 99);
    printFigures(
      'pipeline: inbound → ingest → router → outbound → delivery → platform (one process, 2 cores)',
      [
        ['end-to-end messages/s (limits lifted)', msgPerSec],
        ['bare Streams relay/s (baseline, no logic)', baseline],
        ['ratio to the bare relay', round(msgPerSec / baseline)],
        ['end-to-end messages/s, limiters in the path', withLimiterPerSec],
        [`latency p50 at ${LATENCY_RATE}/s offered (ms)`, round(p50Ms, 2)],
        [`latency p99 at ${LATENCY_RATE}/s offered (ms)`, round(p99Ms, 2)],
        [`limiter efficiency at ${LIMIT_PER_SECOND}/s`, round(limiter.efficiency)],
        ['sends over the limit in any 1 s window', limiter.violations],
        ['targets', '>= 5,000 msg/s; p99 < 20 ms at 1,000/s; efficiency >= 0.95 with 0 violations'],
      ],
    );
    const figures = {
      bench: 'pipeline',
      msgPerSec: Math.round(msgPerSec),
      p50Ms: round(p50Ms, 2),
      p99Ms: round(p99Ms, 2),
      limiterEfficiency: round(limiter.efficiency),
      limitViolations: limiter.violations,
      baselineRelayPerSec: Math.round(baseline),
      withLimiterPerSec: Math.round(withLimiterPerSec),
    };
    jsonLine(figures);
    return figures;
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
