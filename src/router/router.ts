/**
 * The router role: reads inbound events from every shard's stream, runs the handler chain
 * (trust, support …) for each, then stores the bot's replies and queues them for delivery.
 * Command ids derive from the event's platform identity, so re-running an event (crash,
 * takeover, replay) appends and emits nothing twice.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { StreamConsumer, type StreamEntry } from '../bus/consumer.ts';
import { PoisonEntryError } from '../bus/handler-errors.ts';
import type { LivePublisher } from '../bus/live.ts';
import type { OutboundQueue } from '../bus/outbound.ts';
import { leaseStreams, type ShardLeases } from '../bus/shard-leases.ts';
import { parseJson } from '../core/json.ts';
import { type Conversation, InboundEvent } from '../core/model.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { ConversationStore } from '../store/conversations.ts';
import type { Middleware } from './composer.ts';
import { RouterContext } from './context.ts';

export interface RouterOptions {
  redis: Redis;
  store: ConversationStore;
  outbound: OutboundQueue;
  live: LivePublisher;
  middleware: Middleware<RouterContext>;
  logger: Logger;
  metrics: Metrics;
  consumer: string;
  bus: { batchSize: number; claimIdleMs: number; maxAttempts: number; leaseMs: number };
  blockMs?: number;
}

export const ROUTER_GROUP = 'router';

const Entry = z.object({
  e: z.string(),
  c: z.string(),
  q: z.coerce.number().int().nonnegative(),
});

export class Router {
  private readonly consumer: StreamConsumer;
  /** Which shards this router reads: one router a shard, so a conversation's events never overlap. */
  private readonly leases: ShardLeases;

  constructor(private readonly options: RouterOptions) {
    const { store, logger, bus } = options;
    this.consumer = new StreamConsumer({
      redis: options.redis,
      streams: [],
      group: ROUTER_GROUP,
      consumer: options.consumer,
      deadLetters: store.keys.deadLetters(),
      handle: (entry) => this.handle(entry),
      orderKey: (entry) => entry.fields.c,
      logger: logger.child({ role: 'router' }),
      batchSize: bus.batchSize,
      claimIdleMs: bus.claimIdleMs,
      maxAttempts: bus.maxAttempts,
      ...(options.blockMs ? { blockMs: options.blockMs } : {}),
      onHandled: (_entry, outcome, ms) => {
        options.metrics.events.inc({ stage: 'route', outcome, channel: '' });
        if (outcome === 'ok') options.metrics.stageSeconds.observe({ stage: 'route' }, ms / 1000);
      },
    });
    this.leases = leaseStreams(this.consumer, (shard) => store.keys.inboundStream(shard), {
      redis: options.redis,
      shards: store.keys.shards,
      lease: (shard) => store.keys.routerLease(shard),
      members: store.keys.routers(),
      owner: options.consumer,
      leaseMs: bus.leaseMs,
      logger: logger.child({ role: 'router' }),
      onHeld: (count) => options.metrics.routerShards.set(count),
    });
  }

  async start(): Promise<void> {
    await this.consumer.start();
    await this.leases.start();
  }

  /** Drains first, so the shards given up hold nothing of this router's in flight. */
  stop(): Promise<void> {
    return this.leases.stop(() => this.consumer.stop());
  }

  private async handle(entry: StreamEntry): Promise<void> {
    const { store, logger } = this.options;
    const fields = Entry.safeParse(entry.fields);
    if (!fields.success)
      throw new PoisonEntryError(`malformed inbound entry: ${z.prettifyError(fields.error)}`);
    const event = InboundEvent.safeParse(parseJson(fields.data.e));
    if (!event.success)
      throw new PoisonEntryError(`malformed inbound event: ${z.prettifyError(event.error)}`);
    const { c: conversationId, q: seq } = fields.data;
    const { conversation, message } = conversationId
      ? await store.turn(conversationId, event.data.type === 'message' ? seq : 0)
      : { conversation: undefined, message: undefined };
    if (event.data.type === 'reachability') {
      // The platform's word on whether the bot can write there: the inbox's to show, no turn.
      if (conversation && (conversation.unreachable ?? null) !== event.data.unreachable)
        await this.markReachability(conversation, event.data.unreachable);
      return;
    }
    if (conversation && !(await this.takesTurn(event.data, conversation.id))) {
      logger.debug(
        { eventId: event.data.eventId, conversationId },
        'album part stored; its album had its turn',
      );
      return;
    }
    const reachable =
      conversation?.unreachable !== undefined && showsUserReachable(event.data)
        ? await this.reachableAgain(conversation)
        : conversation;
    const ctx = new RouterContext(event.data, reachable, message, store, logger);
    await this.options.middleware(ctx, async () => {});
    await this.flush(ctx, entry);
  }

  /**
   * Each part of an album is stored (the inbox shows every one), but one part is the turn:
   * otherwise the bot would answer, and a collection flow move on, once for every photo. A
   * part with a caption is a turn all the same (the caption is what the user said) and
   * claims the album too, so the bare parts beside it stay quiet.
   */
  private async takesTurn(event: InboundEvent, conversationId: string): Promise<boolean> {
    if (event.type !== 'message' || event.album === undefined) return true;
    const claimed = await this.options.store.claimAlbum(conversationId, event.album, event.eventId);
    return claimed || event.text.trim() !== '';
  }

  /**
   * A conversation marked unreachable (a send was refused for good: the user blocked the
   * bot, the bot left the group) that brings a message is reachable again: Telegram unblocks
   * a bot its user writes to, a group the bot reads has it back, WeChat reopens its window.
   * So is one whose user joins the bot's private chat again (a WeChat follower coming back).
   */
  private async reachableAgain(conversation: Conversation): Promise<Conversation> {
    await this.markReachability(conversation, null);
    const { unreachable: _, ...reachable } = conversation;
    return reachable;
  }

  /** Mark the conversation unreachable (with why) or reachable again, and tell the inbox. */
  private async markReachability(conversation: Conversation, unreachable: string | null): Promise<void> {
    const { store, live } = this.options;
    await store.update(conversation.id, { unreachable });
    await live.publish({ type: 'conversation', conversationId: conversation.id, data: { unreachable } });
  }

  /** Store and queue what the chain produced, idempotently. */
  private async flush(ctx: RouterContext, entry: StreamEntry): Promise<void> {
    const { store, outbound, live } = this.options;
    const { event, conversation } = ctx;
    const base = `${event.channel}:${event.eventId}`;
    const now = Date.now();
    const at = entryTime(entry) ?? now;
    // Live events wait for the next tick's batch: the next reply need not wait for them.
    const announced: Array<Promise<void>> = [];
    for (const [i, reply] of ctx.replies.entries()) {
      const command = {
        type: 'send' as const,
        id: `${base}:r${i}`,
        channel: event.channel,
        threadKey: event.thread.key,
        text: reply.text,
        style: reply.style ?? 'plain',
        ...(reply.buttons ? { buttons: reply.buttons } : {}),
        ...(reply.replyToPlatformId ? { replyToPlatformId: reply.replyToPlatformId } : {}),
      };
      if (!conversation) {
        await outbound.emit(command, at);
        continue;
      }
      const author = { kind: reply.author ?? 'bot', id: reply.author ?? 'bot' };
      const stored = await store.reply(conversation.id, command, author, { now, at });
      if (!stored.duplicate) {
        const data = { messageId: stored.messageId };
        announced.push(live.publish({ type: 'message', conversationId: conversation.id, data }));
      }
    }
    await Promise.all(announced);
    for (const [i, pending] of ctx.commands.entries()) {
      await outbound.emit({
        ...pending,
        id: `${base}:c${i}`,
        channel: event.channel,
        threadKey: event.thread.key,
        ...(conversation ? { conversationId: conversation.id } : {}),
      });
    }
    if (conversation && ctx.updates.length) {
      await live.publish({
        type: 'conversation',
        conversationId: conversation.id,
        data: Object.assign({}, ...ctx.updates),
      });
    }
  }
}

/** Whether the event shows the user can be written to: a message, or (re)joining a private chat. */
function showsUserReachable(event: InboundEvent): boolean {
  if (event.type === 'message') return true;
  return event.type === 'member' && event.change === 'joined' && event.thread.kind === 'private';
}

/** A stream id starts with the ms it was added: the moment the event was stored. */
function entryTime(entry: StreamEntry): number | undefined {
  const ms = Number(entry.id.split('-')[0]);
  return Number.isFinite(ms) ? ms : undefined;
}
