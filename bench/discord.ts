/**
 * Discord throughput through the whole Verity path: emulator gateway → discord.js adapter
 * → Redis store → router → delivery → emulator REST, against a bare discord.js echo bot on
 * the same kind of emulator, in the same run. Limits are lifted everywhere (the emulator's
 * buckets and global cap, discord.js's global REST cap, Verity's `limits: off`), so both
 * figures measure software, not Discord's limits.
 *
 *   npx tsx bench/discord.ts     figures, then one JSON line
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { DiscordAdapter } from '../adapters/discord/adapter.ts';
import { DiscordSettings } from '../adapters/discord/config.ts';
import { startDiscordEmulator } from '../adapters/discord/emulator/emulator.ts';
import type { ChannelAdapter } from '../src/core/channel.ts';
import { createLogger } from '../src/ops/logger.ts';
import { connectRedis } from '../src/store/redis.ts';
import { bareEchoRate } from './discord-bare.ts';
import { commandsPerMessage, measureCost, processCpuMs } from './lib/cost.ts';
import { echoRuntime, timedSink } from './lib/echo-runtime.ts';
import { benchRedis } from './lib/redis.ts';
import {
  type BareRate,
  bracketedByBare,
  channelFigures,
  median,
  printFigures,
  round,
  until,
} from './lib/report.ts';

const MESSAGES = Number(process.env.BENCH_DISCORD_MESSAGES ?? 3000);
/** Guild channels the messages are spread over (the bare bench's default too). */
const CHANNELS = 50;
/** Effectively no cap: discord.js would otherwise hold every bot to Discord's 50 requests/s. */
const UNCAPPED = 100_000;

export interface VerityRate {
  msgPerSec: number;
  /** Median milliseconds from injection to: stored by the adapter, send called by delivery, reply received by the emulator. */
  storedMs: number;
  sendCalledMs: number;
  repliedMs: number;
  /** Median milliseconds a send spends in the adapter (discord.js REST round trip). */
  sendMs: number;
  /** CPU milliseconds per message: this process (emulator, adapter, router, delivery) and redis-server. */
  cpuMs: { node: number; redis: number };
  redisCommandsPerMessage: number;
  topCommands: string;
}

/** Messages per second through the full Verity path, every channel a support channel. */
export async function verityRate(redisUrl: string, total = MESSAGES): Promise<VerityRate> {
  const emu = await startDiscordEmulator({
    rateLimits: { globalPerSecond: 0, messages: { limit: 1_000_000, windowMs: 1000 } },
  });
  const logger = createLogger(process.env.BENCH_LOG ?? 'warn');
  const guild = emu.createGuild('Bench');
  const user = emu.createUser('sender');
  emu.addMember(guild.id, user.id);
  const channels = Array.from({ length: CHANNELS }, (_, i) => emu.createTextChannel(guild.id, `c${i}`).id);
  const discord = new DiscordAdapter({
    settings: DiscordSettings.parse({
      guildIds: [guild.id],
      supportChannelIds: channels,
      commands: { register: 'off' },
      tickets: { postButton: false },
      rest: { globalRequestsPerSecond: UNCAPPED },
    }),
    credentials: { token: emu.token, applicationId: emu.applicationId, apiBase: emu.apiBase },
    logger: process.env.BENCH_LOG ? logger : pino({ level: 'silent' }),
    readyTimeoutMs: 30_000,
  });
  const injectedAt = new Map<string, number>();
  const stored: number[] = [];
  const sendCalled: number[] = [];
  const sending: number[] = [];
  const adapter: ChannelAdapter = {
    channel: discord.channel,
    start: (sink) => discord.start(timedSink(sink, injectedAt, stored)),
    stop: () => discord.stop(),
    async send(command) {
      const started = Date.now();
      const at = command.type === 'send' ? injectedAt.get(command.text.replace(/^echo: /, '')) : undefined;
      if (at !== undefined) sendCalled.push(started - at);
      const result = await discord.send(command);
      if (at !== undefined) sending.push(Date.now() - started);
      return result;
    },
    limitScope: (command) => discord.limitScope(command),
    health: () => discord.health(),
  };
  const runtime = echoRuntime({ redisUrl, adapter, limits: 'off', logger });
  // Every message the emulator holds is either injected here or the bot's: counting the map is
  // O(1), where scanning channels for bot messages would cost the measured process more and more.
  let injected = 0;
  const replies = () => emu.world.messages.size - injected;
  try {
    await runtime.start();
    // Warm-up: scripts loaded, consumer groups made, connections and buckets hot.
    for (const id of channels) {
      emu.injectGuildMessage(id, user.id, `warm-up ${id}`);
      injected += 1;
    }
    await until(() => replies() >= channels.length, 60_000, 'warm-up replies');
    const warm = replies();

    const stats = connectRedis({ url: redisUrl }, 'bench-stats');
    const cost = await measureCost(stats);
    const started = performance.now();
    for (let i = 0; i < total; i += 1) {
      const text = `message ${i}`;
      injectedAt.set(text, Date.now());
      emu.injectGuildMessage(channels[i % channels.length] ?? '', user.id, text);
      injected += 1;
      // Yield now and then so the gateway writes while we inject, as in the bare bench.
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => replies() - warm >= total, 180_000, `${total} replies`);
    const elapsed = (performance.now() - started) / 1000;
    const spent = await cost();
    stats.disconnect();
    const commands = commandsPerMessage(spent.commands, total);
    const replied: number[] = [];
    for (const id of channels) {
      for (const sent of emu.botMessagesIn(id)) {
        const at = injectedAt.get(sent.content.replace(/^echo: /, ''));
        if (at !== undefined) replied.push(Date.parse(sent.timestamp) - at);
      }
    }
    return {
      msgPerSec: total / elapsed,
      storedMs: median(stored),
      sendCalledMs: median(sendCalled),
      repliedMs: median(replied),
      sendMs: median(sending),
      cpuMs: { node: spent.nodeCpuMs / total, redis: spent.redisCpuMs / total },
      redisCommandsPerMessage: commands.total,
      topCommands: commands.top,
    };
  } finally {
    // The client goes before the emulator, else discord.js reconnects in a loop.
    await runtime.stop();
    await emu.close();
  }
}

/** The bare echo bot's rate and CPU per message (its login included: a few ms in all). */
async function bareRate(): Promise<BareRate> {
  const cpu = process.cpuUsage();
  const perSec = await bareEchoRate({
    messages: MESSAGES,
    channels: CHANNELS,
    globalRequestsPerSecond: UNCAPPED,
    timeoutMs: 180_000,
  });
  return { perSec, cpuMs: processCpuMs(cpu) / MESSAGES };
}

export async function run(): Promise<Record<string, number | string>> {
  const server = await benchRedis();
  try {
    const [{ result: verity, bare }] = await bracketedByBare(bareRate, [() => verityRate(server.url)]);
    const bareEchoPerSec = bare.perSec;
    const ratio = verity.msgPerSec / bareEchoPerSec;
    printFigures(`discord: ${MESSAGES.toLocaleString('en-US')} messages over ${CHANNELS} support channels`, [
      ['Verity full path messages/s', verity.msgPerSec],
      ['bare discord.js echo messages/s (mean)', bareEchoPerSec],
      ['  before / after the Verity run', bare.spread],
      ['ratio', round(ratio)],
      ['median ms injected → stored', verity.storedMs],
      ['median ms injected → delivery calls send', verity.sendCalledMs],
      ['median ms injected → reply received', verity.repliedMs],
      ['median ms in adapter.send (REST)', verity.sendMs],
      ['CPU ms per message: Verity process', verity.cpuMs.node],
      ['CPU ms per message: redis-server', verity.cpuMs.redis],
      ['CPU ms per message: bare echo process', bare.cpuMs],
      ['CPU ratio bare / (Verity + redis)', round(bare.cpuMs / (verity.cpuMs.node + verity.cpuMs.redis))],
      ['Redis commands per message', verity.redisCommandsPerMessage],
      ['  most frequent (per message)', verity.topCommands],
      ['target', 'ratio >= 0.5'],
    ]);
    return channelFigures('discord', verity.msgPerSec, bareEchoPerSec);
  } finally {
    await server.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
