/**
 * The ceiling Verity's Telegram path is compared against: a bare telegraf echo bot (no
 * Redis, no router) long-polling the local emulator, messages received and replied per
 * second. The emulator's flood limits are lifted, so the figure measures telegraf, the
 * emulator and the loopback, not Telegram's limits.
 *
 *   npx tsx bench/telegram-bare.ts     prints one JSON line
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Telegraf } from 'telegraf';
import { startTelegramEmulator, type TelegramEmulator } from '../adapters/telegram/emulator/emulator.ts';
import type { TgUser } from '../adapters/telegram/emulator/types.ts';
import { processCpuMs } from './lib/cost.ts';
import { type BareRate, until } from './lib/report.ts';

export interface BareEchoOptions {
  /** Messages to echo (default 3000). */
  messages?: number;
  /** Private chats they are spread over (default 200). */
  chats?: number;
  /** Messages echoed before the clock starts, so the code is hot (default 0). */
  warmUp?: number;
  timeoutMs?: number;
}

/**
 * Writes `count` private messages ("<label> <n>") round-robin over `users`, calling
 * `before` with each text just before it goes in. It yields now and then so polls are
 * answered while it injects, as real traffic would arrive.
 */
export async function injectPrivateMessages(
  emu: TelegramEmulator,
  users: readonly TgUser[],
  count: number,
  label: string,
  before?: (text: string) => void,
): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const user = users[i % users.length];
    if (!user) continue;
    const text = `${label} ${i}`;
    before?.(text);
    emu.privateMessage(user, text);
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Messages per second a bare telegraf bot receives by getUpdates and answers by sendMessage,
 * and its CPU per message over the measured messages only.
 */
export async function bareEchoRate(opts: BareEchoOptions = {}): Promise<BareRate> {
  const total = opts.messages ?? 3000;
  const warmUp = opts.warmUp ?? 0;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const emu = await startTelegramEmulator({ limits: false });
  const users = Array.from({ length: opts.chats ?? 200 }, (_, i) => emu.addUser({ first_name: `u${i}` }));
  const bot = new Telegraf(emu.token, { telegram: { apiRoot: emu.apiRoot } });
  let replied = 0;
  bot.on('message', async (ctx) => {
    await ctx.reply(`echo: ${ctx.text ?? ''}`);
    replied += 1;
  });
  bot.catch(() => undefined);
  const launched = new Promise<void>((resolve) => {
    void bot.launch(() => resolve());
  });
  try {
    await launched;
    await injectPrivateMessages(emu, users, warmUp, 'warm-up');
    await until(() => replied >= warmUp, timeoutMs, `bare echo: ${warmUp} warm-up replies`);
    const started = performance.now();
    const cpu = process.cpuUsage();
    await injectPrivateMessages(emu, users, total, 'message');
    await until(() => replied - warmUp >= total, timeoutMs, `bare echo: ${total} replies`);
    return { perSec: total / ((performance.now() - started) / 1000), cpuMs: processCpuMs(cpu) / total };
  } finally {
    bot.stop('bench done');
    await emu.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rate = await bareEchoRate();
  console.log(JSON.stringify({ bench: 'telegram-bare-echo', messagesPerSecond: Math.round(rate.perSec) }));
}
