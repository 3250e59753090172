/**
 * The WeChat channel on wechaty 1.x. The same code path serves the hardened Official
 * Account puppet (production), the mock (tests, sandbox) and opt-in personal puppets.
 *
 * Receiving: the bot's own messages are dropped, events are deduplicated by id, and each
 * event is handed to the sink and awaited, retried with backoff while the sink fails
 * (never dropped while the process lives), one at a time per conversation so order holds.
 * The Official Account push is answered once the sink has it (the puppet waits for our
 * acknowledgement), or at the answer budget if storage is slow: WeChat allows 5 seconds.
 *
 * Starting: wechaty swallows a puppet's start failure into an `error` event; this adapter
 * turns it (or a timeout) into a rejected `start()` and an unhealthy `health()`, and never
 * lets it reach the process, so other channels keep running.
 */
import type { Logger } from 'pino';
import { type Message, type Wechaty, WechatyBuilder } from 'wechaty';
import type {
  AdapterHealth,
  ChannelAdapter,
  InboundSink,
  LimitScope,
  SendResult,
} from '../../src/core/channel.ts';
import { DeliveryError, VerityError } from '../../src/core/errors.ts';
import { KeyedSerializer } from '../../src/core/keyed-serializer.ts';
import type { InboundEventInput, OutboundCommand } from '../../src/core/model.ts';
import type { WechatConfig } from './config.ts';
import { toDeliveryError } from './errors.ts';
import { CHANNEL, messageToEvent, oaEventToEvent, partialEvent } from './normalize.ts';
import { NumberedOptions } from './numbered-options.ts';
import type { OaEventPush } from './oa/push.ts';
import { RecentKeys } from './oa/recent-keys.ts';
import type { Acknowledge } from './oa-puppet.ts';
import { createPuppet, type PuppetHandle } from './puppets.ts';
import { renderSend, splitByBytes } from './render.ts';

export interface WechatAdapterOptions {
  config: WechatConfig;
  logger: Logger;
  /** A puppet built by the caller (tests and the sandbox use `createMockPuppet()`). */
  puppet?: PuppetHandle;
  /** Backoff for a failing sink: first delay, ceiling. */
  ingestRetry?: { initialMs: number; maxMs: number };
  /** How long `stop()` waits for in-flight ingests. */
  stopGraceMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reports the outcome of `work` to `ack` and passes it on unchanged. */
function acknowledged(work: Promise<void>, ack: Acknowledge): Promise<void> {
  return work.then(
    () => ack(),
    (error: unknown) => {
      ack(error);
      throw error;
    },
  );
}

function conversationKey(msg: Message): string {
  try {
    return msg.room()?.id ?? msg.talker().id;
  } catch {
    return msg.id;
  }
}

export class WechatAdapter implements ChannelAdapter {
  readonly channel = CHANNEL;
  private bot: Wechaty | undefined;
  private handle: PuppetHandle | undefined;
  private sink: InboundSink | undefined;
  private state: AdapterHealth = { ok: false, detail: 'not started' };
  private readonly inFlight = new Set<Promise<void>>();
  private readonly seen = new RecentKeys(30 * 60_000, 100_000);
  private readonly serial = new KeyedSerializer();
  private readonly numbered = new NumberedOptions();
  private readonly log: Logger;
  private stopping = false;
  private starting = false;
  /** wechaty reports a puppet's start failure as an `error` event, not a rejection. */
  private startErrors: unknown[] = [];

  constructor(private readonly options: WechatAdapterOptions) {
    this.log = options.logger;
  }

  async start(sink: InboundSink): Promise<void> {
    if (this.bot) throw new VerityError('WECHAT_ALREADY_STARTED', 'the WeChat adapter is already started');
    this.sink = sink;
    this.stopping = false;
    this.starting = true;
    this.startErrors = [];
    this.state = { ok: false, detail: 'starting' };
    try {
      const handle = this.options.puppet ?? createPuppet(this.options.config.puppet, this.log);
      this.handle = handle;
      const bot = WechatyBuilder.build(
        handle.kind === 'opt-in' ? { puppet: handle.name } : { puppet: handle.puppet },
      );
      this.bot = bot;
      this.listen(bot, handle);
      const timeoutMs = this.options.config.startTimeoutMs;
      await withTimeout(bot.start(), timeoutMs, 'starting the WeChat puppet');
      if (this.startErrors.length > 0) throw this.startErrors[0];
      if (handle.kind === 'mock') handle.afterStart();
      if (handle.kind === 'opt-in') {
        this.state = { ok: false, detail: 'waiting for login (scan the QR code)', info: this.info() };
      } else {
        await withTimeout(bot.ready(), timeoutMs, 'waiting for the WeChat puppet to be ready');
        this.state = { ok: true, detail: 'receiving', info: this.info() };
      }
    } catch (error) {
      const reason = describe(error);
      this.state = { ok: false, detail: `failed to start: ${reason}`, info: this.info() };
      await this.shutdownBot();
      throw new VerityError(
        'WECHAT_START_FAILED',
        `WeChat channel failed to start: ${reason}`,
        { puppet: this.options.puppet?.kind ?? this.options.config.puppet.kind },
        { cause: error },
      );
    } finally {
      this.starting = false;
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    let timer: NodeJS.Timeout | undefined;
    const settled = await Promise.race([
      Promise.allSettled([...this.inFlight]).then(() => true),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), this.options.stopGraceMs ?? 10_000);
      }),
    ]);
    clearTimeout(timer);
    if (!settled) {
      this.log.error({ pending: this.inFlight.size }, 'wechat stop: events still not stored; abandoning');
    }
    await this.shutdownBot();
    this.state = { ok: false, detail: 'stopped' };
  }

  private listen(bot: Wechaty, handle: PuppetHandle): void {
    bot.on('error', (error: unknown) => {
      if (this.starting) this.startErrors.push(error);
      this.log.error({ err: error }, 'wechaty error');
    });
    bot.on('message', (msg: Message) => {
      const work = this.serial.run(conversationKey(msg), () => this.onMessage(msg));
      this.track(acknowledged(work, (error) => this.acknowledge(msg.id, error)));
    });
    bot.on('login', () => {
      if (!this.starting) this.state = { ok: true, detail: 'logged in', info: this.info() };
    });
    bot.on('scan', (qrcode: string) => {
      this.state = {
        ok: false,
        detail: 'waiting for login (scan the QR code)',
        info: { ...this.info(), qrcode },
      };
    });
    bot.on('logout', () => {
      this.state = { ok: false, detail: 'logged out', info: this.info() };
    });
    if (handle.kind === 'official-account') {
      handle.puppet.oaEvents.on('event', (push: OaEventPush, ack: Acknowledge) => {
        const work = this.serial.run(push.FromUserName, () => this.onOaEvent(push));
        this.track(acknowledged(work, ack));
      });
    }
  }

  health(): AdapterHealth {
    return this.state;
  }

  limitScope(command: OutboundCommand): LimitScope {
    // Room ids carry an "@"; Official Account openids never do. Quotas are per user.
    return { chat: command.threadKey, group: command.threadKey.includes('@') };
  }

  async send(command: OutboundCommand): Promise<SendResult> {
    const bot = this.bot;
    if (!bot || !this.state.ok) {
      throw new DeliveryError(
        'transient',
        'not-started',
        `WeChat channel is not running (${this.state.detail})`,
      );
    }
    switch (command.type) {
      case 'typing':
        return {};
      case 'edit':
      case 'delete':
      case 'timeout':
        throw new DeliveryError(
          'permanent',
          'unsupported',
          `WeChat customer-service messages cannot ${command.type}`,
        );
      case 'send': {
        // Each part is a separate send and counts against the per-user quota.
        const parts = splitByBytes(renderSend(command), this.options.config.maxTextBytes);
        let platformMessageId: string | undefined;
        for (const part of parts) {
          try {
            const id = await bot.puppet.messageSendText(command.threadKey, part);
            if (typeof id === 'string') platformMessageId = id;
          } catch (error) {
            throw toDeliveryError(error);
          }
        }
        if (!this.limitScope(command).group) this.numbered.remember(command.threadKey, command.buttons);
        return platformMessageId === undefined ? {} : { platformMessageId };
      }
    }
  }

  /** Lets the OA puppet answer the push (see WECHATY_PUPPET_OA_ANSWER_BUDGET_MS). */
  private acknowledge(messageId: string, error?: unknown): void {
    if (this.handle?.kind === 'official-account') this.handle.puppet.acknowledge(messageId, error);
  }

  private info(): Record<string, string> {
    const handle = this.handle;
    const info: Record<string, string> = { puppet: handle?.kind ?? this.options.config.puppet.kind };
    if (handle?.kind === 'official-account') {
      const address = handle.puppet.callbackAddress();
      if (address) info.callback = `http://${address.host}:${address.port}/`;
    }
    return info;
  }

  private async shutdownBot(): Promise<void> {
    const bot = this.bot;
    this.bot = undefined;
    if (this.handle?.kind === 'official-account') this.handle.puppet.oaEvents.removeAllListeners();
    if (!bot) return;
    try {
      await bot.stop();
    } catch (error) {
      this.log.warn({ err: error }, 'wechaty stop failed');
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) =>
      this.log.error({ err: error }, 'wechat event handling failed'),
    );
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async onMessage(msg: Message): Promise<void> {
    if (msg.self()) return;
    const eventId = `msg:${msg.id}`;
    if (this.seen.checkAndAdd(eventId)) return;
    let event: InboundEventInput;
    try {
      event = await messageToEvent(msg, msg.wechaty.puppet, this.log);
    } catch (error) {
      this.log.warn({ err: error, messageId: msg.id }, 'wechat message only partly understood');
      event = partialEvent(msg, describe(error));
    }
    await this.ingest(this.numbered.asButtonChoice(event), eventId);
  }

  private async onOaEvent(push: OaEventPush): Promise<void> {
    let displayName: string | undefined;
    if (push.Event === 'subscribe' && this.handle?.kind === 'official-account') {
      displayName = (await this.handle.puppet.contactPayload(push.FromUserName)).name || undefined;
    }
    const event = oaEventToEvent(push, displayName);
    if (!event) {
      this.log.debug({ event: push.Event }, 'wechat event ignored');
      return;
    }
    if (this.seen.checkAndAdd(event.eventId)) return;
    await this.ingest(event, event.eventId);
  }

  private async ingest(event: InboundEventInput, eventId: string): Promise<void> {
    const sink = this.sink;
    if (!sink) throw new Error('no sink');
    const { initialMs, maxMs } = this.options.ingestRetry ?? { initialMs: 200, maxMs: 30_000 };
    for (let attempt = 1, delay = initialMs; ; attempt++, delay = Math.min(delay * 2, maxMs)) {
      try {
        const outcome = await sink.ingest(event);
        if (outcome.status === 'rejected') {
          this.log.error({ eventId, reason: outcome.reason }, 'wechat event rejected by the sink');
        }
        return;
      } catch (error) {
        if (this.stopping && attempt > 3) {
          this.seen.forget(eventId);
          throw new Error(`event ${eventId} not stored before stop`, { cause: error });
        }
        this.log.warn({ err: error, eventId, attempt, retryInMs: delay }, 'wechat ingest failed; retrying');
        await sleep(delay);
      }
    }
  }
}
