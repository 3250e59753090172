/**
 * Which shards' streams this process reads, for a role that must read each shard alone: a
 * conversation lives in one shard, and two routers must never handle consecutive events of
 * one conversation at the same time (support state would race, replies could swap order),
 * nor two delivery workers send consecutive replies to one chat at once (they could arrive
 * swapped). So each shard is read by one holder at a time: the holder of its lease, a key
 * with a time to live.
 *
 * Each holder announces itself in a sorted set of its role's members, scored by when it
 * counts as gone, and every `leaseMs / 3` renews its leases, gives up those above an even
 * share (after finishing what it took from them) and takes free shards up to its share. A
 * holder that dies stops renewing: its leases lapse after `leaseMs`, and the others take
 * its shards together with the entries it left pending. One that stops cleanly gives its
 * shards up at once.
 *
 * A lease is also a fence. A holder counts a lease as its own only until `leaseMs` after
 * it last asked Redis for it (less a margin for clock drift), by its own monotonic clock,
 * so it knows a lease is gone without hearing from Redis: a process that stalled (a long
 * GC pause, a frozen VM) or lost Redis while another took the shard over finds, on waking,
 * that the shard is no longer its own, and the handlers ask that right before anything
 * they cannot take back (`holds`). What is left is the stretch between that question and
 * the platform call leaving, which no lease can close.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { callScript } from '../store/scripts.ts';
import type { StreamConsumer } from './consumer.ts';

export interface ShardLeaseOptions {
  redis: Redis;
  /** How many shards there are (numbered from 0). */
  shards: number;
  /** The lease of one shard for this role (`keys.routerLease`, `keys.deliveryLease`). */
  lease: (shard: number) => string;
  /** The sorted set of this role's holders alive (`keys.routers()`, `keys.deliverers()`). */
  members: string;
  /** Unique among the holders of the role. */
  owner: string;
  leaseMs: number;
  logger: Logger;
  /** Start reading these shards (they are this holder's now). */
  take: (shards: number[]) => Promise<void>;
  /** Stop reading these shards; resolves once nothing taken from them is in flight. */
  give: (shards: number[]) => Promise<void>;
  /** After each round: how many shards are held here now (a gauge). */
  onHeld?: (count: number) => void;
}

/**
 * How much sooner than Redis a holder counts its lease as lapsed: clocks run at slightly
 * different rates (Redlock's allowance: 1 % of the lease, plus 2 ms).
 */
const driftMs = (leaseMs: number) => leaseMs * 0.01 + 2;

export class ShardLeases {
  readonly #owned = new Set<number>();
  /** Until when (performance.now()) each shard held here is surely still this holder's. */
  readonly #validUntil = new Map<number, number>();
  /** Shards whose renewal Redis refused since this holder last took them: surely not its own. */
  readonly #refused = new Set<number>();
  /**
   * Shards being given up: still held (and renewed) until what was taken from them is done,
   * then released. Finishing can outlast a lease (a send waiting out a 429), and renewing
   * the rest must not wait for it, or every lease here would lapse under work in flight.
   */
  readonly #giving = new Map<number, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> = Promise.resolve();
  /** Handlers waiting for the next round to tell whether a lease that seems lapsed is still held. */
  #waiting: Array<() => void> = [];
  /** Stopping: no shard is taken any more, but those held are renewed until drained. */
  #stopping = false;
  #stopped = false;

  constructor(private readonly options: ShardLeaseOptions) {}

  get owned(): number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  /**
   * Whether `shard` is surely this holder's now: taken or renewed less than its lease ago.
   * False from the moment it may have lapsed, even before a renewal finds it gone.
   */
  holds(shard: number): boolean {
    return performance.now() < (this.#validUntil.get(shard) ?? 0);
  }

  /**
   * Whether `shard` is this holder's, for a handler about to do what it cannot take back.
   * A lease that only seems lapsed (a renewal late, not refused) is settled by the next
   * round: true if it was renewed, false once it is known lost, or this holder stopped.
   */
  async confirm(shard: number): Promise<boolean> {
    while (!this.holds(shard)) {
      const mayHold = this.#owned.has(shard) || this.#giving.has(shard);
      if (this.#stopped || this.#refused.has(shard) || !mayHold) return false;
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    return true;
  }

  /** Takes this holder's share before resolving, so a lone holder reads every shard at once. */
  async start(): Promise<void> {
    await this.round();
    this.schedule();
  }

  /**
   * Takes no more shards and, once `drain` (the consumer's stop) finished what was taken,
   * gives every shard up and leaves the set, so the others take over at once. The leases
   * are renewed while draining: a send waiting out a long 429 must not let them lapse.
   */
  async stop(drain: () => Promise<void>): Promise<void> {
    this.#stopping = true;
    await drain();
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
    await Promise.all(this.#giving.values());
    const { redis, members, owner } = this.options;
    await Promise.all(this.owned.map((shard) => this.release(shard)));
    this.#owned.clear();
    this.wakeWaiting();
    this.options.onHeld?.(0);
    await redis.zrem(members, owner);
  }

  /**
   * Rounds start every third of the lease, counted from the start of the one before: a slow
   * round (Redis answering late) delays the next one only by what it overran, so a lease
   * renewed late is still renewed again before it lapses in Redis.
   */
  private schedule(delay = this.options.leaseMs / 3): void {
    this.#timer = setTimeout(() => {
      const started = performance.now();
      this.#round = this.round()
        .catch((err: unknown) => this.options.logger.error({ err }, 'shard lease round failed; retrying'))
        .finally(() => {
          const next = this.options.leaseMs / 3 - (performance.now() - started);
          if (!this.#stopped) this.schedule(Math.max(0, next));
        });
    }, delay);
    this.#timer.unref();
  }

  private async round(): Promise<void> {
    try {
      await this.balance();
    } finally {
      this.options.onHeld?.(this.#owned.size);
      this.wakeWaiting();
    }
  }

  /** Redis granted `shard` to this holder for a lease from no earlier than `asked`. */
  private heldSince(shard: number, asked: number): void {
    const { leaseMs } = this.options;
    this.#validUntil.set(shard, asked + leaseMs - driftMs(leaseMs));
  }

  private wakeWaiting(): void {
    const waiting = this.#waiting;
    this.#waiting = [];
    for (const wake of waiting) wake();
  }

  private async balance(): Promise<void> {
    const { redis, shards, lease, members, owner, leaseMs, logger } = this.options;
    const now = Date.now();
    await redis.zadd(members, now + leaseMs, owner);
    await redis.zremrangebyscore(members, '-inf', now);
    const alive = Math.max(1, await redis.zcard(members));
    const share = Math.ceil(shards / alive);

    const held = [...this.owned, ...this.#giving.keys()];
    const asked = performance.now();
    const renewed = await Promise.all(
      held.map((shard) => callScript(redis, 'verityLeaseRenew', [lease(shard)], [owner, leaseMs])),
    );
    for (const [i, shard] of held.entries()) {
      if (renewed[i] === 1) {
        this.heldSince(shard, asked);
        continue;
      }
      this.#validUntil.delete(shard);
      this.#refused.add(shard);
    }
    const lost = held.filter((shard, i) => renewed[i] !== 1 && this.#owned.has(shard));
    for (const shard of lost) this.#owned.delete(shard);
    if (lost.length) {
      logger.warn({ shards: lost }, 'shard leases lapsed before renewal; another holder reads them now');
      // While stopping, the consumer's own drain finishes with them (their handlers find them lost).
      if (!this.#stopping) this.giveUp(lost, { release: false });
    }
    if (this.#stopping) return;

    if (this.#owned.size > share) {
      const extra = this.owned.slice(share);
      for (const shard of extra) this.#owned.delete(shard);
      this.giveUp(extra, { release: true });
      logger.info({ shards: extra, alive }, 'giving shards up to another holder');
      return;
    }
    if (this.#owned.size === share) return;
    const taken: number[] = [];
    for (const shard of this.candidates()) {
      if (this.#owned.size + taken.length >= share) break;
      const asked = performance.now();
      if ((await redis.set(lease(shard), owner, 'PX', leaseMs, 'NX')) !== 'OK') continue;
      this.heldSince(shard, asked);
      this.#refused.delete(shard);
      taken.push(shard);
    }
    if (taken.length === 0) return;
    try {
      await this.options.take(taken);
    } catch (error) {
      // Held but unread, a shard would wait for as long as this process renews it; what was
      // taken over from it before the failure is finished first, as on any give.
      await this.options.give(taken).catch(() => {});
      await Promise.all(taken.map((shard) => this.release(shard)));
      throw error;
    }
    for (const shard of taken) this.#owned.add(shard);
    logger.info({ shards: taken, alive }, 'took shards');
  }

  /**
   * The shards not held here, starting at a place of this holder's own, so that holders
   * starting together mostly ask for different shards.
   */
  private candidates(): number[] {
    const { shards } = this.options;
    let start = 0;
    for (const char of this.options.owner) start = (start * 31 + char.charCodeAt(0)) % shards;
    return Array.from({ length: shards }, (_, i) => (start + i) % shards).filter(
      (s) => !this.#owned.has(s) && !this.#giving.has(s),
    );
  }

  /**
   * Stop reading `shards` in the background: once nothing taken from them is in flight,
   * release their leases (unless they lapsed already: then they are someone else's).
   */
  private giveUp(shards: number[], { release }: { release: boolean }): void {
    const done = this.options
      .give(shards)
      .then(async () => {
        if (release) await Promise.all(shards.map((shard) => this.release(shard)));
      })
      .catch((err: unknown) => this.options.logger.error({ err, shards }, 'giving shards up failed'))
      .finally(() => {
        for (const shard of shards) this.#giving.delete(shard);
      });
    for (const shard of shards) this.#giving.set(shard, done);
  }

  private async release(shard: number): Promise<void> {
    const { redis, lease, owner } = this.options;
    this.#validUntil.delete(shard);
    await callScript(redis, 'verityLeaseRelease', [lease(shard)], [owner]);
  }
}

/**
 * Leases that decide which shards' streams `consumer` reads: a shard taken adds its stream
 * (with what was left pending there), one given up is drained and removed, and an entry of
 * a shard no longer held here is left to its new holder (`StreamConsumer.holds`).
 */
export function leaseStreams(
  consumer: StreamConsumer,
  streamOf: (shard: number) => string,
  options: Omit<ShardLeaseOptions, 'take' | 'give'>,
): ShardLeases {
  const shardOf = new Map(Array.from({ length: options.shards }, (_, shard) => [streamOf(shard), shard]));
  const leases = new ShardLeases({
    ...options,
    take: (shards) => consumer.addStreams(shards.map(streamOf)),
    give: (shards) => consumer.removeStreams(shards.map(streamOf)),
  });
  consumer.fenceWith(async (stream) => {
    const shard = shardOf.get(stream);
    // Streams outside the leases (read by every holder: an old version's) are always open.
    // `holds` first: asked for every entry, and nearly always true, it spares confirm's promise.
    return shard === undefined || leases.holds(shard) || leases.confirm(shard);
  });
  return leases;
}
