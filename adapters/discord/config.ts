/**
 * The Discord channel's settings (`channels.discord` in verity.yaml) and credentials
 * (environment only). The token is kept out of the settings object so that printing or
 * logging settings can never leak it.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../src/core/errors.ts';

const Snowflake = z.string().regex(/^\d{15,21}$/, 'a Discord id (snowflake), digits only');

export const DiscordSettings = z.object({
  enabled: z.boolean().default(true),
  /** Guilds the bot serves; messages from other guilds are ignored. Empty: every guild it is in. */
  guildIds: z.array(Snowflake).default([]),
  /** Channels where every message is a support turn and the "Open a ticket" button is posted. */
  supportChannelIds: z.array(Snowflake).default([]),
  /** Staff roles: pinged into (and so added to) every ticket thread. */
  staffRoleIds: z.array(Snowflake).default([]),
  /** Roles allowed to use /flag and /unflag. */
  moderatorRoleIds: z.array(Snowflake).default([]),
  commands: z
    .object({
      /** `guild`: per configured guild (instant); `global`: everywhere (Discord caches up to an hour); `off`: leave them alone. */
      register: z.enum(['guild', 'global', 'off']).default('guild'),
    })
    .prefault({}),
  tickets: z
    .object({
      /** Post the "Open a ticket" button in each support channel at start unless the bot's last message there has it. */
      postButton: z.boolean().default(true),
      prompt: z
        .string()
        .min(1)
        .max(2000)
        .default('Need help from the team? Open a private ticket: only you and our staff can see it.'),
    })
    .prefault({}),
  rest: z
    .object({
      /** Discord's global REST limit for this bot; raise only if Discord raised it for you. */
      globalRequestsPerSecond: z.number().int().positive().default(50),
      /** Rate-limit waits up to this long happen inside discord.js; longer ones are handed to delivery. */
      maxRateLimitWaitMs: z.number().int().nonnegative().default(3000),
      timeoutMs: z.number().int().positive().default(15_000),
    })
    .prefault({}),
  /** Ingest retries: doubling backoff from `ingestRetryMs` up to `ingestRetryMaxMs`, never giving up. */
  ingestRetryMs: z.number().int().positive().default(200),
  ingestRetryMaxMs: z.number().int().positive().default(30_000),
});
export type DiscordSettings = z.infer<typeof DiscordSettings>;
export type DiscordSettingsInput = z.input<typeof DiscordSettings>;

export interface DiscordCredentials {
  token: string;
  applicationId: string;
  /** Only for an emulator or a proxy (discord.js `rest.api`, e.g. `http://127.0.0.1:PORT/api`). */
  apiBase?: string;
}

const Env = z.object({
  DISCORD_BOT_TOKEN: z.string().min(1, 'DISCORD_BOT_TOKEN is required'),
  DISCORD_APPLICATION_ID: Snowflake,
  DISCORD_API_BASE: z.url().optional(),
});

export interface DiscordConfig {
  settings: DiscordSettings;
  credentials: DiscordCredentials;
}

/**
 * Validates the `channels.discord` section and the environment. Throws InvalidInputError
 * naming every problem; the token's value never appears in a message.
 */
export function loadDiscordConfig(
  section: unknown,
  env: Readonly<Record<string, string | undefined>>,
): DiscordConfig {
  const settings = DiscordSettings.safeParse(section ?? {});
  if (!settings.success) throw new InvalidInputError('channels.discord', z.prettifyError(settings.error));
  const parsedEnv = Env.safeParse({
    DISCORD_BOT_TOKEN: env.DISCORD_BOT_TOKEN,
    DISCORD_APPLICATION_ID: env.DISCORD_APPLICATION_ID,
    DISCORD_API_BASE: env.DISCORD_API_BASE || undefined,
  });
  if (!parsedEnv.success)
    throw new InvalidInputError('Discord environment', z.prettifyError(parsedEnv.error));
  const { DISCORD_BOT_TOKEN, DISCORD_APPLICATION_ID, DISCORD_API_BASE } = parsedEnv.data;
  return {
    settings: settings.data,
    credentials: {
      token: DISCORD_BOT_TOKEN,
      applicationId: DISCORD_APPLICATION_ID,
      ...(DISCORD_API_BASE ? { apiBase: DISCORD_API_BASE } : {}),
    },
  };
}
