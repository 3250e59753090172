/**
 * Which shards' inbound streams this router reads. A conversation lives in one shard, and
 * two routers must never handle consecutive events of one conversation at the same time
 * (support state would race, replies could swap order), so each shard is read by one
 * router at a time: the holder of its lease, a key with a time to live.
 *
 * Each router announces itself in a sorted set scored by when it counts as gone, and every
 * `leaseMs / 3` renews its leases, gives up those above an even share (after finishing what
 * it took from them) and takes free shards up to its share. A router that dies stops
 * renewing: its leases lapse after `leaseMs`, and the others take its shards together with
 * the entries it left pending. A router that stops cleanly gives its shards up at once.
 *
 * Like every lease, this one assumes a holder notices a lapse before it matters: a process
 * stalled for longer than `leaseMs` (a very long GC pause, a frozen VM) may still be
 * handling an entry when another router takes the shard over.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Keys } from '../store/keys.ts';
import { callScript } from '../store/scripts.ts';

export interface ShardLeaseOptions {
  redis: Redis;
  keys: Keys;
  /** Unique among the routers of the deployment. */
  owner: string;
  leaseMs: number;
  logger: Logger;
  /** Start reading these shards (they are this router's now). */
  take: (shards: number[]) => Promise<void>;
  /** Stop reading these shards; resolves once nothing taken from them is in flight. */
  give: (shards: number[]) => Promise<void>;
  /** After each round: how many shards are held here now (a gauge). */
  onHeld?: (count: number) => void;
}

export class ShardLeases {
  readonly #owned = new Set<number>();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(private readonly options: ShardLeaseOptions) {}

  get owned(): number[] {
    return [...this.#owned].sort((a, b) => a - b);
  }

  /** Takes this router's share before resolving, so a lone router reads every shard at once. */
  async start(): Promise<void> {
    await this.round();
    this.schedule();
  }

  /**
   * No more rounds; once `drain` (the consumer's stop) finished what was taken, every shard
   * is given up and this router leaves the set, so the others take over at once.
   */
  async stop(drain: () => Promise<void>): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#round;
    await drain();
    const { redis, keys, owner } = this.options;
    await Promise.all(this.owned.map((shard) => this.release(shard)));
    this.#owned.clear();
    this.options.onHeld?.(0);
    await redis.zrem(keys.routers(), owner);
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
    const { redis, keys, owner, leaseMs, logger } = this.options;
    const now = Date.now();
    const routers = keys.routers();
    await redis.zadd(routers, now + leaseMs, owner);
    await redis.zremrangebyscore(routers, '-inf', now);
    const alive = Math.max(1, await redis.zcard(routers));
    const share = Math.ceil(keys.shards / alive);

    const owned = this.owned;
    const renewed = await Promise.all(
      owned.map((shard) =>
        callScript(redis, 'verityLeaseRenew', [keys.routerLease(shard)], [owner, leaseMs]),
      ),
    );
    const lost = owned.filter((_, i) => renewed[i] !== 1);
    if (lost.length) {
      logger.warn({ shards: lost }, 'shard leases lapsed before renewal; another router reads them now');
      for (const shard of lost) this.#owned.delete(shard);
      await this.options.give(lost);
    }

    if (this.#owned.size > share) {
      const extra = this.owned.slice(share);
      await this.options.give(extra);
      await Promise.all(extra.map((shard) => this.release(shard)));
      for (const shard of extra) this.#owned.delete(shard);
      logger.info({ shards: extra, alive }, 'gave shards up to another router');
      return;
    }
    if (this.#owned.size === share || this.#stopped) return;
    const taken: number[] = [];
    for (const shard of this.candidates()) {
      if (this.#owned.size + taken.length >= share) break;
      if ((await redis.set(keys.routerLease(shard), owner, 'PX', leaseMs, 'NX')) === 'OK') taken.push(shard);
    }
    if (taken.length === 0) return;
    for (const shard of taken) this.#owned.add(shard);
    await this.options.take(taken);
    logger.info({ shards: taken, alive }, 'took shards');
  }

  /**
   * The shards not held here, starting at a place of this router's own, so that routers
   * starting together mostly ask for different shards.
   */
  private candidates(): number[] {
    const { shards } = this.options.keys;
    let start = 0;
    for (const char of this.options.owner) start = (start * 31 + char.charCodeAt(0)) % shards;
    return Array.from({ length: shards }, (_, i) => (start + i) % shards).filter((s) => !this.#owned.has(s));
  }

  private async release(shard: number): Promise<void> {
    const { redis, keys, owner } = this.options;
    await callScript(redis, 'verityLeaseRelease', [keys.routerLease(shard)], [owner]);
  }
}
