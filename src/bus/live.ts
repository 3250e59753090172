/**
 * Live events for the inbox (new message, status change, assignment, typing, SLA warning).
 * One capped stream read without a group: every inbox process fans every event out to its
 * own connected agents. Losing one under memory pressure costs a refresh, not data.
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

export class LivePublisher {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly maxLen = 10_000,
  ) {}

  async publish(event: Omit<LiveEvent, 'at'> & { at?: number }): Promise<void> {
    const full = LiveEvent.parse({ at: Date.now(), ...event });
    await this.redis.xadd(this.keys.liveStream(), 'MAXLEN', '~', this.maxLen, '*', 'e', JSON.stringify(full));
  }
}
