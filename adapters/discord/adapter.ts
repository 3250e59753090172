/**
 * The Discord channel on discord.js v14: gateway events → inbound events (via
 * normalize.ts and the ingest queue), outbound commands → REST (send.ts, or a deferred
 * interaction reply via pending.ts). Works against real Discord with a token and an
 * application id, or against the emulator when `credentials.apiBase` points at it.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Client, type ClientOptions, Events, GatewayIntentBits, Partials, Status } from 'discord.js';
import type { Logger } from 'pino';
import type {
  AdapterHealth,
  ChannelAdapter,
  FetchedFile,
  InboundSink,
  LimitScope,
  SendResult,
} from '../../src/core/channel.ts';
import type { OutboundCommand } from '../../src/core/model.ts';
import { withBindings } from '../../src/ops/logger.ts';
import { registerCommands } from './commands.ts';
import type { DiscordCredentials, DiscordSettings } from './config.ts';
import { safeError } from './errors.ts';
import { IngestQueue } from './ingest-queue.ts';
import { handleInteraction } from './interactions.ts';
import {
  type NormalizeContext,
  type Normalized,
  normalizeEdit,
  normalizeJoin,
  normalizeMessage,
  normalizeRename,
} from './normalize.ts';
import { type GuardStats, guardPackets } from './packet-guard.ts';
import { PendingAnswers } from './pending.ts';
import { rawDmEdit } from './raw-edit.ts';
import { DiscordSender } from './send.ts';
import { postTicketButtons, Tickets } from './tickets.ts';

export interface DiscordAdapterOptions {
  settings: DiscordSettings;
  credentials: DiscordCredentials;
  logger: Logger;
  /** How long an unanswered deferred command waits before a short acknowledgement. */
  interactionFallbackMs?: number;
  readyTimeoutMs?: number;
  stopTimeoutMs?: number;
}

/** The events that carry something to ingest; removed first when stopping. */
const RECEIVING_EVENTS = [
  Events.MessageCreate,
  Events.MessageUpdate,
  Events.GuildMemberAdd,
  Events.GuildMemberUpdate,
  Events.UserUpdate,
  Events.InteractionCreate,
] as const;

const CDN_HOSTS = new Set(['cdn.discordapp.com', 'media.discordapp.net']);

/**
 * A send while the adapter is stopped (the runtime stops adapters before draining delivery).
 * Deliberately not a DeliveryError: delivery then leaves the command in its stream for the
 * next process to send, instead of spending its retries and recording a failure for good.
 */
export class AdapterStoppedError extends Error {
  constructor() {
    super('discord adapter: send() while not started');
    this.name = 'AdapterStoppedError';
  }
}

export class DiscordAdapter implements ChannelAdapter {
  readonly channel = 'discord';
  readonly #opts: DiscordAdapterOptions;
  #context: NormalizeContext | undefined;
  readonly #logger: Logger;
  readonly #queue: IngestQueue;
  readonly #pending: PendingAnswers;
  #client: Client | null = null;
  #sender: DiscordSender | null = null;
  #guard: GuardStats = { quarantined: 0, caught: 0 };
  #state: 'stopped' | 'starting' | 'ready' | 'stopping' = 'stopped';
  #ticketsInstance: { client: Client; tickets: Tickets } | null = null;
  #rawEdits: ((packet: unknown) => void) | null = null;

  constructor(opts: DiscordAdapterOptions) {
    this.#opts = opts;
    this.#logger = withBindings(opts.logger, { channel: 'discord' });
    this.#queue = new IngestQueue(null, {
      retryMs: opts.settings.ingestRetryMs,
      retryMaxMs: opts.settings.ingestRetryMaxMs,
      logger: this.#logger,
    });
    this.#pending = new PendingAnswers(this.#logger, opts.interactionFallbackMs);
  }

  /** The discord.js client while started (for tests and the bench). */
  get client(): Client | null {
    return this.#client;
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.#state !== 'stopped') throw new Error(`discord adapter: start() while ${this.#state}`);
    this.#state = 'starting';
    this.#queue.setSink(sink);
    const client = new Client(this.#clientOptions());
    this.#client = client;
    this.#guard = guardPackets(client, this.#logger);
    this.#sender = new DiscordSender(client);
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new Error('discord: not ready in time')),
        this.#opts.readyTimeoutMs ?? 30_000,
      );
      client.once(Events.ClientReady, () => resolve());
    });
    this.#wire(client);
    try {
      await Promise.race([client.login(this.#opts.credentials.token).then(() => ready), ready]);
    } catch (error) {
      await client.destroy();
      this.#client = null;
      this.#sender = null;
      this.#state = 'stopped';
      throw error;
    } finally {
      clearTimeout(timer);
    }
    this.#state = 'ready';
    this.#logger.info({ bot: client.user?.tag, guilds: client.guilds.cache.size }, 'discord: connected');
    await this.#setUp(client);
  }

  async stop(): Promise<void> {
    if (this.#state === 'stopped') return;
    this.#state = 'stopping';
    const client = this.#client;
    // Stop receiving first; events already received still reach the sink.
    for (const event of RECEIVING_EVENTS) client?.removeAllListeners(event);
    if (this.#rawEdits) client?.off('raw', this.#rawEdits);
    await this.#queue.drain(this.#opts.stopTimeoutMs ?? 30_000);
    this.#pending.clear();
    await client?.destroy();
    this.#client = null;
    this.#sender = null;
    this.#state = 'stopped';
  }

  async send(command: OutboundCommand): Promise<SendResult> {
    const sender = this.#sender;
    if (!sender) throw new AdapterStoppedError();
    if (command.type === 'send') {
      const entry = this.#pending.match(command);
      const answered = entry ? await this.#pending.answer(entry, command) : undefined;
      if (answered) return answered;
    }
    return sender.send(command);
  }

  /** Discord limits sends per channel; there is no stricter group limit. */
  limitScope(command: OutboundCommand): LimitScope {
    return { chat: command.threadKey, group: false };
  }

  health(): AdapterHealth {
    const client = this.#client;
    const connected = client?.ws.status === Status.Ready;
    const info: Record<string, string> = {
      quarantinedDispatches: String(this.#guard.quarantined),
      caughtLibraryErrors: String(this.#guard.caught),
      pendingIngests: String(this.#queue.pending),
      ingestRetries: String(this.#queue.retries),
    };
    if (client?.user) info.bot = client.user.tag;
    if (client) info.guilds = String(client.guilds.cache.size);
    if (this.#guard.lastReason) info.lastDroppedDispatch = this.#guard.lastReason;
    const ok = this.#state === 'ready' && connected;
    const detail = ok
      ? 'connected to the gateway'
      : this.#state === 'ready'
        ? 'reconnecting to the gateway'
        : this.#state;
    return { ok, detail, info };
  }

  /** `fileId` is the attachment's URL; only Discord's CDN (or the configured API host) is fetched. */
  async fetchFile(fileId: string): Promise<FetchedFile> {
    const url = new URL(fileId);
    const apiBase = this.#opts.credentials.apiBase;
    const allowed =
      CDN_HOSTS.has(url.hostname) || (apiBase !== undefined && new URL(apiBase).origin === url.origin);
    if (!allowed || (url.protocol !== 'https:' && apiBase === undefined))
      throw new Error(`discord: refusing to fetch ${url.origin}`);
    const response = await fetch(url, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok || !response.body)
      throw new Error(`discord: attachment fetch answered ${response.status}`);
    const size = Number(response.headers.get('content-length'));
    const body: WebReadableStream<Uint8Array> = response.body;
    return {
      stream: Readable.fromWeb(body),
      ...(response.headers.get('content-type')
        ? { mimeType: response.headers.get('content-type') ?? '' }
        : {}),
      ...(Number.isFinite(size) && size > 0 ? { size } : {}),
      name: decodeURIComponent(url.pathname.split('/').pop() ?? 'file'),
    };
  }

  #clientOptions(): ClientOptions {
    const { rest } = this.#opts.settings;
    const apiBase = this.#opts.credentials.apiBase;
    return {
      intents: [
        GatewayIntentBits.Guilds,
        GatewayIntentBits.GuildMessages,
        GatewayIntentBits.MessageContent,
        GatewayIntentBits.DirectMessages,
        GatewayIntentBits.GuildMembers,
      ],
      // Without Partials.Channel discord.js silently drops DMs; Partials.Message lets edits
      // of messages sent before this process started through.
      partials: [Partials.Channel, Partials.Message],
      allowedMentions: { parse: [] },
      rest: {
        ...(apiBase ? { api: apiBase } : {}),
        globalRequestsPerSecond: rest.globalRequestsPerSecond,
        timeout: rest.timeoutMs,
        // Short waits are cheaper inside discord.js (it keeps per-channel order); long ones go
        // back to delivery as DeliveryError('rate-limited') so no worker sleeps for minutes.
        rejectOnRateLimit: (data) => data.retryAfter > rest.maxRateLimitWaitMs,
      },
    };
  }

  /**
   * Built once per bot identity, not per event: the raw-packet listener asks for it on every
   * gateway packet, and two fresh Sets each time were ~1 % of the Discord bench's CPU profile.
   */
  #normalizeContext(client: Client): NormalizeContext {
    const botId = client.user?.id ?? '';
    if (this.#context?.botId !== botId) {
      this.#context = {
        botId,
        guildIds: new Set(this.#opts.settings.guildIds),
        supportChannelIds: new Set(this.#opts.settings.supportChannelIds),
      };
    }
    return this.#context;
  }

  #wire(client: Client): void {
    const take = (what: string, result: Normalized) => this.#take(what, result);
    client.on(Events.MessageCreate, (message) =>
      take('message', normalizeMessage(message, this.#normalizeContext(client))),
    );
    client.on(Events.MessageUpdate, (_old, message) =>
      take('edit', normalizeEdit(message, this.#normalizeContext(client))),
    );
    // Only this listener goes at stop: the packet guard's own `raw` listener stays to the end.
    this.#rawEdits = (packet: unknown) => {
      const edit = rawDmEdit(packet, client, this.#normalizeContext(client));
      if (edit) take('edit', edit);
    };
    client.on('raw', this.#rawEdits);
    client.on(Events.GuildMemberAdd, (member) =>
      take('member join', normalizeJoin(member, this.#normalizeContext(client))),
    );
    client.on(Events.GuildMemberUpdate, (old, member) =>
      take(
        'member update',
        normalizeRename(
          member,
          () => ({ handle: old.user.username, displayName: old.displayName }),
          this.#normalizeContext(client),
        ),
      ),
    );
    // A change of the user's own names (not a nickname) arrives as a user update.
    client.on(Events.UserUpdate, (old, user) => {
      for (const guild of client.guilds.cache.values()) {
        const member = guild.members.cache.get(user.id);
        if (!member) continue;
        const previous = () => ({
          handle: old.username,
          displayName: member.nickname ?? old.globalName ?? old.username,
        });
        take('user update', normalizeRename(member, previous, this.#normalizeContext(client)));
      }
    });
    client.on(Events.InteractionCreate, (interaction) => {
      handleInteraction(interaction, {
        settings: this.#opts.settings,
        tickets: this.#tickets(client),
        pending: this.#pending,
        logger: this.#logger,
        ingest: (event) => this.#queue.push(event),
        servesGuild: (id) =>
          this.#opts.settings.guildIds.length === 0 || this.#opts.settings.guildIds.includes(id),
      }).catch((error: unknown) =>
        this.#logger.error(
          { err: safeError(error), interactionId: interaction.id },
          'discord: interaction failed',
        ),
      );
    });
    client.on(Events.Error, (error) =>
      this.#logger.error({ err: safeError(error) }, 'discord: client error'),
    );
    client.on(Events.Warn, (message) => this.#logger.warn({ message }, 'discord: client warning'));
    client.on(Events.ShardDisconnect, (event) =>
      this.#logger.warn({ code: event.code }, 'discord: gateway disconnected'),
    );
    client.on(Events.ShardResume, (_id, replayed) =>
      this.#logger.info({ replayed }, 'discord: gateway resumed'),
    );
  }

  #tickets(client: Client): Tickets {
    if (this.#ticketsInstance?.client !== client) {
      const { supportChannelIds, staffRoleIds } = this.#opts.settings;
      this.#ticketsInstance = { client, tickets: new Tickets(client, supportChannelIds, staffRoleIds) };
    }
    return this.#ticketsInstance.tickets;
  }

  #take(what: string, result: Normalized): void {
    if (result.kind === 'ignored') return;
    if (result.kind === 'invalid') {
      this.#logger.warn({ what, reason: result.reason }, 'discord: unreadable event ignored');
      return;
    }
    void this.#queue.push(result.event);
  }

  async #setUp(client: Client): Promise<void> {
    const { settings, credentials } = this.#opts;
    const guildIds = settings.guildIds.length > 0 ? settings.guildIds : [...client.guilds.cache.keys()];
    try {
      await registerCommands(client.rest, credentials.applicationId, settings.commands.register, guildIds);
    } catch (error) {
      this.#logger.error(
        { err: safeError(error) },
        'discord: registering slash commands failed (the bot still answers messages)',
      );
    }
    if (settings.tickets.postButton) {
      await postTicketButtons(client, settings.supportChannelIds, settings.tickets.prompt, this.#logger);
    }
  }
}
