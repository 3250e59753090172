/**
 * Rate limiters shared by every process of a deployment: bottleneck, clustered in Redis.
 * Per channel there is one limiter for the bot as a whole and one per chat (a stricter one
 * for group chats), so together all processes stay inside the platform's limits, and a
 * chat that is told to wait holds up only itself.
 *
 * Two layers: bottleneck spaces the bot's sends out evenly across processes, then an
 * exact sliding-window check in Redis (lua/window-guard.lua) admits each send against the
 * bot-wide, per-chat and per-group windows just before it leaves (minTime, no concurrency slots, so a crashed
 * process holds nothing); a send that left late is re-dated to when it left
 * (lua/window-touch.lua). Per-chat limits are windows only: a bottleneck limiter per chat
 * costs a clustered limiter (scripts, a heartbeat timer) for every chat ever seen, which
 * measured at 143 deliveries/s with 1,000 chats.
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

export interface ChannelLimiterOptions {
  redis: Redis;
  keys: Keys;
  channel: string;
  limits: LimitConfig;
  /**
   * A late send's re-dating failed: it costs only that send's exactness, so the send goes
   * on, but operators should see it (a metric).
   */
  onRedateFailed?: (error: unknown) => void;
}

/** What delivery needs from a limiter. */
export interface Limiter {
  call<R>(scope: LimitScope, call: () => Promise<R>): Promise<R>;
  queued(): number;
  stop(): Promise<void>;
}

/** For a channel configured with `limits: off`. */
export const NO_LIMITS: Limiter = {
  call: (_scope, call) => call(),
  queued: () => 0,
  stop: async () => {},
};

export class ChannelLimiter implements Limiter {
  /** Absent when the spacing rounds to 0 ms: bottleneck then has nothing to space, at ~1.5 ms of CPU a call. */
  private readonly global: Bottleneck | undefined;

  constructor(
    connection: Bottleneck.IORedisConnection,
    private readonly options: ChannelLimiterOptions,
  ) {
    const { keys, channel, limits } = options;
    // The bot-wide spacing gets a 2 % margin rather than the fixed one: at 30/s, 20 ms would cost a third.
    const minTime = Math.floor((1000 / limits.perSecond) * 1.02);
    this.global =
      minTime > 0
        ? new Bottleneck({
            datastore: 'ioredis',
            connection,
            clearDatastore: false,
            id: keys.limiterId(channel),
            minTime,
            maxConcurrent: null,
          })
        : undefined;
  }

  /**
   * Perform one platform call inside every limit that applies to `scope`: the bot-wide
   * spacing (bottleneck), then, right before the call, the exact window check for the bot,
   * the chat and the group. A chat waiting for its window holds no bottleneck slot.
   */
  call<R>(scope: LimitScope, call: () => Promise<R>): Promise<R> {
    const admitted = async () => {
      const admission = await this.admit(scope);
      const sent = call();
      // The windows dated this send when Redis admitted it; if we only got to it more than
      // the margin later, re-date it, or a send admitted a window later could follow it too
      // closely. A failed re-dating costs only this one send's exactness, so it is not an error.
      const late = performance.now() - admission.askedAt > this.options.limits.marginMs;
      const [result] = await Promise.all([
        sent,
        late &&
          callScript(this.options.redis, 'verityWindowTouch', admission.windows, [admission.id]).catch(
            (error: unknown) => this.options.onRedateFailed?.(error),
          ),
      ]);
      return result;
    };
    return this.global ? this.global.schedule(admitted) : admitted();
  }

  /** Wait until the exact window check admits this send; says when the admitting call was made. */
  private async admit(scope: LimitScope): Promise<{ id: string; windows: string[]; askedAt: number }> {
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
    const names = windows.map(([key]) => key);
    for (;;) {
      const askedAt = performance.now();
      const wait = Number(
        await callScript(redis, 'verityWindowGuard', names, [
          id,
          ...windows.flatMap(([, limit, window]) => [limit, window]),
        ]),
      );
      if (wait <= 0) return { id, windows: names, askedAt };
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  /** Jobs waiting in this process for the bot-wide limiter. */
  queued(): number {
    return this.global?.queued() ?? 0;
  }

  async stop(): Promise<void> {
    await this.global?.disconnect(false);
  }
}
