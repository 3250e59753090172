/**
 * Telegram throughput through the whole Verity path: emulator → telegraf adapter (polling)
 * → Redis store → router → rate-limited delivery → emulator, against a bare telegraf echo
 * bot on the same kind of emulator, in the same run: before the first Verity run and after
 * each, so each is judged against the two bare runs beside it. The emulator's flood limits are lifted
 * and Verity's channel limits set out of reach, so both figures measure software, not
 * Telegram's limits. Verity runs in one process (three times, between the others), and in
 * two processes split two ways (see `SHAPES`); the JSON line's headline is the median of the
 * one-process runs, like for like with the one-process bare bot, and the balanced
 * two-process figure rides beside it. On a
 * busy machine the rates swing with the load, so the run also prints what each message
 * costs (CPU of Verity's processes and of redis-server, Redis commands by kind): those
 * locate the overhead whatever the load.
 *
 *   npx tsx bench/telegram.ts     figures, then one JSON line
 *
 * To see where a shape's time goes, BENCH_CPU_PROF=<dir> makes each forked process write a
 * V8 CPU profile there (run this process under `node --cpu-prof` for its own).
 */
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { TelegramAdapter } from '../adapters/telegram/adapter.ts';
import { startTelegramEmulator } from '../adapters/telegram/emulator/emulator.ts';
import type { Role } from '../src/app/runtime.ts';
import type { ChannelAdapter } from '../src/core/channel.ts';
import { createLogger } from '../src/ops/logger.ts';
import { connectRedis } from '../src/store/redis.ts';
import { commandsPerMessage, measureCost } from './lib/cost.ts';
import { benchPrefix, echoRuntime, timedSink, UNREACHABLE_LIMITS } from './lib/echo-runtime.ts';
import { benchRedis } from './lib/redis.ts';
import {
  type BareBracket,
  bracketedByBare,
  channelFigures,
  median,
  printFigures,
  round,
  until,
} from './lib/report.ts';
import { bareEchoRate, injectPrivateMessages } from './telegram-bare.ts';

/**
 * Messages each side is timed over. Over 6,000 the three one-process runs of one bench
 * spread by up to ±0.08 in ratio, over 20,000 mostly by ±0.025 (±0.04 at worst), and both
 * bots spend less CPU a message (Verity 0.44–0.54 ms against 0.59–0.68, the bare bot
 * 0.22–0.25 against 0.24–0.35): the longer window measures them running steadily, as a
 * deployed bot runs.
 */
const MESSAGES = Number(process.env.BENCH_TELEGRAM_MESSAGES ?? 20_000);
/**
 * Messages each side handles before its clock starts. Without them the side measured first
 * pays for compiling the emulator's and telegraf's code and the other side gets it hot:
 * that alone moved the ratio from ~0.25 to ~0.4 here.
 */
const WARM_UP = Number(process.env.BENCH_TELEGRAM_WARM_UP ?? 2000);
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
/** Private chats the messages are spread over (the bare bench's default too). */
const CHATS = 200;

/**
 * How Verity's roles are spread over processes: the first runs in this process, beside the
 * emulator; each further one is forked (bench/lib/telegram-process.ts). Receiving stays in
 * this process because it must stay single (one getUpdates poller per bot).
 */
export interface Shape {
  label: string;
  processes: [Role[], ...Role[][]];
}

export const SHAPES = {
  one: { label: 'Verity, one process', processes: [['router', 'adapter:telegram']] },
  /**
   * The split deployed for throughput on a machine of this size. Per message, receiving
   * (with the emulator serving both of its ends) costs ~0.11 ms of CPU here, the router
   * ~0.075 and the delivery ~0.12, so the router goes with the receiver: the other two-way
   * split leaves one process at ~0.2 ms while the other idles.
   */
  two: {
    label: 'Verity, two processes (receive + router | deliver)',
    processes: [['receive:telegram', 'router'], ['deliver:telegram']],
  },
  twoUnbalanced: {
    label: 'Verity, two processes (receive | router + deliver)',
    processes: [['receive:telegram'], ['router', 'deliver:telegram']],
  },
} satisfies Record<string, Shape>;

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
  /**
   * CPU milliseconds per message: Verity's processes together and each (the emulator shares
   * the first), and redis-server.
   */
  cpuMs: { node: number; byProcess: number[]; redis: number };
}

const ForkedReply = z.union([z.literal('ready'), z.object({ cpuMs: z.number() })]);

/** A forked process of a shape, started and answering. */
async function forkProcess(args: {
  redisUrl: string;
  keyPrefix: string;
  apiRoot: string;
  token: string;
  roles: Role[];
}) {
  const child = fork(
    fileURLToPath(new URL('./lib/telegram-process.ts', import.meta.url)),
    [JSON.stringify(args)],
    {
      execArgv: [
        '--max-semi-space-size=32',
        '--import',
        'tsx',
        ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : []),
      ],
    },
  );
  const next = () =>
    new Promise<z.infer<typeof ForkedReply>>((resolve, reject) => {
      child.once('message', (message) => resolve(ForkedReply.parse(message)));
      child.once('exit', (code) => reject(new Error(`forked bench process exited with ${code}`)));
    });
  if ((await next()) !== 'ready') throw new Error('forked bench process did not start');
  return {
    async cpuMs(): Promise<number> {
      const reply = next();
      child.send('cpu');
      const answer = await reply;
      return typeof answer === 'object' ? answer.cpuMs : 0;
    },
    async stop(): Promise<void> {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

/** Messages per second through the full Verity path. */
export async function verityRate(
  redisUrl: string,
  shape: Shape,
  total = MESSAGES,
  warmUp = WARM_UP,
): Promise<VerityRate> {
  const emu = await startTelegramEmulator({ limits: false });
  const logger = createLogger(process.env.BENCH_LOG ?? 'warn');
  const users = Array.from({ length: CHATS }, (_, i) => emu.addUser({ first_name: `u${i}` }));
  const injectedAt = new Map<string, number>();
  /** Replies the emulator accepted, counted as the bare bot counts its own. */
  const replies = () => emu.stats().calls.sendmessage ?? 0;
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
    send: (command) => telegram.send(command),
    limitScope: (command) => telegram.limitScope(command),
    health: () => telegram.health(),
  };
  const keyPrefix = benchPrefix('telegram');
  const [here, ...forked] = shape.processes;
  const runtime = echoRuntime({
    redisUrl,
    adapter,
    limits: UNREACHABLE_LIMITS,
    logger,
    keyPrefix,
    roles: here,
  });
  const others: Array<Awaited<ReturnType<typeof forkProcess>>> = [];
  try {
    await runtime.start();
    for (const roles of forked) {
      others.push(await forkProcess({ redisUrl, keyPrefix, apiRoot: emu.apiRoot, token: emu.token, roles }));
    }
    // Warm-up: scripts loaded, consumer groups made, connections and code hot.
    await injectPrivateMessages(emu, users, warmUp, 'warm-up');
    await until(() => replies() >= warmUp, 120_000, `${warmUp} warm-up replies`);

    const stats = connectRedis({ url: redisUrl }, 'bench-stats');
    const cost = await measureCost(stats);
    const othersCpu = () => Promise.all(others.map((s) => s.cpuMs()));
    const othersBefore = await othersCpu();
    const started = performance.now();
    let storedAt = 0;
    const storedAll = until(() => stored.length >= total, 120_000, `${total} stored`).then(() => {
      storedAt = performance.now();
    });
    await injectPrivateMessages(emu, users, total, 'message', (text) => injectedAt.set(text, Date.now()));
    await until(() => replies() - warmUp >= total, 120_000, `${total} replies`);
    const elapsed = (performance.now() - started) / 1000;
    const spent = await cost();
    const othersSpent = (await othersCpu()).map((ms, i) => ms - (othersBefore[i] ?? 0));
    const byProcess = [spent.nodeCpuMs, ...othersSpent].map((ms) => ms / total);
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
      cpuMs: { node: byProcess.reduce((a, b) => a + b, 0), byProcess, redis: spent.redisCpuMs / total },
    };
  } finally {
    await Promise.all(others.map((s) => s.stop()));
    await runtime.stop();
    await emu.close();
  }
}

export async function run(): Promise<Record<string, number | string>> {
  const server = await benchRedis();
  try {
    const bareRun = () => bareEchoRate({ messages: MESSAGES, chats: CHATS, warmUp: WARM_UP });
    // The headline shape runs three times, between the others: on a shared machine one
    // bracket's ratio swings by ±10 %, and the median of three is steadier than any one.
    const oneRun = () => verityRate(server.url, SHAPES.one);
    const [oneA, two, oneB, twoUnbalanced, oneC] = await bracketedByBare(bareRun, [
      oneRun,
      () => verityRate(server.url, SHAPES.two),
      oneRun,
      () => verityRate(server.url, SHAPES.twoUnbalanced),
      oneRun,
    ]);
    const ratioOf = (m: { result: VerityRate; bare: BareBracket }) => m.result.msgPerSec / m.bare.perSec;
    const ones = [oneA, oneB, oneC];
    const one = [...ones].sort((a, b) => ratioOf(a) - ratioOf(b))[1]!;
    const rows = (
      { label, processes }: Shape,
      { result: verity, bare }: { result: VerityRate; bare: BareBracket },
    ): Array<[string, string | number]> => [
      [`${label}: messages/s`, verity.msgPerSec],
      ['  bare telegraf echo messages/s, before / after', bare.spread],
      ['  ratio to the bare echo (mean of the two)', round(verity.msgPerSec / bare.perSec)],
      ['  receiving half (stored/s)', verity.storedPerSec],
      ['  median ms injected → stored', verity.storedMs],
      ['  median ms injected → reply sent', verity.repliedMs],
      ['  CPU ms per message: Verity', verity.cpuMs.node],
      ...(processes.length > 1
        ? [
            ['    by process', verity.cpuMs.byProcess.map((ms) => ms.toFixed(3)).join(' | ')] as [
              string,
              string,
            ],
          ]
        : []),
      ['  CPU ms per message: redis-server', verity.cpuMs.redis],
      ['  CPU ms per message: bare echo (mean of the two)', bare.cpuMs],
      ['  Redis commands per message', verity.redisCommandsPerMessage],
      ['    most frequent (per message)', verity.topCommands],
    ];
    printFigures(
      `telegram: ${MESSAGES.toLocaleString('en-US')} messages over ${CHATS} private chats, after ${WARM_UP.toLocaleString('en-US')} to warm up`,
      [
        ...rows(SHAPES.one, one),
        [
          '  ratio in each of its three runs (the median run above)',
          ones.map((m) => round(ratioOf(m))).join(', '),
        ],
        ...rows(SHAPES.two, two),
        ...rows(SHAPES.twoUnbalanced, twoUnbalanced),
        ['target', 'ratio >= 0.5'],
      ],
    );
    // The headline is like for like, one process against one; two processes use the second core the bare bot cannot.
    return channelFigures('telegram', one.result.msgPerSec, one.bare.perSec, {
      twoProcessMsgPerSec: Math.round(two.result.msgPerSec),
      twoProcessRatio: round(two.result.msgPerSec / two.bare.perSec),
    });
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
