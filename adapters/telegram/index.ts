/**
 * The Telegram channel as the app wires it: the real Bot API when TELEGRAM_BOT_TOKEN is
 * set, otherwise a local emulator (with its HTTP control API) that the adapter polls
 * exactly as it would poll Telegram.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import { TelegramAdapter } from './adapter.ts';
import { type Env, hasTelegramToken } from './config.ts';
import { startTelegramEmulator, type TelegramEmulator } from './emulator/emulator.ts';

export { TelegramAdapter } from './adapter.ts';
export { hasTelegramToken, readTelegramConfig, TelegramSettings } from './config.ts';
export { startTelegramEmulator, TelegramEmulator } from './emulator/emulator.ts';

export interface TelegramChannel {
  adapter: TelegramAdapter;
  /** Present in sandbox mode: drive users through it (or `POST <apiRoot>control/<action>`). */
  emulator?: TelegramEmulator;
  /** Stops the emulator, if any; stop the adapter first. */
  close(): Promise<void>;
}

const Rule = z.object({ count: z.number().int().positive(), windowMs: z.number().int().positive() });
const SandboxLimits = z
  .object({
    limits: z
      .object({ perSecond: z.number().positive(), perChat: Rule, perGroup: Rule.optional() })
      .optional(),
  })
  .loose();

export async function createTelegramChannel(opts: {
  section: unknown;
  env: Env;
  logger: Logger;
  /** Sandbox only: where the emulator listens (0 = any free port). */
  emulatorPort?: number;
}): Promise<TelegramChannel> {
  if (hasTelegramToken(opts.env)) {
    const adapter = TelegramAdapter.fromConfig(opts.section, opts.env, opts.logger);
    return { adapter, close: async () => {} };
  }
  const parsed = SandboxLimits.safeParse(opts.section ?? {});
  const limits = parsed.success ? parsed.data.limits : undefined;
  // Ids from the clock (100 a second, wrapping at 2^31): a restart never repeats one the store has seen.
  const fromClock = Math.floor(Date.now() / 10) % 2 ** 31;
  const emulator = await startTelegramEmulator({
    httpControl: true,
    firstMessageId: fromClock,
    firstUpdateId: fromClock,
    port: opts.emulatorPort ?? 0,
    ...(limits
      ? {
          limits: {
            perSecond: limits.perSecond,
            perChat: limits.perChat,
            ...(limits.perGroup ? { perGroup: limits.perGroup } : {}),
          },
        }
      : {}),
  });
  opts.logger.info(
    { apiRoot: emulator.apiRoot, control: `${emulator.apiRoot}control/<action>` },
    'telegram: no TELEGRAM_BOT_TOKEN, running against the local Bot API emulator',
  );
  const base = typeof opts.section === 'object' && opts.section !== null ? opts.section : {};
  const adapter = TelegramAdapter.fromConfig(
    { ...base, mode: 'polling' },
    {
      TELEGRAM_BOT_TOKEN: emulator.token,
      TELEGRAM_API_ROOT: emulator.apiRoot,
    },
    opts.logger,
  );
  return { adapter, emulator, close: () => emulator.close() };
}
