/**
 * Rate limiters shared by every process of a deployment: bottleneck, clustered in Redis.
 * Per channel there is one limiter for the bot as a whole and one per chat (a stricter one
 * for group chats), so together all processes stay inside the platform's limits, and a
 * chat that is told to wait holds up only itself.
 */
import Bottleneck from 'bottleneck';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LimitConfig } from '../config/schema.ts';
import type { LimitScope } from '../core/channel.ts';

/**
 * bottleneck recovers from a lost Redis state (restart, flush, expired client) by matching
 * its scripts' bare error messages, but Redis 7 prefixes them with "ERR " (and appends
 * where the script failed), so recovery never runs and every later job fails (upstream
 * issues #205, #212, #219; the fix, PR #215, was never released). Reducing such errors to
 * the bare code before bottleneck sees them restores its own recovery path.
 */
const RECOVERABLE = /\b(SETTINGS_KEY_NOT_FOUND|UNKNOWN_CLIENT)\b/;

type ScriptCallback = (err: unknown, replies: unknown) => void;
type ScriptArgs = (name: string, id: string, args: unknown[], cb: ScriptCallback) => unknown[];

export function limiterConnection(client: Redis, logger: Logger): Bottleneck.IORedisConnection {
  const connection = new Bottleneck.IORedisConnection({ client });
  const original: unknown = Reflect.get(connection, '__scriptArgs__');
  if (typeof original !== 'function')
    throw new Error('bottleneck internals changed: __scriptArgs__ is missing');
  const scriptArgs: ScriptArgs = (name, id, args, cb) =>
    original.call(connection, name, id, args, (err: unknown, replies: unknown) => {
      const code = err instanceof Error ? RECOVERABLE.exec(err.message)?.[1] : undefined;
      if (code && err instanceof Error) err.message = code;
      cb(err, replies);
    });
  Reflect.set(connection, '__scriptArgs__', scriptArgs);
  connection.on('error', (err: unknown) => logger.warn({ err }, 'rate limiter connection error'));
  return connection;
}

/** Spacing between sends that never exceeds `count` per `windowMs`, with room for jitter. */
export function spacing(count: number, windowMs: number, jitterMs: number): number {
  return Math.ceil(windowMs / count) + jitterMs;
}

export interface ChannelLimiterOptions {
  prefix: string;
  channel: string;
  limits: LimitConfig;
  /** Added to every spacing: how late a send may arrive relative to when it left. */
  jitterMs?: number;
}

export class ChannelLimiter {
  private readonly global: Bottleneck;
  private readonly chats: Bottleneck.Group;
  private readonly groups: Bottleneck.Group;

  constructor(connection: Bottleneck.IORedisConnection, options: ChannelLimiterOptions) {
    const { prefix, channel, limits } = options;
    const id = `${prefix}:limit:${channel}`;
    const common = { datastore: 'ioredis' as const, connection, clearDatastore: false, timeout: 5 * 60_000 };
    const perChat = spacing(limits.perChat.count, limits.perChat.windowMs, options.jitterMs ?? 20);
    const perGroup = limits.perGroup
      ? Math.max(perChat, spacing(limits.perGroup.count, limits.perGroup.windowMs, options.jitterMs ?? 20))
      : perChat;
    // The global spacing gets a 2 % margin instead of a fixed jitter: at 30/s a fixed 20 ms would cost a third.
    this.global = new Bottleneck({
      ...common,
      id: `${id}:global`,
      minTime: Math.ceil((1000 / limits.perSecond) * 1.02),
      maxConcurrent: null,
    });
    this.chats = new Bottleneck.Group({ ...common, id: `${id}:chat`, minTime: perChat, maxConcurrent: 1 });
    this.groups = new Bottleneck.Group({ ...common, id: `${id}:group`, minTime: perGroup, maxConcurrent: 1 });
  }

  /**
   * Run `work` holding the chat's slot: it may call `platform` several times (retries after
   * a 429), each call also taking a slot of the bot-wide limiter. Waiting out a 429 inside
   * `work` delays this chat only.
   */
  run<T>(
    scope: LimitScope,
    work: (platform: <R>(call: () => Promise<R>) => Promise<R>) => Promise<T>,
  ): Promise<T> {
    const chat = (scope.group ? this.groups : this.chats).key(scope.chat);
    return chat.schedule(() => work((call) => this.global.schedule(call)));
  }

  /** Jobs waiting in this process. */
  queued(): number {
    return this.global.queued();
  }

  async stop(): Promise<void> {
    await Promise.all([
      this.global.disconnect(false),
      this.chats.disconnect(false),
      this.groups.disconnect(false),
    ]);
  }
}
