/**
 * The ceiling Verity's Discord path is compared against: a bare discord.js echo bot (no
 * Redis, no router) against the local emulator, messages received and replied per second.
 * The global REST cap is raised on both sides and per-channel buckets are widened, so the
 * figure measures discord.js and the loopback, not Discord's limits.
 *
 *   npx tsx bench/discord-bare.ts     prints one JSON line
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client, Events, GatewayIntentBits, Partials, Routes } from 'discord.js';
import { startDiscordEmulator } from '../adapters/discord/emulator/emulator.ts';

export interface BareEchoOptions {
  /** Messages to echo (default 3000). */
  messages?: number;
  /** Guild channels they are spread over (default 50). */
  channels?: number;
  /** discord.js's global REST cap for the run (default 100 000/s: effectively off). */
  globalRequestsPerSecond?: number;
  timeoutMs?: number;
}

/** Messages per second a bare discord.js bot receives over the gateway and answers over REST. */
export async function bareEchoRate(opts: BareEchoOptions = {}): Promise<number> {
  const total = opts.messages ?? 3000;
  const emu = await startDiscordEmulator({
    rateLimits: { globalPerSecond: 0, messages: { limit: 1_000_000, windowMs: 1000 } },
  });
  const guild = emu.createGuild('Bench');
  const user = emu.createUser('sender');
  emu.addMember(guild.id, user.id);
  const channels = Array.from(
    { length: opts.channels ?? 50 },
    (_, i) => emu.createTextChannel(guild.id, `c${i}`).id,
  );
  const client = new Client({
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
    partials: [Partials.Channel],
    rest: { api: emu.apiBase, globalRequestsPerSecond: opts.globalRequestsPerSecond ?? 100_000 },
  });
  let replied = 0;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  client.on(Events.MessageCreate, (message) => {
    if (message.author.id === client.user?.id) {
      replied += 1;
      if (replied === total) finish();
      return;
    }
    void client.rest
      .post(Routes.channelMessages(message.channelId), { body: { content: `echo: ${message.content}` } })
      .catch(() => undefined);
  });
  const ready = new Promise((resolve) => client.once(Events.ClientReady, resolve));
  try {
    await client.login(emu.token);
    await ready;
    const started = performance.now();
    for (let i = 0; i < total; i += 1) {
      emu.injectGuildMessage(channels[i % channels.length] ?? '', user.id, `message ${i}`);
      // Yield now and then so the gateway writes while we inject, as real traffic would arrive.
      if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`bare echo: ${replied}/${total} replies in time`)),
        opts.timeoutMs ?? 60_000,
      ).unref(),
    );
    await Promise.race([done, timeout]);
    return total / ((performance.now() - started) / 1000);
  } finally {
    await client.destroy();
    await emu.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rate = await bareEchoRate();
  console.log(JSON.stringify({ bench: 'discord-bare-echo', messagesPerSecond: Math.round(rate) }));
}
