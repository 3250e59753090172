/**
 * Prometheus metrics (prom-client). One registry per process, created by the app and
 * handed to the pieces that count, so tests get fresh counters.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();

  readonly events = new Counter({
    name: 'verity_events_total',
    help: 'Events handled, by stage (ingest, route, deliver) and outcome',
    labelNames: ['stage', 'outcome', 'channel'] as const,
    registers: [this.registry],
  });

  readonly stageSeconds = new Histogram({
    name: 'verity_stage_seconds',
    help: 'Time spent in a stage',
    labelNames: ['stage'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly endToEndSeconds = new Histogram({
    name: 'verity_end_to_end_seconds',
    help: 'From an inbound event stored to its reply delivered',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'verity_deliveries_total',
    help: 'Outbound commands by channel and outcome (sent, failed, retried, rate_limited, duplicate, left to the new holder of a lease lost)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly streamLag = new Gauge({
    name: 'verity_stream_lag',
    help: 'Entries not yet delivered to the consumer group, per stream',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });

  readonly streamPending = new Gauge({
    name: 'verity_stream_pending',
    help: 'Entries delivered but not acknowledged, per stream',
    labelNames: ['stream'] as const,
    registers: [this.registry],
  });

  readonly routerShards = new Gauge({
    name: 'verity_router_shards',
    help: 'Conversation shards this router holds the lease of (reads), of all the shards',
    registers: [this.registry],
  });

  readonly deliveryShards = new Gauge({
    name: 'verity_delivery_shards',
    help: 'Shards whose outbound stream this process delivers (holds the lease of), per channel',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly limiterQueued = new Gauge({
    name: 'verity_limiter_queued',
    help: 'Sends waiting in this process for a rate limiter, per channel',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  readonly limiterRedateFailures = new Counter({
    name: 'verity_limiter_redate_failures_total',
    help: 'Late sends whose window entries could not be re-dated (the next send may follow closer than the limit)',
    labelNames: ['channel'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaults?: boolean } = {}) {
    if (options.defaults) collectDefaultMetrics({ register: this.registry });
  }
}
