/**
 * The dead-letter stream: entries that failed `maxAttempts` times, kept with where they came
 * from, so an operator can look at them (`verity dlq list`) and put them back once the
 * cause is fixed (`verity dlq replay`).
 */
import type { Redis } from 'ioredis';
import type { Keys } from '../store/keys.ts';

export interface DeadLetter {
  id: string;
  stream: string;
  group: string;
  originalId: string;
  attempts: number;
  at: number;
  reason: string;
  fields: Record<string, string>;
}

const META = new Set(['stream', 'group', 'id', 'attempts', 'at', 'reason']);

export class DeadLetters {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  async list(limit = 100): Promise<DeadLetter[]> {
    const rows = await this.redis.xrange(this.keys.deadLetters(), '-', '+', 'COUNT', limit);
    return rows.map(([id, flat]) => {
      const all: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) all[flat[i]!] = flat[i + 1]!;
      const fields = Object.fromEntries(Object.entries(all).filter(([k]) => !META.has(k)));
      return {
        id,
        stream: all.stream ?? '',
        group: all.group ?? '',
        originalId: all.id ?? '',
        attempts: Number(all.attempts ?? 0),
        at: Number(all.at ?? 0),
        reason: all.reason ?? '',
        fields,
      };
    });
  }

  /** Put dead letters back on their streams (all, or the given ids). Returns how many. */
  async replay(ids?: string[]): Promise<number> {
    const letters = (await this.list(10_000)).filter((l) => !ids || ids.includes(l.id));
    for (const letter of letters) {
      // Two keys on different Cluster slots: re-queue first, so a crash between the two
      // replays an entry twice (consumers drop duplicates) rather than losing it.
      // `replayed` tells a consumer that this entry may have been acted on before (its
      // attempt count starts again at 1), so it checks for that as it does for a retry.
      const fields = Object.entries(letter.fields).filter(([name]) => name !== 'replayed');
      await this.redis.xadd(letter.stream, '*', ...fields.flat(), 'replayed', letter.id);
      await this.redis.xdel(this.keys.deadLetters(), letter.id);
    }
    return letters.length;
  }
}
