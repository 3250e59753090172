/**
 * Live events for the inbox (new message, status change, assignment, typing, SLA warning).
 * One capped stream read without a group: every inbox process fans every event out to its
 * own connected agents. Losing one under memory pressure costs a refresh, not data.
 *
 * Events published in the same tick share one stream entry (field `e` holds one event, or
 * an array of them): under load a message makes three live events, and one XADD per tick
 * instead of one per event is a measurable share of the pipeline's cost.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keys } from '../store/keys.ts';

export const LiveEvent = z.object({
  type: z.enum(['message', 'conversation', 'typing', 'sla', 'delivery', 'alert']),
  conversationId: z.string().optional(),
  /** Fields that changed, or the message id, depending on the type. */
  data: z.record(z.string(), z.unknown()).default({}),
  at: z.number(),
});
export type LiveEvent = z.infer<typeof LiveEvent>;

const LiveEntry = z.union([LiveEvent.transform((event) => [event]), z.array(LiveEvent)]);

/** The events of one live stream entry's `e` field, oldest first; [] if it is malformed. */
export function decodeLiveEntry(raw: string | undefined): LiveEvent[] {
  if (raw === undefined) return [];
  try {
    const parsed = LiveEntry.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

interface Queued {
  event: LiveEvent;
  done: () => void;
  failed: (error: unknown) => void;
}

export class LivePublisher {
  private queued: Queued[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly maxLen = 10_000,
  ) {}

  /**
   * Resolves once the event is in the stream. Producers are this codebase (typed);
   * readers parse what they read with `decodeLiveEntry`.
   */
  publish(event: Omit<LiveEvent, 'at' | 'data'> & { at?: number; data?: LiveEvent['data'] }): Promise<void> {
    const full: LiveEvent = { ...event, at: event.at ?? Date.now(), data: event.data ?? {} };
    return new Promise((done, failed) => {
      this.queued.push({ event: full, done, failed });
      if (this.queued.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    const [first] = batch;
    const payload = batch.length === 1 && first ? first.event : batch.map((q) => q.event);
    this.redis
      .xadd(this.keys.liveStream(), 'MAXLEN', '~', this.maxLen, '*', 'e', JSON.stringify(payload))
      .then(
        () => {
          for (const q of batch) q.done();
        },
        (error: unknown) => {
          for (const q of batch) q.failed(error);
        },
      );
  }
}
