/**
 * A local Discord for tests, benches and the sandbox: REST under `/api/v10`, a WebSocket
 * gateway under `/gateway`, attachment downloads under `/attachments`, and a JSON control
 * API under `/_control` (see control-http.ts). Point discord.js at it with
 * `rest: { api: emulator.apiBase }`; `GET /gateway/bot` sends the client to the gateway.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl } from './control-http.ts';
import { Gateway } from './gateway.ts';
import {
  type AttachmentInput,
  type InteractionInput,
  injectEdit,
  injectInteraction,
  injectMemberJoin,
  injectMessage,
  injectRename,
  type MessageInput,
} from './inject.ts';
import { type Fault, FaultQueue, RateLimiter, type RateLimitOptions, type Violation } from './ratelimit.ts';
import { compileRoutes, handleRest, type RestContext, type RestServerDeps } from './rest.ts';
import { channelRoutes } from './routes-channels.ts';
import { interactionRoutes } from './routes-interactions.ts';
import {
  type BotAction,
  ChannelType,
  type EmuChannel,
  type EmuGuild,
  type EmuInteraction,
  type EmuMessage,
  type EmuRole,
  type EmuUser,
  World,
} from './world.ts';

export interface DiscordEmulatorOptions {
  token?: string;
  applicationId?: string;
  botName?: string;
  rateLimits?: RateLimitOptions;
  /** Discord gives an interaction 3 s for its first callback. */
  interactionDeadlineMs?: number;
  heartbeatIntervalMs?: number;
  /** 0 (default) lets the OS choose. */
  port?: number;
}

const routes = compileRoutes([...channelRoutes, ...interactionRoutes]);

export class DiscordEmulator {
  readonly token: string;
  readonly world: World;
  readonly limiter: RateLimiter;
  readonly faults = new FaultQueue();
  readonly gateway: Gateway;
  readonly ctx: RestContext;
  #port = 0;
  readonly #deps: RestServerDeps;
  readonly #server = createServer((req, res) => {
    this.#onRequest(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  constructor(opts: DiscordEmulatorOptions = {}) {
    this.token = opts.token ?? 'emulator-bot-token';
    this.world = new World(opts.applicationId ?? '100000000000000001', opts.botName ?? 'Verity');
    this.limiter = new RateLimiter(opts.rateLimits);
    this.gateway = new Gateway({
      token: this.token,
      world: this.world,
      url: () => this.gatewayUrl,
      ...(opts.heartbeatIntervalMs ? { heartbeatIntervalMs: opts.heartbeatIntervalMs } : {}),
    });
    this.ctx = {
      world: this.world,
      gateway: this.gateway,
      interactionDeadlineMs: opts.interactionDeadlineMs ?? 3000,
      baseUrl: () => this.baseUrl,
    };
    this.#deps = { ...this.ctx, token: this.token, limiter: this.limiter, faults: this.faults, routes };
    this.#server.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith('/gateway')) this.gateway.upgrade(req, socket, head);
      else socket.destroy();
    });
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(port, '127.0.0.1', resolve));
    const address: AddressInfo | string | null = this.#server.address();
    this.#port = typeof address === 'object' && address ? address.port : 0;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }
  /** For discord.js `rest.api`. */
  get apiBase(): string {
    return `${this.baseUrl}/api`;
  }
  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.#port}/gateway`;
  }
  get applicationId(): string {
    return this.world.applicationId;
  }
  get bot(): EmuUser {
    return this.world.bot;
  }
  get violations(): readonly Violation[] {
    return this.limiter.violations;
  }
  get actions(): readonly BotAction[] {
    return this.world.actions;
  }

  // ---- building the world ----------------------------------------------------------

  createUser(username: string, opts: { globalName?: string; bot?: boolean } = {}): EmuUser {
    return this.world.addUser({ username, ...opts });
  }
  createGuild(name: string, ownerId?: string): EmuGuild {
    return this.world.addGuild(name, ownerId ?? this.createUser(`${name}-owner`).id);
  }
  createRole(guildId: string, name: string, permissions = 0n): EmuRole {
    return this.world.addRole(this.#guild(guildId), name, permissions);
  }
  createTextChannel(guildId: string, name: string): EmuChannel {
    this.#guild(guildId);
    return this.world.addChannel({ type: ChannelType.GuildText, name, guildId });
  }
  /** Adds a member without a gateway event (the state before the bot connects). */
  addMember(guildId: string, userId: string, opts: { roles?: string[]; nick?: string } = {}): void {
    this.world.addMember(this.#guild(guildId), userId, opts.roles ?? [], opts.nick ?? null);
  }
  setBotPermissions(guildId: string, permissions: bigint): void {
    const guild = this.#guild(guildId);
    const member = guild.members.get(this.world.bot.id);
    const role = this.world.addRole(guild, 'Verity (adjusted)', permissions, 10);
    if (member) member.roles = [role.id];
    const everyone = guild.roles.get(guild.id);
    if (everyone) everyone.permissions = 0n;
  }
  closeDms(userId: string): void {
    const user = this.world.users.get(userId);
    if (user) user.dmsClosed = true;
  }
  denySend(channelId: string): void {
    const channel = this.world.channels.get(channelId);
    if (channel) channel.botCanSend = false;
  }
  dmChannel(userId: string): EmuChannel {
    return this.world.dmChannelFor(userId);
  }
  /** Discord's 3 s for an interaction's first callback; a negative value expires every interaction at once. */
  setInteractionDeadline(ms: number): void {
    this.ctx.interactionDeadlineMs = ms;
    this.#deps.interactionDeadlineMs = ms;
  }
  setGlobalLimit(perSecond: number): void {
    this.limiter.setGlobalPerSecond(perSecond);
  }

  // ---- what users do -----------------------------------------------------------------

  injectDm(userId: string, input: string | MessageInput): EmuMessage {
    return injectMessage(this.ctx, this.world.dmChannelFor(userId).id, userId, toInput(input));
  }
  injectGuildMessage(channelId: string, userId: string, input: string | MessageInput): EmuMessage {
    return injectMessage(this.ctx, channelId, userId, toInput(input));
  }
  injectEdit(messageId: string, content: string): EmuMessage {
    return injectEdit(this.ctx, messageId, content);
  }
  injectSlash(
    channelId: string,
    userId: string,
    name: string,
    options: Record<string, string> = {},
  ): EmuInteraction {
    return injectInteraction(this.ctx, channelId, userId, { kind: 'command', name, options });
  }
  injectButton(channelId: string, userId: string, messageId: string, customId: string): EmuInteraction {
    return injectInteraction(this.ctx, channelId, userId, { kind: 'button', customId, messageId });
  }
  injectSelect(
    channelId: string,
    userId: string,
    messageId: string,
    customId: string,
    values: string[],
  ): EmuInteraction {
    return injectInteraction(this.ctx, channelId, userId, { kind: 'select', customId, messageId, values });
  }
  injectInteraction(channelId: string, userId: string, input: InteractionInput): EmuInteraction {
    return injectInteraction(this.ctx, channelId, userId, input);
  }
  memberJoin(guildId: string, userId: string, nick: string | null = null): void {
    injectMemberJoin(this.ctx, guildId, userId, nick);
  }
  rename(
    guildId: string,
    userId: string,
    change: { nick?: string | null; globalName?: string | null; username?: string },
  ): void {
    injectRename(this.ctx, guildId, userId, change);
  }
  /** Any dispatch, well-formed or not (fuzzing). */
  rawDispatch(t: string, d: unknown): void {
    this.gateway.dispatch(t, d);
  }
  dropGateway(code = 4000): void {
    this.gateway.drop(code);
  }
  injectFault(fault: Fault, count = 1, match?: RegExp): void {
    this.faults.push(fault, count, match);
  }

  // ---- what the bot did --------------------------------------------------------------

  actionsIn(channelId: string): BotAction[] {
    return this.world.actions.filter((a) => 'channelId' in a && a.channelId === channelId);
  }
  /** Messages the bot posted in a channel, oldest first (deleted ones included, flagged). */
  botMessagesIn(channelId: string): EmuMessage[] {
    return [...this.world.messages.values()].filter(
      (m) => m.channelId === channelId && m.authorId === this.world.bot.id,
    );
  }

  /** Resolves with the predicate's first truthy value; rejects after `timeoutMs`. */
  async waitFor<T>(
    predicate: () => T | undefined | null | false,
    timeoutMs = 5000,
    what = 'condition',
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline)
        throw new Error(`emulator: timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  waitForBotMessage(channelId: string, count = 1, timeoutMs = 5000): Promise<EmuMessage[]> {
    return this.waitFor(
      () => {
        const messages = this.botMessagesIn(channelId);
        return messages.length >= count ? messages : undefined;
      },
      timeoutMs,
      `${count} bot message(s) in ${channelId}`,
    );
  }
  waitForAction<K extends BotAction['kind']>(
    kind: K,
    match: (action: Extract<BotAction, { kind: K }>) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<Extract<BotAction, { kind: K }>> {
    const isKind = (a: BotAction): a is Extract<BotAction, { kind: K }> => a.kind === kind;
    return this.waitFor(() => this.world.actions.filter(isKind).find(match), timeoutMs, `a ${kind} action`);
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #guild(guildId: string): EmuGuild {
    const guild = this.world.guilds.get(guildId);
    if (!guild) throw new Error(`emulator: no guild ${guildId}`);
    return guild;
  }

  async #onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    if (url.pathname.startsWith('/api/v10/')) {
      const path = url.pathname.slice('/api/v10'.length);
      await handleRest(this.#deps, req, res, path, url.searchParams);
    } else if (url.pathname.startsWith('/attachments/')) {
      this.#serveAttachment(url.pathname, res);
    } else if (url.pathname.startsWith('/_control/')) {
      await handleControl(this, req, res, url.pathname.slice('/_control/'.length));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"404: Not Found","code":0}');
    }
  }

  #serveAttachment(pathname: string, res: ServerResponse): void {
    const [, , channelId, attachmentId] = pathname.split('/');
    for (const message of this.world.messages.values()) {
      if (message.channelId !== channelId) continue;
      const attachment = message.attachments.find((a) => a.id === attachmentId);
      if (!attachment) continue;
      const size = Math.min(attachment.size, 1_048_576);
      res
        .writeHead(200, {
          'content-type': attachment.contentType ?? 'application/octet-stream',
          'content-length': size,
        })
        .end(Buffer.alloc(size, 0x61));
      return;
    }
    res.writeHead(404).end();
  }
}

function toInput(input: string | MessageInput): MessageInput {
  return typeof input === 'string' ? { content: input } : input;
}

export async function startDiscordEmulator(opts: DiscordEmulatorOptions = {}): Promise<DiscordEmulator> {
  const emulator = new DiscordEmulator(opts);
  await emulator.listen(opts.port ?? 0);
  return emulator;
}

export type { AttachmentInput, BotAction, EmuChannel, EmuGuild, EmuMessage, EmuUser, Fault, MessageInput };
