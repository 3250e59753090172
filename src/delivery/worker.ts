/**
 * The delivery role of one channel: reads the channel's outbound streams (those of the
 * shards whose lease it holds, so each chat's commands go out from one process, in order)
 * and performs each command through the adapter, inside the deployment-wide rate limits.
 * Every command ends sent, or failed with its reason recorded on the conversation; none is
 * sent twice by us (a mark is set after each send, for a stored reply in the same step as
 * its delivery state; the one unavoidable window is a crash between the platform call and
 * that step).
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { StreamConsumer, type StreamEntry } from '../bus/consumer.ts';
import { LeaseLostError, PoisonEntryError } from '../bus/handler-errors.ts';
import type { LivePublisher } from '../bus/live.ts';
import { leaseStreams, type ShardLeases } from '../bus/shard-leases.ts';
import type { ChannelAdapter, SendResult } from '../core/channel.ts';
import { DeliveryError } from '../core/errors.ts';
import { parseJson } from '../core/json.ts';
import { OutboundCommand } from '../core/model.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { ConversationStore } from '../store/conversations.ts';
import type { Limiter } from './limiter.ts';

export interface DeliveryOptions {
  redis: Redis;
  store: ConversationStore;
  adapter: ChannelAdapter;
  limiter: Limiter;
  live: LivePublisher;
  logger: Logger;
  metrics: Metrics;
  consumer: string;
  bus: { batchSize: number; claimIdleMs: number; maxAttempts: number; leaseMs: number };
  /** Transient failures (network, 5xx) retried this many times, with backoff. */
  transientRetries?: number;
  /** A platform asking us to wait longer than this is treated as a failure to retry later. */
  maxRetryAfterMs?: number;
  sentMarkSeconds?: number;
  blockMs?: number;
}

export const deliveryGroup = (channel: string) => `delivery:${channel}`;

const Entry = z.object({
  cmd: z.string(),
  at: z.coerce.number().optional(),
  /** Set on entries put back from the dead-letter stream: their command may have gone out before. */
  replayed: z.string().optional(),
});

export class DeliveryWorker {
  private readonly consumer: StreamConsumer;
  private readonly leases: ShardLeases;
  private readonly logger: Logger;

  constructor(private readonly options: DeliveryOptions) {
    const { adapter, store, bus } = options;
    const { channel } = adapter;
    const { keys } = store;
    this.logger = options.logger.child({ role: 'delivery', channel });
    this.consumer = new StreamConsumer({
      redis: options.redis,
      streams: [],
      group: deliveryGroup(channel),
      consumer: options.consumer,
      deadLetters: keys.deadLetters(),
      handle: (entry) => this.handle(entry),
      orderKey: chatOf,
      logger: this.logger,
      batchSize: bus.batchSize,
      claimIdleMs: bus.claimIdleMs,
      maxAttempts: bus.maxAttempts,
      maxInFlight: 1024,
      ...(options.blockMs ? { blockMs: options.blockMs } : {}),
      onHandled: (_entry, outcome) => {
        if (outcome === 'left') options.metrics.deliveries.inc({ channel, outcome: 'left' });
      },
    });
    this.leases = leaseStreams(this.consumer, (shard) => keys.outboundStream(channel, shard), {
      redis: options.redis,
      shards: keys.shards,
      lease: (shard) => keys.deliveryLease(channel, shard),
      members: keys.deliverers(channel),
      owner: options.consumer,
      leaseMs: bus.leaseMs,
      logger: this.logger,
      onHeld: (count) => options.metrics.deliveryShards.set({ channel }, count),
    });
  }

  async start(): Promise<void> {
    await this.consumer.start();
    // Commands queued on the channel's one stream by a version before the sharded ones are
    // sent too (by every worker, as then); a deployment that never had one skips it.
    const { redis, store, adapter } = this.options;
    const legacy = store.keys.legacyOutboundStream(adapter.channel);
    if ((await redis.exists(legacy)) === 1) {
      await this.consumer.addStreams([legacy], { held: false });
    }
    await this.leases.start();
  }

  /** Drains first, so the shards given up hold nothing of this worker's in flight. */
  stop(): Promise<void> {
    return this.leases.stop(() => this.consumer.stop());
  }

  private async handle(entry: StreamEntry): Promise<void> {
    const { redis, store, metrics } = this.options;
    const fields = Entry.safeParse(entry.fields);
    const parsed = fields.success ? OutboundCommand.safeParse(parseJson(fields.data.cmd)) : undefined;
    if (!fields.success || !parsed?.success) {
      const error = !fields.success ? fields.error : parsed!.error!;
      throw new PoisonEntryError(`malformed outbound command: ${z.prettifyError(error)}`);
    }
    const command = parsed.data;
    const reply = storedReply(command);
    const mark = reply
      ? store.keys.replySent(reply.conversationId, command.id)
      : this.sentMark(entry, command);
    // Only an earlier attempt of this entry (or of the dead letter it was replayed from) can
    // have sent the command: emit-once keeps a second entry of it off the stream. A first
    // delivery therefore skips the look-up, one Redis call in eight on the busiest path.
    const mayHaveBeenSent = entry.attempts > 1 || fields.data.replayed !== undefined;
    if (mayHaveBeenSent && (await redis.exists(mark)) === 1) {
      // A reply's mark was set together with its delivery record: nothing is left to do.
      metrics.deliveries.inc({ channel: command.channel, outcome: 'duplicate' });
      return;
    }
    const started = performance.now();
    const markSeconds = this.options.sentMarkSeconds ?? 7 * 86_400;
    try {
      const result = await this.perform(command, () => this.consumer.holds(entry));
      const sent = { state: 'sent' as const, at: Date.now() };
      // A stored reply is marked by its delivery record, in one step: one Redis call fewer
      // per send, and no crash can leave it marked sent but still "queued" in the inbox.
      if (reply) {
        await this.record(reply, sent, result.platformMessageId, {
          commandId: command.id,
          seconds: markSeconds,
        });
      } else await redis.set(mark, result.platformMessageId ?? '', 'EX', markSeconds);
      metrics.deliveries.inc({ channel: command.channel, outcome: 'sent' });
      metrics.stageSeconds.observe({ stage: 'deliver' }, (performance.now() - started) / 1000);
      if (fields.data.at) metrics.endToEndSeconds.observe((Date.now() - fields.data.at) / 1000);
    } catch (error) {
      if (!(error instanceof DeliveryError) || error.kind !== 'permanent') throw error;
      metrics.deliveries.inc({ channel: command.channel, outcome: 'failed' });
      this.logger.warn({ id: command.id, reason: error.reason }, 'delivery failed for good');
      if (reply) await this.record(reply, { state: 'failed', error: error.reason, at: Date.now() });
      if (error.unreachable && command.conversationId) {
        await store.update(command.conversationId, { unreachable: error.reason });
        await this.options.live.publish({
          type: 'conversation',
          conversationId: command.conversationId,
          data: { unreachable: error.reason },
        });
      }
    }
  }

  /** Where a command that is not a stored reply is marked sent: beside the stream it came from. */
  private sentMark(entry: StreamEntry, command: OutboundCommand): string {
    const { keys } = this.options.store;
    if (entry.stream === keys.legacyOutboundStream(command.channel))
      return keys.legacySent(command.channel, command.id);
    return keys.sent(command.channel, keys.shardOfThread(command.channel, command.threadKey), command.id);
  }

  /**
   * One command through the limiters: waits out 429s (in this chat's lane only, so other
   * chats go on), retries transient failures with backoff, and throws a permanent
   * DeliveryError when the platform refuses for good (or a non-DeliveryError when it should
   * be retried later, from the stream). Each call first makes sure the chat's shard is still
   * this worker's (`mine`): after a long wait, another may have taken it over and sent it.
   */
  private perform(command: OutboundCommand, mine: () => Promise<boolean>): Promise<SendResult> {
    const { adapter, limiter, metrics } = this.options;
    const retries = this.options.transientRetries ?? 3;
    const maxWait = this.options.maxRetryAfterMs ?? 60_000;
    const scope = adapter.limitScope(command);
    return (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await limiter.call(scope, async () => {
            if (!(await mine())) throw new LeaseLostError();
            return adapter.send(command);
          });
        } catch (error) {
          if (!(error instanceof DeliveryError)) throw error;
          if (error.kind === 'permanent') throw error;
          if (error.kind === 'rate-limited') {
            metrics.deliveries.inc({ channel: command.channel, outcome: 'rate_limited' });
            const wait = error.retryAfterMs ?? 1000;
            if (wait > maxWait) throw error;
            await sleep(wait);
            continue;
          }
          if (attempt >= retries) {
            throw new DeliveryError('permanent', `transient: ${error.reason}`, error.message, undefined, {
              cause: error,
            });
          }
          metrics.deliveries.inc({ channel: command.channel, outcome: 'retried' });
          await sleep(Math.min(250 * 2 ** attempt, 5000) * (0.5 + Math.random()));
        }
      }
    })();
  }

  private async record(
    reply: StoredReply,
    delivery: { state: 'sent' | 'failed'; error?: string; at: number },
    platformMessageId?: string,
    sentMark?: { commandId: string; seconds: number },
  ): Promise<void> {
    const { conversationId, messageId } = reply;
    const seq = Number(messageId.slice(messageId.lastIndexOf('.') + 1));
    await this.options.store.recordDelivery(conversationId, seq, delivery, platformMessageId, sentMark);
    await this.options.live.publish({ type: 'delivery', conversationId, data: { messageId, ...delivery } });
  }
}

/** A send whose message is stored in a conversation: its delivery is recorded there. */
type StoredReply = { conversationId: string; messageId: string };

function storedReply(command: OutboundCommand): StoredReply | undefined {
  if (command.type !== 'send' || !command.messageId || !command.conversationId) return undefined;
  return { conversationId: command.conversationId, messageId: command.messageId };
}

function chatOf(entry: StreamEntry): string | undefined {
  const match = /"threadKey":"((?:[^"\\]|\\.)*)"/.exec(entry.fields.cmd ?? '');
  return match?.[1];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
