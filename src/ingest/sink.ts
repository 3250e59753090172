/**
 * The inbound sink adapters hand events to: validate, let the trust shield redact and
 * annotate, store atomically (which also queues the event for the router), then tell the
 * inbox. It resolves only once the event is durably in Redis, and it never throws for bad
 * input: a malformed event is `rejected` with its reason and logged.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { LivePublisher } from '../bus/live.ts';
import type { InboundSink, IngestOutcome } from '../core/channel.ts';
import { InboundEvent } from '../core/model.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { ConversationStore, IngestEnrichment } from '../store/conversations.ts';

/** Runs before storage: the place where secrets are redacted and entities found. */
export type Enricher = (event: InboundEvent) => IngestEnrichment;

export interface SinkOptions {
  store: ConversationStore;
  live: LivePublisher;
  logger: Logger;
  metrics: Metrics;
  enrich?: Enricher;
}

export class StoreSink implements InboundSink {
  constructor(private readonly options: SinkOptions) {}

  async ingest(input: unknown): Promise<IngestOutcome> {
    const { store, live, logger, metrics, enrich } = this.options;
    const parsed = InboundEvent.safeParse(input);
    if (!parsed.success) {
      const reason = z.prettifyError(parsed.error);
      const channel = channelOf(input);
      metrics.events.inc({ stage: 'ingest', outcome: 'rejected', channel });
      logger.warn({ channel, reason }, 'inbound event rejected');
      return { status: 'rejected', reason };
    }
    const event = parsed.data;
    const started = performance.now();
    const result = await store.ingest(event, enrich ? enrich(event) : {});
    metrics.stageSeconds.observe({ stage: 'ingest' }, (performance.now() - started) / 1000);
    metrics.events.inc({ stage: 'ingest', outcome: result.status, channel: event.channel });
    if (result.status === 'duplicate') return { status: 'duplicate' };
    if (result.conversationId && result.seq) {
      // Best effort: the message is stored; an inbox that misses this sees it on refresh.
      live
        .publish({
          type: 'message',
          conversationId: result.conversationId,
          data: { messageId: `${result.conversationId}.${result.seq}` },
        })
        .catch((err: unknown) => logger.warn({ err }, 'live event not published'));
    }
    return result.conversationId
      ? { status: 'stored', conversationId: result.conversationId }
      : { status: 'stored' };
  }
}

function channelOf(input: unknown): string {
  const channel = typeof input === 'object' && input !== null ? Reflect.get(input, 'channel') : undefined;
  return typeof channel === 'string' ? channel.slice(0, 32) : 'unknown';
}
