/**
 * A local Telegram Bot API for tests, benchmarks and the sandbox. Point telegraf at
 * `apiRoot`; drive users through the control methods; read what the bot did back.
 */
import { createServer, type Server } from 'node:http';
import { handleControl } from './control-http.ts';
import { createHandler } from './http.ts';
import {
  botMemberUpdate,
  buildMessage,
  chatMemberUpdate,
  type MessageInput,
  nextEditDate,
} from './inject.ts';
import { FloodControl, TELEGRAM_LIMITS } from './limits.ts';
import type { MethodContext, MethodHandler } from './method-context.ts';
import { botMethods } from './methods-bot.ts';
import { messageMethods } from './methods-messages.ts';
import type {
  AnsweredCallback,
  ChatType,
  EmulatorLimits,
  LimitKind,
  MemberStatus,
  ScriptedFailure,
  SentEntry,
  TgChat,
  TgMessage,
  TgUpdate,
  TgUser,
} from './types.ts';
import { UpdateQueue } from './updates.ts';
import { type StoredFile, World } from './world.ts';

export interface TelegramEmulatorOptions {
  /** `<bot id>:<secret>`, as Telegram issues them. */
  token?: string;
  botUsername?: string;
  botName?: string;
  host?: string;
  port?: number;
  /** Partial limits are laid over Telegram's; `false` lifts them (benchmarks). */
  limits?: Partial<EmulatorLimits> | false;
  /** `false` only counts violations and still accepts the sends. */
  enforceLimits?: boolean;
  firstUpdateId?: number;
  /**
   * Where message ids start in every chat. The sandbox starts them from the clock, so a
   * restarted emulator never reuses an id the (persistent) store has seen: Telegram never does.
   */
  firstMessageId?: number;
  webhookRetryMs?: number;
  webhookTimeoutMs?: number;
  /** Serve `POST /control/<action>` too (the sandbox); tests call the methods directly. */
  httpControl?: boolean;
}

export interface EmulatorStats {
  violations: Readonly<Record<LimitKind, number>>;
  totalViolations: number;
  calls: Record<string, number>;
  pendingUpdates: number;
  confirmedOffset: number;
  webhook: { delivered: number; failures: number; lastErrorMessage?: string };
}

export const DEFAULT_TOKEN = '1000001:emulator-token-not-secret';

export class TelegramEmulator {
  readonly token: string;
  readonly bot: TgUser;
  readonly world: World;
  private readonly queue: UpdateQueue;
  private readonly flood: FloodControl;
  private readonly failures = new Map<string, ScriptedFailure[]>();
  private readonly calls = new Map<string, number>();
  private readonly commands = new Map<string, { command: string; description: string }[]>();
  private readonly server: Server;
  private readonly methods: Map<string, MethodHandler>;
  private address = '';

  constructor(private readonly options: TelegramEmulatorOptions = {}) {
    this.token = options.token ?? DEFAULT_TOKEN;
    const botId = Number(this.token.split(':')[0]);
    this.bot = {
      id: Number.isSafeInteger(botId) ? botId : 1000001,
      is_bot: true,
      first_name: options.botName ?? 'Example Wallet Support',
      username: options.botUsername ?? 'ExampleWalletBot',
    };
    this.world = new World(this.bot, options.firstMessageId);
    this.flood = new FloodControl(resolveLimits(options.limits), options.enforceLimits ?? true);
    this.queue = new UpdateQueue({
      firstUpdateId: options.firstUpdateId ?? 1,
      webhookRetryMs: options.webhookRetryMs ?? 100,
      webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
      onWebhookReply: (body) => void this.runWebhookReply(body),
      onChange: () => this.world.changed(),
    });
    const ctx: MethodContext = {
      world: this.world,
      queue: this.queue,
      flood: this.flood,
      commands: this.commands,
      now: () => Date.now(),
    };
    const methods = new Map<string, MethodHandler>(
      Object.entries({ ...botMethods(ctx), ...messageMethods(ctx) }).map(([name, fn]) => [
        name.toLowerCase(),
        fn,
      ]),
    );
    this.server = createServer(
      createHandler({
        token: this.token,
        world: this.world,
        methods,
        failures: this.failures,
        calls: this.calls,
        ...(options.httpControl
          ? { control: (action: string, body: unknown) => handleControl(this, action, body) }
          : {}),
      }),
    );
    this.methods = methods;
  }

  /** The base URL for telegraf's `telegram.apiRoot`. */
  get apiRoot(): string {
    return this.address;
  }

  async listen(): Promise<void> {
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, host, () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('emulator is not listening on TCP');
    this.address = `http://${host}:${address.port}/`;
  }

  async close(): Promise<void> {
    this.queue.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- users and chats -----------------------------------------------------------------

  addUser(fields: Partial<TgUser> = {}): TgUser {
    return this.world.addUser({ first_name: fields.first_name ?? 'Test User', ...fields });
  }

  addGroup(opts: {
    title: string;
    type?: Exclude<ChatType, 'private'>;
    isForum?: boolean;
    botIsAdmin?: boolean;
  }): TgChat {
    return this.world.addGroup(opts);
  }

  /** Registers a file users can send by id (and the bot can download). */
  addFile(bytes: Buffer, meta: { mimeType?: string; name?: string } = {}): StoredFile {
    return this.world.addFile(bytes, meta);
  }

  /**
   * The user blocks the bot: later sends to them are refused with 403, and the bot hears of
   * it as Telegram tells it, a my_chat_member update ("kicked" in their private chat).
   */
  blockBot(userId: number): void {
    this.world.blocked.add(userId);
    this.botStandingChanged(userId, 'member', 'kicked');
  }

  /** The user restarts the bot: sends go through again, and a my_chat_member says "member". */
  unblockBot(userId: number): void {
    this.world.blocked.delete(userId);
    this.botStandingChanged(userId, 'kicked', 'member');
  }

  private botStandingChanged(userId: number, before: MemberStatus, after: MemberStatus): void {
    const user = this.world.users.get(userId);
    if (!user) return;
    this.queue.push(botMemberUpdate(this.world.privateChatOf(user), user, this.bot, before, after));
  }

  deactivateUser(userId: number): void {
    this.world.deactivated.add(userId);
  }

  /** The chat is deleted or the bot removed: sends answer 400 "chat not found". */
  removeChat(chatId: number): void {
    this.world.gone.add(chatId);
  }

  // ---- what users do ---------------------------------------------------------------------

  privateMessage(from: TgUser, input: MessageInput | string): { update: TgUpdate; message: TgMessage } {
    return this.message(this.world.privateChatOf(from), from, input);
  }

  /** Any message in any chat the user is in; `@bot`, `/cmd` and replies are written by the caller. */
  message(
    chat: TgChat,
    from: TgUser,
    input: MessageInput | string,
  ): { update: TgUpdate; message: TgMessage } {
    const message = buildMessage(this.world, chat, from, typeof input === 'string' ? { text: input } : input);
    return { update: this.queue.push({ message }), message };
  }

  mentionBot(chat: TgChat, from: TgUser, text: string): { update: TgUpdate; message: TgMessage } {
    return this.message(chat, from, `@${this.bot.username} ${text}`);
  }

  command(chat: TgChat, from: TgUser, name: string, args = '', addressed = false) {
    const suffix = addressed ? `@${this.bot.username}` : '';
    return this.message(chat, from, `/${name}${suffix}${args ? ` ${args}` : ''}`);
  }

  /** A press of the button with `data` (default: the first) on a message the bot sent. */
  pressButton(
    chatId: number,
    messageId: number,
    from: TgUser,
    data?: string,
  ): { update: TgUpdate; queryId: string } {
    const message = this.world.message(chatId, messageId);
    if (!message || message.from?.id !== this.bot.id)
      throw new Error(`no bot message ${chatId}/${messageId}`);
    const buttons = message.reply_markup?.inline_keyboard.flat() ?? [];
    const pressed = data ?? buttons.find((b) => b.callback_data !== undefined)?.callback_data;
    if (pressed === undefined) throw new Error(`message ${messageId} has no data button`);
    const queryId = `${this.bot.id}${Date.now()}${Math.floor(Math.random() * 1e6)}`;
    this.world.callbacks.set(queryId, {});
    const update = this.queue.push({
      callback_query: { id: queryId, from, message, chat_instance: String(chatId), data: pressed },
    });
    return { update, queryId };
  }

  editMessage(chatId: number, messageId: number, text: string): { update: TgUpdate; message: TgMessage } {
    const current = this.world.message(chatId, messageId);
    if (!current) throw new Error(`no message ${chatId}/${messageId}`);
    const message: TgMessage = { ...current, text, edit_date: nextEditDate(current.edit_date) };
    this.world.replaceMessage(message);
    return { update: this.queue.push({ edited_message: message }), message };
  }

  joinMembers(chat: TgChat, users: TgUser[]): { update: TgUpdate; message: TgMessage } {
    const [first] = users;
    if (!first) throw new Error('joinMembers needs at least one user');
    const message = this.world.addMessage(chat, { from: first, new_chat_members: users });
    return { update: this.queue.push({ message }), message };
  }

  renameMember(
    chat: TgChat,
    userId: number,
    changes: Partial<Pick<TgUser, 'first_name' | 'last_name' | 'username'>>,
  ) {
    const { before, after } = this.world.updateUser(userId, changes);
    return this.queue.push(chatMemberUpdate(chat, before, after));
  }

  /** Anything at all as an update payload (fuzzing); the emulator only adds `update_id`. */
  injectRaw(payload: Record<string, unknown>): TgUpdate {
    return this.queue.push(payload);
  }

  // ---- what the bot did -------------------------------------------------------------------

  sent(chatId: number): readonly SentEntry[] {
    return this.world.sent(chatId);
  }

  sentMessages(chatId: number): Extract<SentEntry, { kind: 'message' }>[] {
    return this.world
      .sent(chatId)
      .filter((e): e is Extract<SentEntry, { kind: 'message' }> => e.kind === 'message');
  }

  get answeredCallbacks(): readonly AnsweredCallback[] {
    return this.world.answeredCallbacks;
  }

  commandsFor(languageCode?: string, scope = 'default'): { command: string; description: string }[] {
    return this.commands.get(`${scope}:${languageCode ?? ''}`) ?? [];
  }

  stats(): EmulatorStats {
    const violations = this.flood.violations;
    const status = this.queue.webhookStatus;
    return {
      violations,
      totalViolations: violations.bot + violations.chat + violations.group,
      calls: Object.fromEntries(this.calls),
      pendingUpdates: this.queue.pendingCount,
      confirmedOffset: this.queue.confirmedOffset,
      webhook: {
        delivered: status.delivered,
        failures: status.failures,
        ...(status.lastErrorMessage !== undefined ? { lastErrorMessage: status.lastErrorMessage } : {}),
      },
    };
  }

  // ---- test controls ----------------------------------------------------------------------

  /** The next `times` calls of `method` fail with this answer (e.g. a 500, a 429). */
  failNext(method: string, failure: ScriptedFailure, times = 1): void {
    const list = this.failures.get(method.toLowerCase()) ?? [];
    for (let i = 0; i < times; i++) list.push(failure);
    this.failures.set(method.toLowerCase(), list);
  }

  setLimits(limits: Partial<EmulatorLimits> | false, enforce = true): void {
    this.flood.configure(resolveLimits(limits), enforce);
  }

  /** Resolves with the predicate's first truthy value, re-checked on every state change. */
  async waitFor<T>(predicate: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
    const first = predicate();
    if (first) return first;
    return await new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = predicate();
        if (!value) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`waitFor timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.world.off('change', check);
      };
      this.world.on('change', check);
    });
  }

  /** Waits until the bot has sent `count` entries to `chatId` and returns them. */
  async waitForSent(chatId: number, count = 1, timeoutMs = 5000): Promise<readonly SentEntry[]> {
    return await this.waitFor(() => {
      const sent = this.sent(chatId);
      return sent.length >= count ? sent : undefined;
    }, timeoutMs);
  }

  private async runWebhookReply(body: unknown): Promise<void> {
    if (typeof body !== 'object' || body === null || !('method' in body) || typeof body.method !== 'string')
      return;
    const method = this.methods.get(body.method.toLowerCase());
    if (!method) return;
    const params: Record<string, unknown> = { ...body };
    try {
      await method({ params, uploads: new Map(), closed: Promise.resolve() });
    } catch {
      // Telegram drops a failed webhook-reply call silently; so does the emulator.
    }
  }
}

function resolveLimits(limits: Partial<EmulatorLimits> | false | undefined): EmulatorLimits | false {
  return limits === false ? false : { ...TELEGRAM_LIMITS, ...limits };
}

export async function startTelegramEmulator(
  options: TelegramEmulatorOptions = {},
): Promise<TelegramEmulator> {
  const emulator = new TelegramEmulator(options);
  await emulator.listen();
  return emulator;
}
