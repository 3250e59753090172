/**
 * Rate limiters shared by every process of a deployment: bottleneck, clustered in Redis.
 * Per channel there is one limiter for the bot as a whole and one per chat (a stricter one
 * for group chats), so together all processes stay inside the platform's limits, and a
 * chat that is told to wait holds up only itself.
 *
 * Two layers: bottleneck spaces sends out evenly across processes (minTime, no
 * concurrency slots, so a crashed process holds nothing), and an exact sliding-window
 * check in Redis (lua/window-guard.lua) admits each send just before it leaves, because a
 * late timer can bunch two well-spaced sends together.
 */
import { randomUUID } from 'node:crypto';
import Bottleneck from 'bottleneck';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { LimitConfig } from '../config/schema.ts';
import type { LimitScope } from '../core/channel.ts';
import type { Keys } from '../store/keys.ts';
import { callScript } from '../store/scripts.ts';

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
  redis: Redis;
  keys: Keys;
  channel: string;
  limits: LimitConfig;
}

export class ChannelLimiter {
  private readonly global: Bottleneck;
  private readonly chats: Bottleneck.Group;
  private readonly groups: Bottleneck.Group;

  constructor(
    connection: Bottleneck.IORedisConnection,
    private readonly options: ChannelLimiterOptions,
  ) {
    const { keys, channel, limits } = options;
    const prefix = keys.prefix;
    const id = `${prefix}:limit:${channel}`;
    const common = { datastore: 'ioredis' as const, connection, clearDatastore: false, timeout: 5 * 60_000 };
    const perChat = spacing(limits.perChat.count, limits.perChat.windowMs, limits.marginMs);
    const perGroup = limits.perGroup
      ? Math.max(perChat, spacing(limits.perGroup.count, limits.perGroup.windowMs, limits.marginMs))
      : perChat;
    // The global spacing gets a 2 % margin instead of a fixed jitter: at 30/s a fixed 20 ms would cost a third.
    this.global = new Bottleneck({
      ...common,
      id: `${id}:global`,
      minTime: Math.ceil((1000 / limits.perSecond) * 1.02),
      maxConcurrent: null,
    });
    this.chats = new Bottleneck.Group({ ...common, id: `${id}:chat`, minTime: perChat, maxConcurrent: null });
    this.groups = new Bottleneck.Group({
      ...common,
      id: `${id}:group`,
      minTime: perGroup,
      maxConcurrent: null,
    });
  }

  /**
   * Perform one platform call inside every limit that applies to `scope`: the chat's (or
   * group's) spacing, then the bot-wide spacing, then the exact window check.
   */
  async call<R>(scope: LimitScope, call: () => Promise<R>): Promise<R> {
    const chat = (scope.group ? this.groups : this.chats).key(scope.chat);
    await chat.schedule(() => Promise.resolve());
    return this.global.schedule(async () => {
      await this.admit(scope);
      return call();
    });
  }

  /** Wait until the exact window check admits this send. */
  private async admit(scope: LimitScope): Promise<void> {
    const { redis, keys, channel, limits } = this.options;
    const jitter = limits.marginMs;
    const windows: Array<[string, number, number]> = [
      [keys.window(channel, 'bot'), Math.floor(limits.perSecond), 1000 + jitter],
      [keys.window(channel, `chat:${scope.chat}`), limits.perChat.count, limits.perChat.windowMs + jitter],
    ];
    if (scope.group && limits.perGroup) {
      windows.push([
        keys.window(channel, `group:${scope.chat}`),
        limits.perGroup.count,
        limits.perGroup.windowMs + jitter,
      ]);
    }
    const id = randomUUID();
    for (;;) {
      const wait = Number(
        await callScript(
          redis,
          'verityWindowGuard',
          windows.map(([key]) => key),
          [id, ...windows.flatMap(([, limit, window]) => [limit, window])],
        ),
      );
      if (wait <= 0) return;
      await new Promise((r) => setTimeout(r, wait));
    }
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
