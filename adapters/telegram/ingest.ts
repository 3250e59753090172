/**
 * Hands events to the sink until they are stored. An update is confirmed to Telegram only
 * after this resolves `stored`, so while storage is down the update waits here (and on
 * Telegram's side) instead of being lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { InboundSink } from '../../src/core/channel.ts';
import type { InboundEventInput } from '../../src/core/model.ts';

export interface DurableIngestOptions {
  sink: InboundSink;
  logger: Logger;
  initialMs: number;
  maxMs: number;
  /** Aborted when the adapter stops: a failing ingest is then abandoned (and not confirmed). */
  stopping: AbortSignal;
}

export type IngestResult = 'stored' | 'abandoned';

export async function ingestDurably(
  event: InboundEventInput,
  opts: DurableIngestOptions,
): Promise<IngestResult> {
  let delay = opts.initialMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const outcome = await opts.sink.ingest(event);
      if (outcome.status === 'rejected') {
        opts.logger.warn(
          { eventId: event.eventId, reason: outcome.reason },
          'telegram event rejected by the store',
        );
      }
      if (attempt > 1)
        opts.logger.info({ eventId: event.eventId, attempt }, 'telegram event stored after retries');
      return 'stored';
    } catch (error) {
      opts.logger.warn(
        { eventId: event.eventId, attempt, err: error instanceof Error ? error.message : String(error) },
        'telegram event not stored yet; holding the update and retrying',
      );
    }
    if (opts.stopping.aborted) return 'abandoned';
    try {
      await sleep(delay, undefined, { signal: opts.stopping });
    } catch {
      return 'abandoned';
    }
    delay = Math.min(delay * 2, opts.maxMs);
  }
}
