/**
 * Ingest throughput: platform events stored through the store's public ingest (dedupe,
 * find-or-create conversation, append, re-index, stream for the router; batched per shard
 * and loop turn), against the bare pipelined SET of the same payloads, measured in the same
 * run on the same server.
 */
import { performance } from 'node:perf_hooks';
import type { Redis } from 'ioredis';
import { InboundMessage } from '../src/core/model.ts';
import { ConversationStore } from '../src/store/conversations.ts';
import { inboundMessageBody } from '../src/store/ingest.ts';
import { encodeMessageBody } from '../src/store/records.ts';
import { connectRedis } from '../src/store/redis.ts';
import { benchRedis } from './lib/redis.ts';
import { jsonLine, printFigures, round } from './lib/report.ts';

const MESSAGES = Number(process.env.BENCH_INGEST_MESSAGES ?? 200_000);
const CONVERSATIONS = 1_000;
const PIPELINE = 500;
const IN_FLIGHT = 4;

function events(prefix: string) {
  const now = Date.now();
  return Array.from({ length: MESSAGES }, (_, n) =>
    InboundMessage.parse({
      type: 'message',
      channel: 'telegram',
      eventId: `${prefix}:${n}`,
      thread: { key: String(100_000 + (n % CONVERSATIONS)), kind: 'private' },
      sender: {
        channel: 'telegram',
        userId: String(n % CONVERSATIONS),
        handle: '@someone',
        displayName: 'Some One',
      },
      at: now,
      platformMessageId: String(n),
      // A typical support message: about 120 characters.
      text: `Hi, my withdrawal #${n} to 0x52908400098527886E0F7030069857D2E4169EE7 has been pending for two hours, please help.`,
    }),
  );
}

/**
 * `count` items in chunks of PIPELINE, IN_FLIGHT chunks under way at a time; returns items
 * per second.
 */
async function chunked(count: number, chunk: (start: number, end: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      next = Math.min(count, next + PIPELINE);
      await chunk(start, next);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return count / ((performance.now() - t0) / 1000);
}

/** `count` calls, a chunk of them at a time, as callers of the store would make them. */
function concurrent(count: number, call: (i: number) => Promise<unknown>) {
  return chunked(count, async (start, end) => {
    const calls: Array<Promise<unknown>> = [];
    for (let i = start; i < end; i++) calls.push(call(i));
    await Promise.all(calls);
  });
}

/** `count` commands, a chunk of them to a pipeline. */
function pipelined(redis: Redis, count: number, add: (p: ReturnType<Redis['pipeline']>, i: number) => void) {
  return chunked(count, async (start, end) => {
    const p = redis.pipeline();
    for (let i = start; i < end; i++) add(p, i);
    const results = await p.exec();
    const failed = results?.find(([err]) => err);
    if (failed) throw failed[0];
  });
}

export async function run(): Promise<Record<string, number | string>> {
  const server = await benchRedis();
  const redis = connectRedis({ url: server.url }, 'bench-ingest');
  try {
    const prefix = `bench-${Date.now()}`;
    const store = new ConversationStore(redis, {
      prefix,
      shards: 16,
      dedupeSeconds: 3600,
      streamMaxLen: 1_000_000,
    });
    const list = events(prefix);
    // Same payload bytes, no logic: the message JSON each ingest appends.
    const payloads = list.map((e) => encodeMessageBody(inboundMessageBody(e, {})));

    // Warm-up: scripts loaded, connections hot.
    await pipelined(redis, 2_000, (p, i) => p.set(`${prefix}:warm:${i}`, payloads[i]!));

    // Bare before and after the ingest, averaged: on a shared machine the load drifts during a run.
    const bare = (round: string) =>
      pipelined(redis, MESSAGES, (p, i) => p.set(`${prefix}:bare-${round}:${i}`, payloads[i]!));
    const bareBefore = await bare('before');
    const msgPerSec = await concurrent(MESSAGES, (i) => store.ingest(list[i]!));
    const bareAfter = await bare('after');
    const bareSetPerSec = (bareBefore + bareAfter) / 2;
    const duplicates = await concurrent(20_000, (i) => store.ingest(list[i]!));
    const ratioToBare = msgPerSec / bareSetPerSec;

    printFigures(`ingest: ${MESSAGES.toLocaleString('en-US')} messages into ${CONVERSATIONS} conversations`, [
      ['ingested messages/s', msgPerSec],
      ['bare pipelined SET/s (same payloads, mean)', bareSetPerSec],
      ['  before / after the ingest run', `${Math.round(bareBefore)} / ${Math.round(bareAfter)}`],
      ['ratio to bare writes', round(ratioToBare)],
      ['duplicates dropped/s', duplicates],
      ['target', '>= 20,000 msg/s and ratio >= 0.3'],
    ]);
    await redis.eval(
      "for _, k in ipairs(redis.call('KEYS', ARGV[1])) do redis.call('UNLINK', k) end",
      0,
      `${prefix}:*`,
    );
    const figures = {
      bench: 'ingest',
      msgPerSec: Math.round(msgPerSec),
      bareSetPerSec: Math.round(bareSetPerSec),
      ratioToBare: round(ratioToBare),
    };
    jsonLine(figures);
    return figures;
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
