/**
 * Ingest of inbound events, batched: the events of one loop turn that fall in the same
 * shard are stored by one call of `ingest.lua`, which pays the script's fixed cost once
 * for all of them (docs/store.md, "Per-message cost"). Each event keeps its own outcome,
 * dedupe and atomicity; the batch as a whole is atomic too.
 */
import type { Redis } from 'ioredis';
import type { InboundEvent, InboundMessage, Message } from '../core/model.ts';
import { StoreError } from './errors.ts';
import type { Keys } from './keys.ts';
import { encodeMessageBody, type MessageBody } from './records.ts';
import { callScript } from './scripts.ts';

export interface IngestResult {
  status: 'stored' | 'event' | 'duplicate';
  conversationId?: string;
  seq?: number;
  created: boolean;
}

/** What the trust shield and extraction add to an inbound message before it is stored. */
export interface IngestEnrichment {
  text?: string;
  entities?: Message['entities'];
  redactions?: Message['redactions'];
}

export interface IngestOptions {
  dedupeSeconds: number;
  streamMaxLen: number;
}

/**
 * Events per script call at most. A call blocks Redis while it runs, ~110k instructions an
 * event (a few ms for a full batch, as long as a pipeline of as many single ingests took),
 * and past a few dozen events the fixed cost it still shares is small.
 */
const MAX_BATCH = 64;

interface Pending {
  args: string[];
  resolve: (result: IngestResult) => void;
  reject: (error: unknown) => void;
}

interface Batch {
  shard: number;
  /** The caller's `now`; undefined: the time the batch is sent. */
  now: number | undefined;
  events: Pending[];
}

export class IngestQueue {
  /** This turn's batches, sent in the order they were opened. */
  #batches: Batch[] = [];
  /**
   * The batch each shard's events join. Only the newest batch of a shard takes events,
   * so a shard's events keep their order across its batches.
   */
  #open = new Map<number, Batch>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly options: IngestOptions,
  ) {}

  /** Rejects (never throws) if the event cannot be encoded or stored. */
  add(event: InboundEvent, enrichment: IngestEnrichment, now: number | undefined): Promise<IngestResult> {
    return new Promise((resolve, reject) => {
      const shard = this.keys.shardOfThread(event.channel, event.thread.key);
      const args = encodeEvent(event, enrichment, this.keys, shard);
      let batch = this.#open.get(shard);
      if (!batch || batch.now !== now) {
        batch = { shard, now, events: [] };
        this.#open.set(shard, batch);
        if (this.#batches.push(batch) === 1) setImmediate(() => this.#flush());
      }
      if (batch.events.push({ args, resolve, reject }) === MAX_BATCH) this.#flush();
    });
  }

  #flush(): void {
    const batches = this.#batches;
    this.#batches = [];
    this.#open.clear();
    for (const batch of batches) this.#send(batch);
  }

  /**
   * Each batch is its own pipeline: a pipeline is written at once, where a command sent
   * from this `setImmediate` would wait in the connection's cork for the next loop turn
   * (src/store/redis.ts), and each batch's callers get their answer as soon as it is in.
   * A batch's keys share one hash tag, so this holds on a Cluster too.
   */
  #send(batch: Batch): void {
    const { shard, events } = batch;
    const argv: string[] = [
      this.keys.shard(shard),
      String(batch.now ?? Date.now()),
      String(this.options.dedupeSeconds),
      String(this.options.streamMaxLen),
    ];
    for (const event of events) argv.push(...event.args);
    const pipeline = this.redis.pipeline();
    callScript(pipeline, 'verityIngest', [this.keys.threads(shard), this.keys.inboundStream(shard)], argv);
    pipeline.exec().then(
      (results) => {
        const [error, reply] = results?.[0] ?? [new StoreError('SCRIPT_REPLY', 'ingest: no reply')];
        if (error) this.#alone(batch, error);
        else settle(events, reply);
      },
      (error: unknown) => this.#alone(batch, error),
    );
  }

  /**
   * A failed call is retried event by event, so that an event that cannot be stored (a
   * corrupt key, say) fails alone, not with the rest of its turn. A retry that finds its
   * event a duplicate answers with the call's error: the failed call may have written it
   * whole or in part (a Lua error does not undo what the script wrote before it), as a
   * failed call of that event alone would have; the caller's own retry tells which.
   */
  #alone(batch: Batch, error: unknown): void {
    if (batch.events.length === 1) {
      batch.events[0]!.reject(error);
      return;
    }
    for (const { args, resolve, reject } of batch.events) {
      const single: Pending = {
        args,
        resolve: (result) => (result.status === 'duplicate' ? reject(error) : resolve(result)),
        reject,
      };
      this.#send({ shard: batch.shard, now: batch.now, events: [single] });
    }
  }
}

function settle(events: Pending[], reply: unknown): void {
  if (!Array.isArray(reply) || reply.length !== 3 * events.length) {
    const error = new StoreError('SCRIPT_REPLY', `ingest: unexpected reply ${String(reply)}`);
    for (const event of events) event.reject(error);
    return;
  }
  events.forEach((event, i) => {
    event.resolve(decodeOutcome(reply[3 * i], reply[3 * i + 1], reply[3 * i + 2]));
  });
}

/** Codes of ingest.lua: 0 duplicate, 1 stored, 2 event only, 3 stored in a new conversation. */
function decodeOutcome(code: unknown, conversationId: unknown, seq: unknown): IngestResult {
  if (code === 0) return { status: 'duplicate', created: false };
  const result: IngestResult = { status: code === 2 ? 'event' : 'stored', created: code === 3 };
  if (typeof conversationId === 'string' && conversationId !== '') result.conversationId = conversationId;
  if (typeof seq === 'number' && seq > 0) result.seq = seq;
  return result;
}

/** The stored entry of an inbound message (the message JSON that ingest appends). */
export function inboundMessageBody(event: InboundMessage, enrichment: IngestEnrichment): MessageBody {
  return {
    channel: event.channel,
    direction: 'in',
    author: {
      kind: 'user',
      id: event.sender.userId,
      ...(event.sender.displayName ? { name: event.sender.displayName } : {}),
    },
    text: enrichment.text ?? event.text,
    attachments: event.attachments,
    entities: enrichment.entities ?? [],
    platformMessageId: event.platformMessageId,
    edits: [],
    redactions: enrichment.redactions ?? [],
    ...(event.album ? { album: event.album } : {}),
    createdAt: event.at,
  };
}

/** One event's arguments of ingest.lua (its header documents them). */
function encodeEvent(event: InboundEvent, enrichment: IngestEnrichment, keys: Keys, shard: number): string[] {
  const field = `${event.channel}|${event.thread.key}`;
  switch (event.type) {
    case 'message':
      // A message is deduplicated by its platform id; other events by a mark of their own.
      return [
        event.addressedToBot ? 'm1' : 'm0',
        field,
        event.platformMessageId,
        event.replyToPlatformId ?? '',
        encodeMessageBody(inboundMessageBody(event, enrichment)),
        newConversation(event, shard),
        streamed(event, enrichment.text),
      ];
    case 'edit':
      return [
        'e',
        field,
        keys.seen(shard, event.channel, event.eventId),
        event.platformMessageId,
        JSON.stringify(enrichment.text ?? event.text),
        streamed(event, enrichment.text),
      ];
    default:
      return ['x', field, keys.seen(shard, event.channel, event.eventId), JSON.stringify(event)];
  }
}

/** The stream carries the stored (redacted) text, never the raw one. */
function streamed(event: InboundEvent & { text: string }, text: string | undefined): string {
  return JSON.stringify(text === undefined || text === event.text ? event : { ...event, text });
}

/**
 * The fields of the conversation a message creates, read by the script only when it does:
 * one argument, not one per field, since every argument costs server time on every message.
 * Each string is written `<length in bytes>:<string>`, so that any character may appear.
 */
function newConversation(event: InboundMessage, shard: number): string {
  const { sender, thread } = event;
  let packed = pack(String(shard));
  packed += field('channel', event.channel) + field('threadKey', thread.key) + field('kind', thread.kind);
  packed += field('participant', JSON.stringify(sender));
  if (thread.title) packed += field('title', thread.title);
  if (sender.language) packed += field('language', sender.language);
  return packed;
}

function field(name: string, value: string): string {
  return pack(name) + pack(value);
}

function pack(s: string): string {
  return `${Buffer.byteLength(s)}:${s}`;
}
