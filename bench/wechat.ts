/**
 * WeChat Official Account throughput through the whole Verity path: emulator push (signed
 * XML) → hardened OA puppet → adapter → Redis store → router → delivery → custom-service
 * send on the emulator. The baseline is the same emulator, puppet and adapter with a sink
 * that answers straight away through `adapter.send` (no Redis, no router): what the
 * WeChat side costs by itself. Verity's channel limits are set out of reach; the
 * platform's quotas (5 sends per user message) are not touched by one reply each.
 *
 *   npx tsx bench/wechat.ts     figures, then one JSON line
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { WechatAdapter } from '../adapters/wechat/adapter.ts';
import { loadWechatConfig } from '../adapters/wechat/config.ts';
import {
  emulatorEnv,
  startWechatOaEmulator,
  type WechatOaEmulator,
} from '../adapters/wechat/emulator/index.ts';
import { quietLogger } from '../adapters/wechat/testing.ts';
import type { InboundSink } from '../src/core/channel.ts';
import { InboundEvent, OutboundCommand } from '../src/core/model.ts';
import { echoRuntime, UNREACHABLE_LIMITS } from './lib/echo-runtime.ts';
import { benchRedis } from './lib/redis.ts';
import { channelFigures, printFigures, round } from './lib/report.ts';

const MESSAGES = Number(process.env.BENCH_WECHAT_MESSAGES ?? 1000);
const USERS = 200;
/** Pushes in flight at once, as WeChat's servers would send them. */
const CONCURRENCY = 50;

async function startOa(): Promise<{ emulator: WechatOaEmulator; adapter: WechatAdapter; openids: string[] }> {
  const emulator = await startWechatOaEmulator({ answerTimeoutMs: 5000 });
  const adapter = new WechatAdapter({
    config: loadWechatConfig({ ...emulatorEnv(emulator), WECHAT_START_TIMEOUT_MS: '10000' }),
    logger: quietLogger,
  });
  const openids = Array.from({ length: USERS }, (_, i) => `o_bench_${i}`);
  return { emulator, adapter, openids };
}

/** Follows (outside the timing), then MESSAGES texts pushed CONCURRENCY at a time until all are answered. */
async function drive(emulator: WechatOaEmulator, openids: string[]): Promise<number> {
  for (const openid of openids) await emulator.follow(openid);
  // Follows are answered by nobody here (no greeting), so every send is an echo.
  const replied = () => emulator.sent.length;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < MESSAGES) {
        const i = next++;
        const openid = openids[i % openids.length] ?? 'o_bench_0';
        await emulator.userSends(openid, { type: 'text', content: `message ${i}` });
      }
    }),
  );
  const deadline = Date.now() + 120_000;
  while (replied() < MESSAGES) {
    if (Date.now() > deadline) throw new Error(`wechat: ${replied()}/${MESSAGES} replies in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return MESSAGES / ((performance.now() - started) / 1000);
}

export async function verityRate(redisUrl: string): Promise<number> {
  const { emulator, adapter, openids } = await startOa();
  const runtime = echoRuntime({ redisUrl, adapter, limits: UNREACHABLE_LIMITS });
  try {
    await runtime.start();
    const callback = adapter.health().info?.callback;
    if (!callback) throw new Error(`wechat did not start: ${adapter.health().detail}`);
    emulator.setCallbackUrl(callback);
    return await drive(emulator, openids);
  } finally {
    await runtime.stop();
    await emulator.close();
  }
}

/** The adapter alone: each stored-in-memory message is answered at once through adapter.send. */
export async function bareRate(): Promise<number> {
  const { emulator, adapter, openids } = await startOa();
  let n = 0;
  const sink: InboundSink = {
    async ingest(input) {
      const event = InboundEvent.safeParse(input);
      if (event.success && event.data.type === 'message') {
        const command = OutboundCommand.parse({
          type: 'send',
          id: `bare-${n++}`,
          channel: 'wechat',
          threadKey: event.data.thread.key,
          text: `echo: ${event.data.text}`,
        });
        void adapter.send(command).catch(() => undefined);
      }
      return { status: 'stored' };
    },
  };
  try {
    await adapter.start(sink);
    const callback = adapter.health().info?.callback;
    if (!callback) throw new Error(`wechat did not start: ${adapter.health().detail}`);
    emulator.setCallbackUrl(callback);
    return await drive(emulator, openids);
  } finally {
    await adapter.stop();
    await emulator.close();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const server = await benchRedis();
  try {
    const msgPerSec = await verityRate(server.url);
    const bareEchoPerSec = await bareRate();
    const ratio = msgPerSec / bareEchoPerSec;
    printFigures(`wechat (OA): ${MESSAGES.toLocaleString('en-US')} messages from ${USERS} followers`, [
      ['Verity full path messages/s', msgPerSec],
      ['adapter answering directly messages/s', bareEchoPerSec],
      ['ratio', round(ratio)],
    ]);
    return channelFigures('wechat', msgPerSec, bareEchoPerSec);
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
