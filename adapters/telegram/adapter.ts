/**
 * Verity's Telegram channel. Receives by long polling (default) or webhook, normalizes
 * each update and confirms it to Telegram only once the sink stored it; performs outbound
 * commands through telegraf's Bot API client. The same code talks to api.telegram.org or
 * to the emulator: only `apiRoot` differs.
 */
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { Telegram } from 'telegraf';
import { z } from 'zod';
import type {
  AdapterHealth,
  ChannelAdapter,
  FetchedFile,
  InboundSink,
  LimitScope,
  SendResult,
} from '../../src/core/channel.ts';
import { VerityError } from '../../src/core/errors.ts';
import { KeyedSerializer } from '../../src/core/keyed-serializer.ts';
import type { OutboundCommand } from '../../src/core/model.ts';
import { commandMenu } from './commands.ts';
import { type Env, readTelegramConfig, TelegramSettings } from './config.ts';
import { redact } from './errors.ts';
import { ingestDurably } from './ingest.ts';
import { type BotIdentity, normalizeUpdate } from './normalize.ts';
import { UpdatePoller } from './poller.ts';
import { parseThreadKey, perform } from './send.ts';
import { startWebhookServer, type WebhookServer } from './webhook.ts';

/**
 * chat_member must be asked for by name, or Telegram never sends renames; my_chat_member
 * (the bot blocked, restarted, removed from a group) would come anyway, but a list names all.
 */
export const ALLOWED_UPDATES = [
  'message',
  'edited_message',
  'callback_query',
  'chat_member',
  'my_chat_member',
] as const;

export interface TelegramAdapterOptions {
  token: string;
  /** Parsed settings, or raw ones (the `channels.telegram` section) to be parsed here. */
  settings?: TelegramSettings | Record<string, unknown>;
  webhookSecret?: string;
  logger: Logger;
}

export class TelegramAdapter implements ChannelAdapter {
  readonly channel = 'telegram';
  private readonly telegram: Telegram;
  private readonly settings: TelegramSettings;
  private readonly token: string;
  private readonly logger: Logger;
  /** Renewed by every start, so an adapter can be stopped and started again. */
  private stopping = new AbortController();
  private readonly background = new Set<Promise<unknown>>();
  /** A chat's events reach the sink in the order Telegram numbered them. */
  private readonly perThread = new KeyedSerializer();
  private bot: BotIdentity | undefined;
  private poller: UpdatePoller | undefined;
  private webhook: WebhookServer | undefined;
  private status: { ok: boolean; detail: string } = { ok: false, detail: 'not started' };

  constructor(private readonly options: TelegramAdapterOptions) {
    const parsed = TelegramSettings.safeParse(options.settings ?? {});
    if (!parsed.success) {
      throw new VerityError(
        'TELEGRAM_SETTINGS',
        `invalid telegram settings: ${z.prettifyError(parsed.error)}`,
      );
    }
    this.settings = parsed.data;
    this.token = options.token;
    this.logger = options.logger;
    this.telegram = new Telegram(options.token, {
      webhookReply: false,
      ...(parsed.data.apiRoot !== undefined ? { apiRoot: parsed.data.apiRoot } : {}),
    });
  }

  /** From `channels.telegram` and the environment (TELEGRAM_BOT_TOKEN, TELEGRAM_API_ROOT, TELEGRAM_WEBHOOK_SECRET). */
  static fromConfig(section: unknown, env: Env, logger: Logger): TelegramAdapter {
    const { settings, secrets } = readTelegramConfig(section, env);
    return new TelegramAdapter({
      token: secrets.token,
      settings,
      logger,
      ...(secrets.webhookSecret !== undefined ? { webhookSecret: secrets.webhookSecret } : {}),
    });
  }

  /** The bot's identity once started. */
  get identity(): BotIdentity | undefined {
    return this.bot;
  }

  /** The local port of the webhook receiver (useful when configured as 0). */
  get webhookPort(): number | undefined {
    return this.webhook?.port;
  }

  async start(sink: InboundSink): Promise<void> {
    this.stopping = new AbortController();
    const bot = await this.identify();
    await this.registerCommands();
    const handle = (update: unknown) => this.handleUpdate(update, sink, bot);
    if (this.settings.mode === 'webhook') {
      await this.startWebhook(handle);
      this.status = { ok: true, detail: 'webhook' };
    } else {
      // A webhook left set (by an earlier webhook deployment) makes getUpdates answer 409.
      await this.telegram.deleteWebhook({ drop_pending_updates: false }).catch((error: unknown) => {
        throw new VerityError('TELEGRAM_START', `telegram deleteWebhook failed: ${this.describe(error)}`);
      });
      this.poller = new UpdatePoller({
        telegram: this.telegram,
        token: this.token,
        logger: this.logger,
        timeoutSeconds: this.settings.polling.timeoutSeconds,
        limit: this.settings.polling.limit,
        allowedUpdates: ALLOWED_UPDATES,
        handle,
        onStatus: (ok, detail) => {
          this.status = { ok, detail };
        },
      });
      this.status = { ok: true, detail: 'polling' };
      this.poller.start();
    }
    this.logger.info({ bot: `@${bot.username}`, mode: this.settings.mode }, 'telegram adapter started');
  }

  /**
   * Sending needs only the token: no polling, no webhook, no commands to register (the
   * receiving process does that). getMe checks the token and names the bot in health.
   */
  async startSending(): Promise<void> {
    const bot = await this.identify();
    this.status = { ok: true, detail: 'sending only' };
    this.logger.info({ bot: `@${bot.username}` }, 'telegram adapter started, sending only');
  }

  private async identify(): Promise<BotIdentity> {
    const me = await this.telegram.getMe().catch((error: unknown) => {
      throw new VerityError('TELEGRAM_START', `telegram getMe failed: ${this.describe(error)}`);
    });
    this.bot = { id: me.id, username: me.username };
    return this.bot;
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.poller?.stop();
    await this.webhook?.close();
    this.poller = undefined;
    this.webhook = undefined;
    await Promise.allSettled([...this.background]);
    this.status = { ok: false, detail: 'stopped' };
  }

  async send(command: OutboundCommand): Promise<SendResult> {
    return await perform(
      { telegram: this.telegram, token: this.token, splitIntervalMs: this.settings.splitIntervalMs },
      command,
    );
  }

  limitScope(command: OutboundCommand): LimitScope {
    try {
      const { chatId } = parseThreadKey(command.threadKey);
      return { chat: String(chatId), group: chatId < 0 };
    } catch {
      // An unparsable key fails in send(); any bucket will do until then.
      return { chat: command.threadKey, group: false };
    }
  }

  health(): AdapterHealth {
    const info: Record<string, string> = { mode: this.settings.mode };
    if (this.bot) info.bot = `@${this.bot.username}`;
    return { ...this.status, info };
  }

  async fetchFile(fileId: string): Promise<FetchedFile> {
    let file: Awaited<ReturnType<Telegram['getFile']>>;
    let url: URL;
    try {
      file = await this.telegram.getFile(fileId);
      url = await this.telegram.getFileLink(file);
    } catch (error) {
      throw new VerityError('TELEGRAM_FILE', `telegram getFile failed: ${this.describe(error)}`, { fileId });
    }
    const res = await fetch(url).catch((error: unknown) => {
      throw new VerityError('TELEGRAM_FILE', `telegram file download failed: ${this.describe(error)}`, {
        fileId,
      });
    });
    if (!res.ok || !res.body) {
      throw new VerityError('TELEGRAM_FILE', `telegram file download failed: HTTP ${res.status}`, { fileId });
    }
    const fetched: FetchedFile = { stream: Readable.fromWeb(res.body) };
    const mimeType = res.headers.get('content-type');
    if (mimeType) fetched.mimeType = mimeType;
    if (file.file_size !== undefined) fetched.size = file.file_size;
    const name = file.file_path?.split('/').pop();
    if (name) fetched.name = name;
    return fetched;
  }

  private async handleUpdate(raw: unknown, sink: InboundSink, bot: BotIdentity): Promise<boolean> {
    const result = normalizeUpdate(raw, bot);
    if ('ignored' in result) {
      this.logger.debug({ updateId: result.updateId, reason: result.ignored }, 'telegram update ignored');
      return true;
    }
    if ('invalid' in result) {
      this.logger.warn(
        { updateId: result.updateId, reason: result.invalid },
        'telegram update invalid; skipped',
      );
      return true;
    }
    if (result.callbackQueryId !== undefined) this.answerCallback(result.callbackQueryId);
    const [first] = result.events;
    if (!first) return true;
    return await this.perThread.run(first.thread.key, async () => {
      for (const event of result.events) {
        const stored = await ingestDurably(event, {
          sink,
          logger: this.logger,
          initialMs: this.settings.ingestRetry.initialMs,
          maxMs: this.settings.ingestRetry.maxMs,
          stopping: this.stopping.signal,
        });
        if (stored === 'abandoned') return false;
      }
      return true;
    });
  }

  /** Stops the button's spinner at once; the answer itself comes as a message later. */
  private answerCallback(id: string): void {
    const call = this.telegram
      .answerCbQuery(id)
      .catch((error: unknown) => {
        this.logger.debug({ err: this.describe(error) }, 'telegram answerCallbackQuery failed');
      })
      .finally(() => this.background.delete(call));
    this.background.add(call);
  }

  private async registerCommands(): Promise<void> {
    const [first, ...others] = this.settings.commandLanguages;
    const menus: { language?: string; menu: ReturnType<typeof commandMenu> }[] = [
      { menu: first === undefined ? undefined : commandMenu(first) },
      ...[first, ...others].flatMap((language) =>
        language === undefined ? [] : [{ language, menu: commandMenu(language) }],
      ),
    ];
    for (const { language, menu } of menus) {
      if (!menu) {
        this.logger.warn({ language }, 'telegram: no command menu text for this language');
        continue;
      }
      try {
        await this.telegram.setMyCommands(menu, language === undefined ? {} : { language_code: language });
      } catch (error) {
        this.logger.warn({ language, err: this.describe(error) }, 'telegram setMyCommands failed');
      }
    }
  }

  private async startWebhook(handle: (update: unknown) => Promise<boolean>): Promise<void> {
    const hook = this.settings.webhook;
    const secret = this.options.webhookSecret;
    if (!hook || secret === undefined) {
      throw new VerityError(
        'TELEGRAM_SETTINGS',
        'webhook mode needs webhook.publicUrl and TELEGRAM_WEBHOOK_SECRET',
      );
    }
    this.webhook = await startWebhookServer({
      host: hook.listen.host,
      port: hook.listen.port,
      path: new URL(hook.publicUrl).pathname,
      secret,
      maxBodyBytes: hook.maxBodyBytes,
      logger: this.logger,
      handle,
    });
    try {
      await this.telegram.setWebhook(hook.publicUrl, {
        secret_token: secret,
        allowed_updates: ALLOWED_UPDATES,
        max_connections: hook.maxConnections,
      });
    } catch (error) {
      await this.webhook.close();
      this.webhook = undefined;
      throw new VerityError('TELEGRAM_START', `telegram setWebhook failed: ${this.describe(error)}`);
    }
  }

  private describe(error: unknown): string {
    return redact(error instanceof Error ? error.message : String(error), this.token);
  }
}
