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
 * Like every lease, this one assumes a holder notices a lapse before it matters: a process
 * stalled for longer than `leaseMs` (a very long GC pause, a frozen VM) may still be
 * handling an entry when another takes the shard over.
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

export class ShardLeases {
  readonly #owned = new Set<number>();
  /**
   * Shards being given up: still held (and renewed) until what was taken from them is done,
   * then released. Finishing can outlast a lease (a send waiting out a 429), and renewing
   * the rest must not wait for it, or every lease here would lapse under work in flight.
   */
  readonly #giving = new Map<number, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(private readonly options: ShardLeaseOptions) {}

  get owned(): number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  /** Takes this holder's share before resolving, so a lone holder reads every shard at once. */
  async start(): Promise<void> {
    await this.round();
    this.schedule();
  }

  /**
   * No more rounds; once `drain` (the consumer's stop) finished what was taken, every shard
   * is given up and this holder leaves the set, so the others take over at once.
   */
  async stop(drain: () => Promise<void>): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
    await drain();
    await Promise.all(this.#giving.values());
    const { redis, members, owner } = this.options;
    await Promise.all(this.owned.map((shard) => this.release(shard)));
    this.#owned.clear();
    this.options.onHeld?.(0);
    await redis.zrem(members, owner);
  }

  private schedule(): void {
    this.#timer = setTimeout(() => {
      this.#round = this.round()
        .catch((err: unknown) => this.options.logger.error({ err }, 'shard lease round failed; retrying'))
        .finally(() => {
          if (!this.#stopped) this.schedule();
        });
    }, this.options.leaseMs / 3);
    this.#timer.unref();
  }

  private async round(): Promise<void> {
    try {
      await this.balance();
    } finally {
      this.options.onHeld?.(this.#owned.size);
    }
  }

  private async balance(): Promise<void> {
    const { redis, shards, lease, members, owner, leaseMs, logger } = this.options;
    const now = Date.now();
    await redis.zadd(members, now + leaseMs, owner);
    await redis.zremrangebyscore(members, '-inf', now);
    const alive = Math.max(1, await redis.zcard(members));
    const share = Math.ceil(shards / alive);

    const held = [...this.owned, ...this.#giving.keys()];
    const renewed = await Promise.all(
      held.map((shard) => callScript(redis, 'verityLeaseRenew', [lease(shard)], [owner, leaseMs])),
    );
    const lost = held.filter((shard, i) => renewed[i] !== 1 && this.#owned.has(shard));
    for (const shard of lost) this.#owned.delete(shard);
    if (lost.length) {
      logger.warn({ shards: lost }, 'shard leases lapsed before renewal; another holder reads them now');
      this.giveUp(lost, { release: false });
    }

    if (this.#owned.size > share) {
      const extra = this.owned.slice(share);
      for (const shard of extra) this.#owned.delete(shard);
      this.giveUp(extra, { release: true });
      logger.info({ shards: extra, alive }, 'giving shards up to another holder');
      return;
    }
    if (this.#owned.size === share || this.#stopped) return;
    const taken: number[] = [];
    for (const shard of this.candidates()) {
      if (this.#owned.size + taken.length >= share) break;
      if ((await redis.set(lease(shard), owner, 'PX', leaseMs, 'NX')) === 'OK') taken.push(shard);
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
    await callScript(redis, 'verityLeaseRelease', [lease(shard)], [owner]);
  }
}

/**
 * Leases that decide which shards' streams `consumer` reads: a shard taken adds its stream
 * (with what was left pending there), one given up is drained and removed.
 */
export function leaseStreams(
  consumer: StreamConsumer,
  streamOf: (shard: number) => string,
  options: Omit<ShardLeaseOptions, 'take' | 'give'>,
): ShardLeases {
  return new ShardLeases({
    ...options,
    take: (shards) => consumer.addStreams(shards.map(streamOf)),
    give: (shards) => consumer.removeStreams(shards.map(streamOf)),
  });
}
