/**
 * The conversation store: ingest of inbound events, messages written by the bot and
 * agents, history, listing with filters, and updates that never lose a concurrent change.
 * Every write is one Lua script (see ./lua); reads are parsed with zod.
 */
import type { Redis } from 'ioredis';
import type {
  Conversation,
  ConversationStatus,
  InboundEvent,
  Message,
  OutboundSend,
  Priority,
} from '../core/model.ts';
import { StoreError } from './errors.ts';
import { Keys } from './keys.ts';
import { before, decodeCursor, encodeCursor, type ListFilter, planList } from './list-plan.ts';

export type { ListFilter } from './list-plan.ts';

import { type IngestEnrichment, IngestQueue, type IngestResult } from './ingest.ts';
import { decodeConversation, decodeMessage, encodeMessageBody, type MessageBody } from './records.ts';
import { callScript } from './scripts.ts';

export type { IngestEnrichment, IngestResult } from './ingest.ts';

export interface StoreOptions {
  prefix: string;
  shards: number;
  dedupeSeconds: number;
  streamMaxLen: number;
}

/** A message the bot, an agent or the system writes: what `append` and `reply` store. */
export type AppendBody = Omit<MessageBody, 'edits' | 'redactions' | 'entities' | 'attachments'> &
  Partial<Pick<MessageBody, 'redactions' | 'entities' | 'attachments'>>;

export interface ListPage {
  conversations: Conversation[];
  /** Pass back to get the next page; absent at the end. */
  cursor?: string;
}

export interface UpdateChanges {
  status?: ConversationStatus;
  snoozedUntil?: number | null;
  assignee?: string | null;
  owner?: Conversation['owner'];
  priority?: Priority;
  team?: string | null;
  category?: string | null;
  language?: string | null;
  ticket?: string | null;
  unreachable?: string | null;
  title?: string | null;
  addTags?: string[];
  removeTags?: string[];
  markRead?: boolean;
}

export interface UpdateGuard {
  /** Apply only if the conversation is still at this version. */
  version?: number;
  /** Apply only if these fields still hold these values ('' = empty). */
  expect?: Partial<Record<'assignee' | 'status' | 'owner' | 'ticket', string>>;
}

export type UpdateResult =
  | { ok: true; changed: boolean; version: number }
  | { ok: false; reason: 'stale' | 'condition'; version: number; field?: string };

export { StoreError } from './errors.ts';

/** Negative script replies, by meaning. */
const MISSING = -2;

const TAG = /^[\p{L}\p{N}_:.-]{1,64}$/u;

/** How long an album remembers which part took its turn: a day, far past any redelivery. */
const ALBUM_MARK_SECONDS = 86_400;

export class ConversationStore {
  readonly keys: Keys;
  readonly #ingest: IngestQueue;

  constructor(
    readonly redis: Redis,
    readonly options: StoreOptions,
  ) {
    this.keys = new Keys(options.prefix, options.shards);
    this.#ingest = new IngestQueue(redis, this.keys, options);
  }

  /**
   * Store one already-validated inbound event, atomically and in one round trip shared
   * with the other events of this loop turn in its shard (see ./ingest.ts). The same event
   * twice is stored once (`duplicate`); a message creates its conversation if needed.
   * `now` defaults to when the turn's events leave.
   */
  ingest(event: InboundEvent, enrichment: IngestEnrichment = {}, now?: number): Promise<IngestResult> {
    return this.#ingest.add(event, enrichment, now);
  }

  /**
   * Add a message by the bot, an agent or the system (or a private note). With an
   * idempotency key, a retry after a crash appends it once and returns the same seq.
   */
  async append(
    conversationId: string,
    body: AppendBody,
    idempotencyKey: string,
    now = Date.now(),
  ): Promise<{ seq: number; duplicate: boolean; messageId: string }> {
    const shard = this.keys.shardOfConversation(conversationId);
    const reply = await callScript(
      this.redis,
      'verityAppend',
      [this.keys.conversation(conversationId), this.keys.seen(shard, 'out', idempotencyKey)],
      this.appendArgs(shard, conversationId, body, now),
    );
    const [code, seq] = asReply(reply);
    if (code === MISSING) throw new StoreError('CONVERSATION_NOT_FOUND', `no conversation ${conversationId}`);
    return { seq: Number(seq), duplicate: code === 0, messageId: `${conversationId}.${seq}` };
  }

  /**
   * A reply to a conversation (the bot's, an agent's), stored and queued for delivery in one
   * step: `command`'s text and buttons appended by `author` as `append` does, "queued", with
   * `command.id` as the idempotency key, and `command` (with the stored message's id) put on
   * its thread's outbound stream, once per command id.
   */
  async reply(
    conversationId: string,
    command: Omit<OutboundSend, 'messageId' | 'conversationId'>,
    author: AppendBody['author'],
    { now = Date.now(), at = now }: { now?: number; at?: number } = {},
  ): Promise<{ seq: number; duplicate: boolean; messageId: string; queued: boolean }> {
    const body: AppendBody = {
      channel: command.channel,
      direction: 'out',
      author,
      text: command.text,
      ...(command.buttons ? { buttons: command.buttons } : {}),
      delivery: { state: 'queued', at: now },
      createdAt: now,
    };
    const shard = this.keys.shardOfConversation(conversationId);
    // A conversation lives in its thread's shard; a command for another thread would go to
    // a stream whose chat's other commands are elsewhere, out of order with them.
    if (this.keys.shardOfThread(command.channel, command.threadKey) !== shard)
      throw new StoreError('THREAD_MISMATCH', `${command.threadKey} is not the thread of ${conversationId}`);
    const reply = await callScript(
      this.redis,
      'verityReply',
      [
        this.keys.conversation(conversationId),
        this.keys.seen(shard, 'out', command.id),
        this.keys.outboundStream(command.channel, shard),
        this.keys.emitted(command.channel, shard, command.id),
      ],
      [
        ...this.appendArgs(shard, conversationId, body, now),
        JSON.stringify({ ...command, conversationId }),
        this.options.streamMaxLen,
        at,
      ],
    );
    const [code, seq, entry] = asReply(reply);
    if (code === MISSING) throw new StoreError('CONVERSATION_NOT_FOUND', `no conversation ${conversationId}`);
    return {
      seq: Number(seq),
      duplicate: code === 0,
      messageId: `${conversationId}.${seq}`,
      queued: entry !== '',
    };
  }

  /** ARGV[1-6] of append.lua and reply.lua. */
  private appendArgs(
    shard: number,
    conversationId: string,
    body: AppendBody,
    now: number,
  ): Array<string | number> {
    const full: MessageBody = { attachments: [], entities: [], redactions: [], ...body, edits: [] };
    return [
      this.keys.shard(shard),
      conversationId,
      now,
      encodeMessageBody(full),
      this.options.dedupeSeconds,
      body.author.kind === 'agent' ? '1' : '0',
    ];
  }

  async get(conversationId: string): Promise<Conversation | undefined> {
    const hash = await this.redis.hgetall(this.keys.conversation(conversationId));
    return Object.keys(hash).length ? decodeConversation(hash) : undefined;
  }

  async getMany(ids: string[]): Promise<Conversation[]> {
    const hashes = await Promise.all(ids.map((id) => this.redis.hgetall(this.keys.conversation(id))));
    return hashes.filter((h) => Object.keys(h).length > 0).map(decodeConversation);
  }

  async findByThread(channel: string, threadKey: string): Promise<string | undefined> {
    const shard = this.keys.shardOfThread(channel, threadKey);
    return (await this.redis.hget(this.keys.threads(shard), `${channel}|${threadKey}`)) ?? undefined;
  }

  /** One page of a conversation's messages, newest first; `before` is a seq from the previous page. */
  async history(
    conversationId: string,
    options: { before?: number; limit?: number } = {},
  ): Promise<Message[]> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const key = this.keys.messages(conversationId);
    const total = options.before !== undefined ? options.before - 1 : await this.redis.llen(key);
    if (total <= 0) return [];
    const from = Math.max(total - limit, 0);
    const entries = await this.redis.lrange(key, from, total - 1);
    const seqs = entries.map((_, i) => String(from + i + 1));
    const [edits, deliveries] = await Promise.all([
      this.redis.hmget(this.keys.edits(conversationId), ...seqs),
      this.redis.hmget(this.keys.deliveries(conversationId), ...seqs),
    ]);
    return entries
      .map((entry, i) =>
        decodeMessage(conversationId, from + i + 1, entry, edits[i] ?? null, deliveries[i] ?? null),
      )
      .reverse();
  }

  /**
   * A conversation and one of its messages (seq 0: none) in one round trip: what the
   * router reads for every event.
   */
  async turn(
    conversationId: string,
    seq: number,
  ): Promise<{ conversation: Conversation | undefined; message: Message | undefined }> {
    const reply = await callScript(
      this.redis,
      'verityReadTurn',
      [this.keys.conversation(conversationId)],
      [seq],
    );
    if (!Array.isArray(reply)) throw new StoreError('SCRIPT_REPLY', 'read-turn: unexpected reply');
    const [flat, entry, edits, delivery]: unknown[] = reply;
    const meta = pairs(flat);
    if (!meta) return { conversation: undefined, message: undefined };
    return {
      conversation: decodeConversation(meta),
      message:
        typeof entry === 'string'
          ? decodeMessage(conversationId, seq, entry, stringOrNull(edits), stringOrNull(delivery))
          : undefined,
    };
  }

  /**
   * Whether the album part `eventId` takes the album's one support turn: the first part to
   * ask does, and keeps it when its event is handled again (a retry, a takeover); every
   * other part is stored but answered by no one. The mark outlives any redelivery of an
   * album's parts, which arrive within seconds of each other.
   */
  async claimAlbum(conversationId: string, album: string, eventId: string): Promise<boolean> {
    const key = this.keys.album(conversationId, album);
    if ((await this.redis.set(key, eventId, 'EX', ALBUM_MARK_SECONDS, 'NX')) === 'OK') return true;
    return (await this.redis.get(key)) === eventId;
  }

  /** The seq of a message by its platform id (edits, replies, deletions). */
  async seqOfPlatformMessage(conversationId: string, platformMessageId: string): Promise<number | undefined> {
    const seq = await this.redis.hget(this.keys.platformIds(conversationId), platformMessageId);
    return seq === null ? undefined : Number(seq);
  }

  /**
   * Record how delivery of an outbound message ended (and its platform id once sent); with
   * `sentMark`, also mark its outbound command sent (`keys.replySent`), in the same step.
   */
  async recordDelivery(
    conversationId: string,
    seq: number,
    delivery: NonNullable<Message['delivery']>,
    platformMessageId?: string,
    sentMark?: { commandId: string; seconds: number },
  ): Promise<void> {
    await callScript(
      this.redis,
      'verityRecordDelivery',
      [this.keys.conversation(conversationId)],
      [
        seq,
        JSON.stringify(delivery),
        platformMessageId ?? '',
        sentMark?.commandId ?? '',
        sentMark?.seconds ?? 0,
      ],
    );
  }

  /** Atomic, field-level update; see lua/update.lua for the guarantees. */
  async update(
    conversationId: string,
    changes: UpdateChanges,
    guard: UpdateGuard = {},
    now = Date.now(),
  ): Promise<UpdateResult> {
    const ops: string[] = [];
    const set = (field: string, value: string | number | null | undefined) => {
      if (value !== undefined) ops.push(`set:${field}`, value === null ? '' : String(value));
    };
    set('status', changes.status);
    set('snoozedUntil', changes.snoozedUntil);
    set('assignee', changes.assignee);
    set('owner', changes.owner);
    set('priority', changes.priority);
    set('team', changes.team);
    set('category', changes.category);
    set('language', changes.language);
    set('ticket', changes.ticket);
    set('unreachable', changes.unreachable);
    set('title', changes.title);
    for (const tag of changes.addTags ?? []) ops.push('tag+', checkTag(tag));
    for (const tag of changes.removeTags ?? []) ops.push('tag-', checkTag(tag));
    if (changes.markRead) ops.push('read', '');
    const conditions = Object.entries(guard.expect ?? {}).flatMap(([f, v]) => [f, v ?? '']);
    const shard = this.keys.shardOfConversation(conversationId);
    const reply = await callScript(
      this.redis,
      'verityUpdate',
      [this.keys.conversation(conversationId)],
      [
        this.keys.shard(shard),
        conversationId,
        now,
        guard.version === undefined ? '' : String(guard.version),
        conditions.length / 2,
        ...conditions,
        ...ops,
      ],
    );
    const [code, version, field] = asReply(reply);
    if (code === MISSING) throw new StoreError('CONVERSATION_NOT_FOUND', `no conversation ${conversationId}`);
    if (code === -1) return { ok: false, reason: 'stale', version: Number(version) };
    if (code === -3)
      return { ok: false, reason: 'condition', version: Number(version), field: String(field) };
    return { ok: true, changed: code === 1, version: Number(version) };
  }

  /**
   * Conversations matching every filter, most recent activity first, across all shards.
   * Each shard reads its most selective index within a budget; the pages are merged.
   */
  async list(filter: ListFilter = {}, options: { cursor?: string; limit?: number } = {}): Promise<ListPage> {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
    const [cursorScore, cursorId] = options.cursor ? decodeCursor(options.cursor) : ['+inf', ''];
    const plan = planList(filter);
    const budget = 4 * limit + 500;
    const listShard = async (shard: number, mode: 'walk' | 'set', index: string, checks: string[]) =>
      asReply(
        await callScript(
          this.redis,
          'verityListShard',
          [index],
          [this.keys.shard(shard), mode, cursorScore, cursorId, limit, budget, checks.length / 2, ...checks],
        ),
      );
    const replies = await Promise.all(
      this.keys.allShards().map(async (shard) => {
        const first = await listShard(
          shard,
          plan.mode,
          this.keys.index(shard, plan.field, plan.value),
          plan.checks,
        );
        // A membership set larger than the budget is an unselective filter: walking the activity
        // index with every filter as a check finds a page sooner than sorting the whole set.
        return first[0] === -1
          ? listShard(shard, 'walk', this.keys.index(shard, 'all'), plan.allChecks)
          : first;
      }),
    );
    type Hit = { id: string; score: number };
    const hits: Hit[] = [];
    let stop: Hit | undefined;
    let more = false;
    for (const [state, resumeScore, resumeId, ...rest] of replies) {
      for (let i = 0; i + 1 < rest.length; i += 2)
        hits.push({ id: String(rest[i]), score: Number(rest[i + 1]) });
      if (state === 2) more = true;
      if (state === 0) {
        const resume = { id: String(resumeId), score: Number(resumeScore) };
        if (!stop || before(stop, resume)) stop = resume;
      }
    }
    hits.sort((a, b) => (before(a, b) ? -1 : 1));
    // A shard that ran out of budget may hold matches older than its stop point: never skip past it.
    const safe = stop ? hits.filter((h) => !before(stop, h)) : hits;
    const page = safe.slice(0, limit);
    more ||= safe.length > limit || stop !== undefined;
    const last = page.length === limit ? page.at(-1) : (stop ?? page.at(-1));
    const conversations = await this.getMany(page.map((h) => h.id));
    return more && last ? { conversations, cursor: encodeCursor(last.score, last.id) } : { conversations };
  }

  /** Assign the next ticket number to a conversation, once. */
  async ensureTicket(conversationId: string, format: (n: number) => string): Promise<string> {
    const current = await this.get(conversationId);
    if (!current) throw new StoreError('CONVERSATION_NOT_FOUND', `no conversation ${conversationId}`);
    if (current.ticket) return current.ticket;
    const number = format(await this.redis.incr(this.keys.ticketSequence()));
    const result = await this.update(conversationId, { ticket: number }, { expect: { ticket: '' } });
    if (!result.ok) {
      const winner = await this.get(conversationId);
      if (winner?.ticket) return winner.ticket;
      throw new StoreError('TICKET_CONFLICT', `could not assign a ticket to ${conversationId}`);
    }
    await this.redis.set(this.keys.ticket(number), conversationId);
    return number;
  }

  async conversationOfTicket(ticket: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.ticket(ticket.toUpperCase()))) ?? undefined;
  }

  /** Delete conversations resolved before `cutoff` (retention). Returns how many went. */
  async purgeResolved(cutoff: number, batch = 200): Promise<number> {
    let purged = 0;
    for (const shard of this.keys.allShards()) {
      const ids = await this.redis.zrangebyscore(
        this.keys.resolvedAt(shard),
        '-inf',
        cutoff,
        'LIMIT',
        0,
        batch,
      );
      for (const id of ids) {
        const reply = await callScript(
          this.redis,
          'verityPurge',
          [this.keys.conversation(id), this.keys.threads(shard)],
          [this.keys.shard(shard), id, cutoff],
        );
        if (reply === 1) purged++;
      }
    }
    return purged;
  }
}

function checkTag(tag: string): string {
  if (!TAG.test(tag))
    throw new StoreError('INVALID_TAG', `a tag is 1–64 letters, digits, _ : . or - (got "${tag}")`);
  return tag;
}

function asReply(reply: unknown): Array<number | string> {
  if (!Array.isArray(reply))
    throw new StoreError('SCRIPT_REPLY', `unexpected script reply: ${String(reply)}`);
  return reply.map((v) => (typeof v === 'number' ? v : String(v)));
}

/** A flat [field, value, …] script reply as a record; undefined when empty or malformed. */
function pairs(flat: unknown): Record<string, string> | undefined {
  if (!Array.isArray(flat) || flat.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[String(flat[i])] = String(flat[i + 1]);
  return out;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
