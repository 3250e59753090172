/**
 * Per-sender flood control, the decision only (the counters live in Redis, counted by the
 * lead's ingest). Past the soft limit the sender is asked once to slow down and is still
 * served; past the hard limit messages are counted but not processed, so one sender
 * cannot starve the queue. The warning is sent on the first message over the soft limit
 * of a window, not on every one.
 */
import { z } from 'zod';

const Window = z.object({
  count: z.number().int().positive(),
  windowMs: z.number().int().positive(),
});

export const FloodConfig = z
  .object({
    soft: Window.default({ count: 8, windowMs: 10_000 }),
    hard: Window.default({ count: 30, windowMs: 60_000 }),
  })
  .refine((c) => c.hard.count > c.soft.count, { message: 'hard.count must exceed soft.count' });
export type FloodConfig = z.infer<typeof FloodConfig>;

/** Messages from the sender, this one included, within each configured window. */
export interface FloodCounts {
  soft: number;
  hard: number;
}

export type FloodDecision =
  | { action: 'process' }
  | { action: 'process'; warn: 'flood.slow-down' }
  | { action: 'drop' };

export function floodDecision(counts: FloodCounts, config: FloodConfig): FloodDecision {
  if (counts.hard > config.hard.count) return { action: 'drop' };
  if (counts.soft === config.soft.count + 1) return { action: 'process', warn: 'flood.slow-down' };
  return { action: 'process' };
}
