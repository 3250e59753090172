/**
 * Long polling that confirms an update only once it is stored. telegraf's own loop
 * confirms a whole batch when its handlers return (even failed ones) and, on stop,
 * confirms the batch in flight; either would drop an update the store never took.
 * Here the offset moves past an update only after its handler said it may.
 */

import { AbortController } from 'abort-controller';
import type { Logger } from 'pino';
import { type Telegram, TelegramError, type Types } from 'telegraf';
import { redact } from './errors.ts';
import { UpdateEnvelope } from './schemas.ts';

export interface PollerOptions {
  telegram: Telegram;
  token: string;
  logger: Logger;
  timeoutSeconds: number;
  limit: number;
  allowedUpdates: readonly Types.UpdateType[];
  /** Resolves true when the update may be confirmed (stored, ignored or invalid). */
  handle(update: unknown): Promise<boolean>;
  onStatus(ok: boolean, detail: string): void;
}

const MAX_BACKOFF_MS = 60_000;

export class UpdatePoller {
  private offset = 0;
  private confirmed = 0;
  /** telegraf's fetch takes the `abort-controller` package's signal type, not the global one. */
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(private readonly opts: PollerOptions) {}

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the long poll, lets in-flight handlers finish, then confirms what they stored. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { telegram, logger } = this.opts;
    let backoff = 1000;
    while (!this.abort.signal.aborted) {
      let updates: readonly unknown[];
      try {
        updates = await telegram.callApi(
          'getUpdates',
          {
            offset: this.offset,
            limit: this.opts.limit,
            timeout: this.opts.timeoutSeconds,
            allowed_updates: this.opts.allowedUpdates,
          },
          { signal: this.abort.signal },
        );
        this.confirmed = this.offset;
        backoff = 1000;
        this.opts.onStatus(true, 'polling');
      } catch (error) {
        if (this.abort.signal.aborted) break;
        const wait = this.retryDelay(error, backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        if (!(await this.pause(wait))) break;
        continue;
      }
      const results = await Promise.all(updates.map((u) => this.handleSafely(u)));
      for (const [i, done] of results.entries()) {
        if (!done) break;
        const id = UpdateEnvelope.safeParse(updates[i]);
        if (id.success) this.offset = Math.max(this.offset, id.data.update_id + 1);
      }
    }
    await this.confirmHandled(logger);
  }

  /**
   * Storage failures are retried inside `handle`; what escapes it is a bug that would fail
   * the same way on every redelivery, so it is logged and the update confirmed rather than
   * stalling the bot (telegraf's `bot.catch`, in effect).
   */
  private async handleSafely(update: unknown): Promise<boolean> {
    try {
      return await this.opts.handle(update);
    } catch (error) {
      const id = UpdateEnvelope.safeParse(update);
      this.opts.logger.error(
        {
          updateId: id.success ? id.data.update_id : undefined,
          err: error instanceof Error ? error.message : String(error),
        },
        'telegram update handler failed; update skipped',
      );
      return true;
    }
  }

  private retryDelay(error: unknown, backoff: number): number {
    const { logger, token } = this.opts;
    if (error instanceof TelegramError) {
      const detail = `getUpdates: ${error.code} ${redact(error.description ?? '', token)}`;
      // 401: token revoked; 409: a webhook is set or another instance polls. Both need an operator.
      const needsOperator = error.code === 401 || error.code === 409;
      this.opts.onStatus(false, detail);
      if (needsOperator) logger.error({ code: error.code }, `telegram ${detail}`);
      else logger.warn({ code: error.code }, `telegram ${detail}`);
      if (error.code === 429) return (error.parameters?.retry_after ?? 1) * 1000;
      return needsOperator ? Math.max(backoff, 10_000) : backoff;
    }
    const detail = `getUpdates: ${redact(error instanceof Error ? error.message : String(error), token)}`;
    this.opts.onStatus(false, detail);
    logger.warn(`telegram ${detail}`);
    return backoff;
  }

  /** Resolves false when stopped during the pause. */
  private pause(ms: number): Promise<boolean> {
    const signal = this.abort.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** One last getUpdates so a restart does not replay what was already stored. */
  private async confirmHandled(logger: Logger): Promise<void> {
    if (this.offset <= this.confirmed) return;
    try {
      await this.opts.telegram.callApi('getUpdates', { offset: this.offset, limit: 1, timeout: 0 });
      this.confirmed = this.offset;
    } catch (error) {
      logger.warn(
        { err: redact(error instanceof Error ? error.message : String(error), this.opts.token) },
        'telegram: could not confirm the last updates; they will be redelivered and dropped as duplicates',
      );
    }
  }
}
