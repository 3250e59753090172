/**
 * The Telegram adapter's settings: section `channels.telegram` of verity.yaml, plus the
 * secrets and overrides that only ever come from the environment. The returned settings
 * object holds no secret, so it may be logged; the token and webhook secret travel apart.
 */
import { z } from 'zod';
import { InvalidInputError } from '../../src/core/errors.ts';
import { Language } from '../../src/core/model.ts';

const Port = z.number().int().min(0).max(65_535);

/** Strict, so a misspelt setting is an error at start rather than a silently ignored line. */
export const TelegramSettings = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Read by delivery (validated by the core config schema), not by the adapter. */
    limits: z.unknown().optional(),
    /** A self-hosted Bot API server or the emulator; Telegram's own by default. */
    apiRoot: z.url().optional(),
    mode: z.enum(['polling', 'webhook']).default('polling'),
    polling: z
      .strictObject({
        /** Seconds Telegram may hold one getUpdates call open. */
        timeoutSeconds: z.number().int().min(0).max(50).default(30),
        limit: z.number().int().min(1).max(100).default(100),
      })
      .prefault({}),
    webhook: z
      .strictObject({
        /** The public HTTPS URL Telegram posts to; its path is the path served locally. */
        publicUrl: z.url(),
        listen: z.object({ host: z.string().default('0.0.0.0'), port: Port.default(8443) }).prefault({}),
        maxConnections: z.number().int().min(1).max(100).default(40),
        maxBodyBytes: z.number().int().min(1024).default(1_048_576),
      })
      .optional(),
    /** Languages whose command menus are registered at start (the first is also the default menu). */
    commandLanguages: z.array(Language).min(1).default(['en', 'zh']),
    /** Backoff while the sink cannot store an update (Redis down): the update is held, never confirmed. */
    ingestRetry: z
      .strictObject({
        initialMs: z.number().int().positive().default(200),
        maxMs: z.number().int().positive().default(10_000),
      })
      .prefault({}),
    /** Pause between the parts of a text longer than one Telegram message (the per-chat limit). */
    splitIntervalMs: z.number().int().min(0).default(1000),
  })
  .refine((s) => s.mode !== 'webhook' || s.webhook !== undefined, {
    message: 'webhook mode needs webhook.publicUrl',
    path: ['webhook'],
  });
export type TelegramSettings = z.infer<typeof TelegramSettings>;

export interface TelegramSecrets {
  token: string;
  /** Required in webhook mode: Telegram echoes it in `X-Telegram-Bot-Api-Secret-Token`. */
  webhookSecret?: string;
}

const Token = z
  .string()
  .regex(/^\d{1,20}:[A-Za-z0-9_-]{10,}$/, 'a bot token like 123456:ABC-DEF… from @BotFather');
/** Telegram's alphabet for secret tokens, with a floor on length so it is worth checking. */
const WebhookSecret = z.string().regex(/^[A-Za-z0-9_-]{16,256}$/);

export type Env = Readonly<Record<string, string | undefined>>;

/** Whether a real token is configured; without one the app runs the emulator instead. */
export function hasTelegramToken(env: Env): boolean {
  return (env.TELEGRAM_BOT_TOKEN ?? '') !== '';
}

/**
 * Validates the section with the environment laid over it. Errors name the setting and
 * what was expected, never a secret's value.
 */
export function readTelegramConfig(
  section: unknown,
  env: Env,
): { settings: TelegramSettings; secrets: TelegramSecrets } {
  const base = typeof section === 'object' && section !== null ? section : {};
  const apiRoot = env.TELEGRAM_API_ROOT;
  const parsed = TelegramSettings.safeParse(apiRoot ? { ...base, apiRoot } : base);
  if (!parsed.success) {
    throw new InvalidInputError('config channels.telegram', z.prettifyError(parsed.error));
  }
  const token = Token.safeParse(env.TELEGRAM_BOT_TOKEN ?? '');
  if (!token.success)
    throw new InvalidInputError('env TELEGRAM_BOT_TOKEN', 'expected a bot token like 123456:ABC…');
  const secrets: TelegramSecrets = { token: token.data };
  const rawSecret = env.TELEGRAM_WEBHOOK_SECRET;
  if (rawSecret !== undefined && rawSecret !== '') {
    const secret = WebhookSecret.safeParse(rawSecret);
    if (!secret.success) {
      throw new InvalidInputError(
        'env TELEGRAM_WEBHOOK_SECRET',
        'expected 16–256 characters of A-Z, a-z, 0-9, _ and -',
      );
    }
    secrets.webhookSecret = secret.data;
  }
  if (parsed.data.mode === 'webhook' && secrets.webhookSecret === undefined) {
    throw new InvalidInputError('env TELEGRAM_WEBHOOK_SECRET', 'webhook mode needs a secret token');
  }
  return { settings: parsed.data, secrets };
}
