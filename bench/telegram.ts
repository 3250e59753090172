/**
 * Telegram throughput through the whole Verity path: emulator → telegraf adapter (polling)
 * → Redis store → router → rate-limited delivery → emulator, against a bare telegraf echo
 * bot on the same kind of emulator, in the same run. The emulator's flood limits are lifted
 * and Verity's channel limits set out of reach, so both figures measure software, not
 * Telegram's limits. On a busy machine the rates swing with the load, so the run also
 * prints what each message costs (CPU of this process and of redis-server, Redis commands
 * by kind): those locate the overhead whatever the load.
 *
 *   npx tsx bench/telegram.ts     figures, then one JSON line
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { TelegramAdapter } from '../adapters/telegram/adapter.ts';
import { startTelegramEmulator } from '../adapters/telegram/emulator/emulator.ts';
import type { ChannelAdapter } from '../src/core/channel.ts';
import { createLogger } from '../src/ops/logger.ts';
import { connectRedis } from '../src/store/redis.ts';
import { commandsPerMessage, measureCost } from './lib/cost.ts';
import { echoRuntime, timedSink, UNREACHABLE_LIMITS } from './lib/echo-runtime.ts';
import { benchRedis } from './lib/redis.ts';
import { aroundBare, channelFigures, median, printFigures, round, until } from './lib/report.ts';
import { bareEchoRate, injectPrivateMessages } from './telegram-bare.ts';

const MESSAGES = Number(process.env.BENCH_TELEGRAM_MESSAGES ?? 6000);
/**
 * Messages each side handles before its clock starts. Without them the side measured first
 * pays for compiling the emulator's and telegraf's code and the other side gets it hot:
 * that alone moved the ratio from ~0.25 to ~0.4 here.
 */
const WARM_UP = Number(process.env.BENCH_TELEGRAM_WARM_UP ?? 2000);
/** Private chats the messages are spread over (the bare bench's default too). */
const CHATS = 200;

export interface VerityRate {
  msgPerSec: number;
  /** Messages per second stored by the adapter (the receiving half alone). */
  storedPerSec: number;
  /** Median milliseconds from injection to: stored by the adapter, reply sent. */
  storedMs: number;
  repliedMs: number;
  /** Redis commands the server executed per message, all roles together, and the top kinds. */
  redisCommandsPerMessage: number;
  topCommands: string;
  /** CPU milliseconds per message: this process (adapter, router, delivery, emulator) and redis-server. */
  cpuMs: { node: number; redis: number };
}

/** Messages per second through the full Verity path. */
export async function verityRate(redisUrl: string, total = MESSAGES, warmUp = WARM_UP): Promise<VerityRate> {
  const emu = await startTelegramEmulator({ limits: false });
  const logger = createLogger(process.env.BENCH_LOG ?? 'warn');
  const users = Array.from({ length: CHATS }, (_, i) => emu.addUser({ first_name: `u${i}` }));
  const injectedAt = new Map<string, number>();
  /** Replies the emulator accepted, counted as the bare bot counts its own. */
  let replies = 0;
  const stored: number[] = [];
  const telegram = new TelegramAdapter({
    token: emu.token,
    logger,
    settings: { apiRoot: emu.apiRoot, polling: { timeoutSeconds: 1 } },
  });
  const adapter: ChannelAdapter = {
    channel: telegram.channel,
    start: (sink) => telegram.start(timedSink(sink, injectedAt, stored)),
    stop: () => telegram.stop(),
    send: async (command) => {
      const result = await telegram.send(command);
      replies += 1;
      return result;
    },
    limitScope: (command) => telegram.limitScope(command),
    health: () => telegram.health(),
  };
  const runtime = echoRuntime({ redisUrl, adapter, limits: UNREACHABLE_LIMITS, logger });
  try {
    await runtime.start();
    // Warm-up: scripts loaded, consumer groups made, connections and code hot.
    await injectPrivateMessages(emu, users, warmUp, 'warm-up');
    await until(() => replies >= warmUp, 120_000, `${warmUp} warm-up replies`);

    const stats = connectRedis({ url: redisUrl }, 'bench-stats');
    const cost = await measureCost(stats);
    const started = performance.now();
    let storedAt = 0;
    const storedAll = until(() => stored.length >= total, 120_000, `${total} stored`).then(() => {
      storedAt = performance.now();
    });
    await injectPrivateMessages(emu, users, total, 'message', (text) => injectedAt.set(text, Date.now()));
    await until(() => replies - warmUp >= total, 120_000, `${total} replies`);
    const elapsed = (performance.now() - started) / 1000;
    const spent = await cost();
    await storedAll;
    const commands = commandsPerMessage(spent.commands, total, Number(process.env.BENCH_TOP ?? 5));
    stats.disconnect();
    const replied: number[] = [];
    for (const user of users) {
      for (const sent of emu.sentMessages(user.id)) {
        const at = injectedAt.get(sent.text.replace(/^echo: /, ''));
        if (at !== undefined) replied.push(sent.at - at);
      }
    }
    return {
      msgPerSec: total / elapsed,
      storedPerSec: total / ((storedAt - started) / 1000),
      storedMs: median(stored),
      repliedMs: median(replied),
      redisCommandsPerMessage: commands.total,
      topCommands: commands.top,
      cpuMs: { node: spent.nodeCpuMs / total, redis: spent.redisCpuMs / total },
    };
  } finally {
    await runtime.stop();
    await emu.close();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const server = await benchRedis();
  try {
    const { result: verity, bare } = await aroundBare(
      () => bareEchoRate({ messages: MESSAGES, chats: CHATS, warmUp: WARM_UP }),
      () => verityRate(server.url),
    );
    const bareEchoPerSec = bare.perSec;
    const ratio = verity.msgPerSec / bareEchoPerSec;
    printFigures(
      `telegram: ${MESSAGES.toLocaleString('en-US')} messages over ${CHATS} private chats, after ${WARM_UP.toLocaleString('en-US')} to warm up`,
      [
        ['Verity full path messages/s', verity.msgPerSec],
        ['bare telegraf echo messages/s (mean)', bareEchoPerSec],
        ['  before / after the Verity run', bare.spread],
        ['ratio', round(ratio)],
        ['Verity receiving half (stored/s)', verity.storedPerSec],
        ['median ms injected → stored', verity.storedMs],
        ['median ms injected → reply sent', verity.repliedMs],
        ['CPU ms per message: Verity process', verity.cpuMs.node],
        ['CPU ms per message: redis-server', verity.cpuMs.redis],
        ['CPU ms per message: bare echo', bare.cpuMs],
        ['Redis commands per message', verity.redisCommandsPerMessage],
        ['  most frequent (per message)', verity.topCommands],
        ['target', 'ratio >= 0.5'],
      ],
    );
    return channelFigures('telegram', verity.msgPerSec, bareEchoPerSec);
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
