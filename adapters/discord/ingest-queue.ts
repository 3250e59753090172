/**
 * Hands events to the sink in order per thread, retrying a failing sink with capped
 * doubling backoff and never dropping an event while the adapter runs: discord.js has
 * already acknowledged the dispatch, so Discord will not send it again. Events of one
 * thread wait behind a retrying one, so a conversation keeps its order; other threads
 * go on.
 */
import type { Logger } from 'pino';
import type { InboundSink } from '../../src/core/channel.ts';
import { KeyedSerializer } from '../../src/core/keyed-serializer.ts';
import type { InboundEventInput } from '../../src/core/model.ts';

export interface IngestQueueOptions {
  retryMs: number;
  retryMaxMs: number;
  logger: Logger;
}

export class IngestQueue {
  readonly #perThread = new KeyedSerializer();
  readonly #inFlight = new Set<Promise<void>>();
  #abandon = new AbortController();
  stored = 0;
  rejected = 0;
  retries = 0;

  constructor(
    private sink: InboundSink | null,
    private readonly opts: IngestQueueOptions,
  ) {}

  setSink(sink: InboundSink): void {
    this.sink = sink;
    this.#abandon = new AbortController();
  }

  get pending(): number {
    return this.#inFlight.size;
  }

  /** Resolves once the event is stored (or rejected as malformed by the sink). */
  push(event: InboundEventInput): Promise<void> {
    const run = this.#perThread.run(event.thread.key, () => this.#deliver(event));
    this.#inFlight.add(run);
    void run.finally(() => this.#inFlight.delete(run));
    return run;
  }

  /** Waits for in-flight events; after `timeoutMs` the ones still retrying are abandoned (and logged). */
  async drain(timeoutMs: number): Promise<void> {
    const timer = setTimeout(() => this.#abandon.abort(), timeoutMs);
    try {
      while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #deliver(event: InboundEventInput): Promise<void> {
    let delay = this.opts.retryMs;
    for (let attempt = 1; ; attempt += 1) {
      try {
        if (!this.sink) throw new Error('no sink: the adapter is not started');
        const outcome = await this.sink.ingest(event);
        if (outcome.status === 'rejected') {
          this.rejected += 1;
          this.opts.logger.warn(
            { eventId: event.eventId, reason: outcome.reason },
            'discord: event rejected by the store',
          );
        } else {
          this.stored += 1;
        }
        return;
      } catch (error) {
        if (this.#abandon.signal.aborted) {
          this.opts.logger.error(
            { eventId: event.eventId, err: error },
            'discord: event abandoned at shutdown after ingest failures',
          );
          return;
        }
        this.retries += 1;
        this.opts.logger.warn(
          { eventId: event.eventId, attempt, err: error },
          'discord: ingest failed; retrying',
        );
        await sleep(delay, this.#abandon.signal);
        delay = Math.min(delay * 2, this.opts.retryMaxMs);
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
