/**
 * A Redis Streams consumer-group worker: at-least-once delivery with XACK after the work
 * is done, takeover of entries a dead consumer left pending (after `claimIdleMs`), and a
 * dead-letter stream for entries that failed `maxAttempts` times.
 *
 * Entries with the same `orderKey` (a conversation, a chat) are handled one after another
 * in stream order; different keys run concurrently, and reading goes on while some are
 * slow, so one rate-limited chat never holds up the others.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { duplicateConnection, isCluster } from '../store/redis.ts';
import { LeaseLostError, PoisonEntryError } from './handler-errors.ts';
import { PerTickBatch } from './per-tick.ts';
import { parseEntries, parseStreams, type StreamEntry } from './stream-entries.ts';

export type { StreamEntry } from './stream-entries.ts';

export interface ConsumerOptions {
  redis: Redis;
  streams: string[];
  group: string;
  consumer: string;
  deadLetters: string;
  handle: (entry: StreamEntry) => Promise<void>;
  /** Entries with the same key are handled one after another (conversation, chat). */
  /** Undefined (or empty) puts the entry in a lane of its own. */
  orderKey?: (entry: StreamEntry) => string | undefined;
  logger: Logger;
  batchSize?: number;
  /** Entries being handled at once; reading pauses at this many. */
  maxInFlight?: number;
  blockMs?: number;
  claimIdleMs?: number;
  maxAttempts?: number;
  /** Where a new group starts: '0' (everything still in the stream, the default) or '$' (only new entries). */
  startAt?: '0' | '$';
  /** Approximate cap on the dead-letter stream. */
  deadLetterMaxLen?: number;
  onHandled?: (entry: StreamEntry, outcome: 'ok' | 'failed' | 'dead' | 'left', ms: number) => void;
}

export class StreamConsumer {
  /** The streams read now; `addStreams` and `removeStreams` change them while running. */
  private streams: string[];
  /**
   * Where blocking reads go. One connection reading every stream in one XREADGROUP; on a
   * Redis Cluster, where one command cannot span slots (and each shard's stream has its
   * own), one connection per stream.
   */
  private readonly single: Redis | undefined;
  private readonly perStream = new Map<string, Redis>();
  /**
   * The read loop's turn in progress (claims and a read), until what it took is dispatched:
   * a stream is given up only after it, so nothing read from it starts here once it is
   * someone else's.
   */
  private reading: Promise<unknown> | undefined;
  /** Ends the read loop's nap while it has no streams. */
  private wakeIdle: (() => void) | undefined;
  /** Cluster reads still waiting for entries; answered ones wait in `answered` for the loop. */
  private readonly armed = new Set<Redis>();
  private answered: StreamEntry[] = [];
  private readFailure: unknown;
  /** Waiting for the next Cluster read to answer: the read loop, and a stream being given up. */
  private answerWaiters: Array<() => void> = [];
  private readonly startAt: '0' | '$';
  private running = false;
  private loop: Promise<void> | undefined;
  private inFlight = 0;
  private lastClaim = 0;
  /** The tail of each ordering lane: a new entry of the lane runs after it. */
  private readonly lanes = new Map<string, Promise<void>>();
  private slotFreed: (() => void) | undefined;
  /**
   * Entries being handled here, by stream and id (ids repeat across streams: two shards
   * can add an entry in the same millisecond), kept claimed so no other consumer takes
   * them over.
   */
  private readonly handling = new Map<string, { stream: string; id: string }>();
  private lastRefresh = 0;
  /** Acks waiting for the next flush, by stream: one XACK per stream per tick, not per entry. */
  private readonly acks = new Map<string, PerTickBatch<string>>();
  /** Whether a stream is still this consumer's: all are, unless leases say otherwise (`fenceWith`). */
  private fence: (stream: string) => Promise<boolean> = async () => true;
  private readonly opts: Required<Omit<ConsumerOptions, 'orderKey' | 'onHandled' | 'startAt'>> &
    Pick<ConsumerOptions, 'orderKey' | 'onHandled'>;

  constructor(options: ConsumerOptions) {
    this.opts = {
      batchSize: 64,
      maxInFlight: 256,
      blockMs: 1000,
      claimIdleMs: 30_000,
      maxAttempts: 5,
      deadLetterMaxLen: 100_000,
      ...options,
    };
    this.startAt = options.startAt ?? '0';
    this.streams = [...options.streams];
    this.single = isCluster(options.redis) ? undefined : duplicateConnection(options.redis, this.name);
  }

  private get name(): string {
    return `${this.opts.group}:${this.opts.consumer}`;
  }

  /** The connection that reads `stream`: the single one, or on a Cluster its own (made on first read). */
  private connectionFor(stream: string): Redis {
    if (this.single) return this.single;
    let connection = this.perStream.get(stream);
    if (!connection) {
      connection = duplicateConnection(this.opts.redis, this.name);
      this.perStream.set(stream, connection);
    }
    return connection;
  }

  fenceWith(fence: (stream: string) => Promise<boolean>): void {
    this.fence = fence;
  }

  /**
   * Whether `entry` is still this consumer's to handle: asked before each entry, and by a
   * handler right before what it cannot take back (a platform call after a rate limit's
   * wait). If not, the handler throws `LeaseLostError`.
   */
  holds(entry: StreamEntry): Promise<boolean> {
    return this.fence(entry.stream);
  }

  get busy(): number {
    return this.inFlight;
  }

  async start(): Promise<void> {
    for (const stream of this.streams) await this.createGroup(stream);
    this.running = true;
    this.loop = this.run();
  }

  private async createGroup(stream: string): Promise<void> {
    try {
      // By default from the beginning: events stored before the first router started are not skipped.
      await this.opts.redis.xgroup('CREATE', stream, this.opts.group, this.startAt, 'MKSTREAM');
    } catch (error) {
      if (!(error instanceof Error && error.message.includes('BUSYGROUP'))) throw error;
    }
  }

  /**
   * Start reading `streams` too. `held` (the default): the caller holds them alone now (a
   * shard lease), so every entry another consumer left pending there is taken over first,
   * however recently, since whoever read them before is gone or gave them up, and they are
   * older than anything new. Streams shared with other consumers (`held: false`) leave that
   * to the usual takeover of entries idle for `claimIdleMs`.
   */
  async addStreams(streams: string[], { held = true } = {}): Promise<void> {
    const added = streams.filter((stream) => !this.streams.includes(stream));
    for (const stream of added) {
      await this.createGroup(stream);
      if (held) this.dispatch(await this.claimAll(stream));
    }
    this.streams = [...this.streams, ...added];
    this.wakeIdle?.();
  }

  /**
   * Stop reading `streams`; resolves once every entry taken from them is handled and
   * acknowledged, so that whoever reads them next finds nothing of ours in flight.
   */
  async removeStreams(streams: string[]): Promise<void> {
    const removed = new Set(streams);
    this.streams = this.streams.filter((stream) => !removed.has(stream));
    await this.reading;
    for (const stream of removed) {
      const connection = this.perStream.get(stream);
      if (!connection) continue;
      while (this.armed.has(connection)) await this.nextAnswer();
      this.perStream.delete(stream);
      connection.disconnect();
    }
    this.dispatch(this.takeAnswered());
    // An entry leaves `handling` only after its ack is written (handleOne).
    const inRemoved = () => [...this.handling.values()].some((h) => removed.has(h.stream));
    while (inRemoved()) await Promise.all(this.lanes.values());
  }

  private async claimAll(stream: string): Promise<StreamEntry[]> {
    const { redis, group, consumer } = this.opts;
    const entries: StreamEntry[] = [];
    for (let cursor = '0-0'; ; ) {
      const reply: unknown = await redis.xautoclaim(stream, group, consumer, 0, cursor, 'COUNT', 100);
      if (!Array.isArray(reply)) break;
      const [next, claimed] = reply;
      // Delivered before (to whoever held the stream), so at least a second attempt.
      entries.push(...parseEntries(stream, claimed, 2));
      if (typeof next !== 'string' || next === '0-0') break;
      cursor = next;
    }
    if (entries.length) {
      this.opts.logger.warn(
        { stream, count: entries.length },
        'took over entries pending in a stream taken over',
      );
    }
    return entries;
  }

  /** Stop reading new entries, finish and ack the ones in flight, then return. */
  async stop(): Promise<void> {
    this.running = false;
    this.slotFreed?.();
    await this.loop;
    // Entries a Cluster read took for this consumer after the loop's last turn are handled
    // too: left unhandled they would wait out claimIdleMs before another consumer got them.
    while (this.armed.size > 0) await this.nextAnswer();
    this.dispatch(this.takeAnswered());
    await Promise.all(this.lanes.values());
    this.single?.disconnect();
    for (const connection of this.perStream.values()) connection.disconnect();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        while (this.inFlight >= this.opts.maxInFlight && this.running) {
          await new Promise<void>((resolve) => {
            this.slotFreed = resolve;
          });
        }
        if (!this.running) break;
        const turn = this.turn();
        this.reading = turn.catch(() => {});
        await turn;
      } catch (error) {
        if (!this.running) break;
        this.opts.logger.error({ err: error, group: this.opts.group }, 'stream read failed; retrying');
        await sleep(500);
      }
    }
  }

  /** One turn of the read loop: claims when due, then a read, every entry taken dispatched. */
  private async turn(): Promise<void> {
    if (Date.now() - this.lastRefresh >= this.opts.claimIdleMs / 3) {
      this.lastRefresh = Date.now();
      await this.refreshClaims();
    }
    if (Date.now() - this.lastClaim >= Math.min(this.opts.claimIdleMs / 2, 5000)) {
      this.lastClaim = Date.now();
      await this.claimStale();
    }
    this.dispatch(await this.read());
  }

  /**
   * COUNT applies to each stream, so across many streams (the router reads every shard) it
   * is divided among them: one read takes about as many entries as there are free in-flight
   * slots (rounded up to one per stream). Taking thousands at once kept them all alive
   * through young-generation GCs, which then cost more.
   */
  private async read(): Promise<StreamEntry[]> {
    const { maxInFlight, batchSize, blockMs } = this.opts;
    const streams = this.streams;
    if (streams.length === 0) {
      // Until a stream is added (a router's first shards), which must not wait out the nap.
      await new Promise<void>((resolve) => {
        this.wakeIdle = resolve;
        setTimeout(resolve, blockMs);
      });
      this.wakeIdle = undefined;
      return [];
    }
    const free = Math.max(1, maxInFlight - this.inFlight);
    const count = Math.min(batchSize, Math.ceil(free / streams.length));
    if (this.single) return this.readGroup(this.single, streams, count);
    // Cluster: every stream's read stays armed until it answers; the loop takes whatever
    // has answered, waiting for the first answer only when nothing has.
    for (const stream of streams) {
      const connection = this.connectionFor(stream);
      if (this.armed.has(connection)) continue;
      this.armed.add(connection);
      this.readGroup(connection, [stream], count).then(
        (entries) => {
          this.answered.push(...entries);
          this.settled(connection);
        },
        (error: unknown) => {
          this.readFailure = error;
          this.settled(connection);
        },
      );
    }
    if (this.answered.length === 0 && this.readFailure === undefined) await this.nextAnswer();
    const failure = this.readFailure;
    this.readFailure = undefined;
    if (failure !== undefined && this.answered.length === 0) throw failure;
    return this.takeAnswered();
  }

  private async readGroup(connection: Redis, streams: string[], count: number): Promise<StreamEntry[]> {
    const { group, consumer, blockMs } = this.opts;
    const reply: unknown = await connection.xreadgroup(
      'GROUP',
      group,
      consumer,
      'COUNT',
      count,
      'BLOCK',
      blockMs,
      'STREAMS',
      ...streams,
      ...streams.map(() => '>'),
    );
    return parseStreams(reply, 1);
  }

  private settled(connection: Redis): void {
    this.armed.delete(connection);
    const waiters = this.answerWaiters;
    this.answerWaiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves when the next armed Cluster read answers (or fails). */
  private nextAnswer(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.answerWaiters.push(resolve);
    });
  }

  private takeAnswered(): StreamEntry[] {
    const entries = this.answered;
    this.answered = [];
    return entries;
  }

  /**
   * Take over entries idle longer than `claimIdleMs` (their consumer died or hung), and
   * move the ones delivered `maxAttempts` times to the dead-letter stream.
   */
  private async claimStale(): Promise<void> {
    const { redis, group, consumer, claimIdleMs, maxAttempts } = this.opts;
    const streams = this.streams;
    // All streams asked at once: the read loop waits for this, and asking one shard after
    // another stalled the router's reads for 16 round trips every few seconds.
    const pendingByStream: unknown[] = await Promise.all(
      streams.map((stream) => redis.xpending(stream, group, 'IDLE', claimIdleMs, '-', '+', 100)),
    );
    for (const [i, stream] of streams.entries()) {
      const pending = pendingByStream[i];
      if (!Array.isArray(pending) || pending.length === 0) continue;
      const retry: string[] = [];
      for (const row of pending) {
        if (!Array.isArray(row) || this.handling.has(entryKey(stream, String(row[0])))) continue;
        const [id, , , deliveries] = row;
        if (Number(deliveries) >= maxAttempts) await this.deadLetter(stream, String(id), Number(deliveries));
        else retry.push(String(id));
      }
      if (retry.length === 0) continue;
      const claimed: unknown = await redis.xclaim(stream, group, consumer, claimIdleMs, ...retry);
      const entries = parseEntries(stream, claimed, 0).map((e) => ({
        ...e,
        attempts: Number(pending.find((p: unknown) => Array.isArray(p) && p[0] === e.id)?.[3] ?? 0) + 1,
      }));
      if (entries.length) {
        this.opts.logger.warn(
          { stream, count: entries.length },
          'claimed entries left pending by another consumer',
        );
        this.dispatch(entries);
      }
    }
  }

  private async deadLetter(
    stream: string,
    id: string,
    attempts: number,
    reason = 'too many attempts',
  ): Promise<void> {
    const { redis, group, deadLetters, deadLetterMaxLen, logger } = this.opts;
    const [entry] = parseEntries(stream, await redis.xrange(stream, id, id), attempts);
    const fields = entry ? Object.entries(entry.fields).flat() : [];
    // Dead-letter first, then ack: a crash between leaves a duplicate letter, never a lost entry.
    await redis.xadd(
      deadLetters,
      'MAXLEN',
      '~',
      deadLetterMaxLen,
      '*',
      'stream',
      stream,
      'group',
      group,
      'id',
      id,
      'attempts',
      attempts,
      'at',
      Date.now(),
      'reason',
      reason,
      ...fields,
    );
    await redis.xack(stream, group, id);
    logger.error({ stream, id, attempts, reason }, 'entry moved to the dead-letter stream');
    if (entry) this.opts.onHandled?.(entry, 'dead', 0);
  }

  /**
   * A slow handler (an entry waiting out a platform's rate limit) must not look dead:
   * re-claiming its entries to ourselves resets their idle time (JUSTID: no attempt counted).
   */
  private async refreshClaims(): Promise<void> {
    const byStream = new Map<string, string[]>();
    for (const { stream, id } of this.handling.values())
      byStream.set(stream, [...(byStream.get(stream) ?? []), id]);
    await Promise.all(
      [...byStream].map(([stream, ids]) =>
        this.opts.redis.xclaim(stream, this.opts.group, this.opts.consumer, 0, ...ids, 'JUSTID'),
      ),
    );
  }

  private dispatch(entries: StreamEntry[]): void {
    for (const entry of entries) {
      const handle = entryKey(entry.stream, entry.id);
      if (this.handling.has(handle)) continue;
      const key = this.opts.orderKey?.(entry) || handle;
      this.handling.set(handle, { stream: entry.stream, id: entry.id });
      this.inFlight++;
      const tail = (this.lanes.get(key) ?? Promise.resolve()).then(() => this.handleOne(entry));
      this.lanes.set(key, tail);
      void tail.finally(() => {
        this.handling.delete(handle);
        this.inFlight--;
        if (this.lanes.get(key) === tail) this.lanes.delete(key);
        const wake = this.slotFreed;
        this.slotFreed = undefined;
        wake?.();
      });
    }
  }

  /**
   * Acknowledges once the current tick's handlers are done, together with theirs. An ack
   * lost to a crash only means a redelivery, which every handler absorbs (idempotent ids).
   */
  private ack(entry: StreamEntry): Promise<void> {
    let batch = this.acks.get(entry.stream);
    if (!batch) {
      batch = new PerTickBatch((ids) => this.opts.redis.xack(entry.stream, this.opts.group, ...ids));
      this.acks.set(entry.stream, batch);
    }
    return batch.add(entry.id);
  }

  /** Never rejects: a failure leaves the entry pending (retried, then dead-lettered). */
  private async handleOne(entry: StreamEntry): Promise<void> {
    const started = performance.now();
    try {
      if (!(await this.holds(entry))) throw new LeaseLostError();
      await this.opts.handle(entry);
      await this.ack(entry);
      this.opts.onHandled?.(entry, 'ok', performance.now() - started);
    } catch (error) {
      try {
        if (error instanceof LeaseLostError) {
          this.opts.logger.warn(
            { stream: entry.stream, id: entry.id },
            "stream's lease lost; entry left to its new holder",
          );
          this.opts.onHandled?.(entry, 'left', performance.now() - started);
          return;
        }
        if (error instanceof PoisonEntryError) {
          await this.deadLetter(entry.stream, entry.id, entry.attempts, error.reason);
          return;
        }
        this.opts.logger.warn(
          { err: error, stream: entry.stream, id: entry.id, attempts: entry.attempts },
          'entry failed',
        );
        this.opts.onHandled?.(entry, 'failed', performance.now() - started);
      } catch (inner) {
        this.opts.logger.error(
          { err: inner, id: entry.id },
          'could not record a failed entry; it stays pending',
        );
      }
    }
  }
}

function entryKey(stream: string, id: string): string {
  return `${stream}\n${id}`;
}
