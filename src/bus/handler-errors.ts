/**
 * What a stream handler may throw to tell its consumer (src/bus/consumer.ts) what to do with
 * the entry, besides the plain failure that leaves it pending for a retry.
 */

/** Thrown by a handler for an entry that no retry can fix: it is dead-lettered at once. */
export class PoisonEntryError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * Thrown by a handler that found its entry's stream is no longer this consumer's (`holds`):
 * the entry is left pending, unacknowledged, for the stream's new holder.
 */
export class LeaseLostError extends Error {}
