/**
 * How long a user in the queue will wait, from how long agents really took on recent
 * conversations. The median of recent handling times resists the odd three-hour case;
 * the wait is that time per "round" of free agent slots ahead of the user.
 */
import { z } from 'zod';

export const EtaConfig = z.object({
  /** Only the most recent handling times count. */
  window: z.number().int().min(1).max(10_000).default(50),
  /** Assumed handling time until enough real ones are known. */
  defaultHandlingMs: z
    .number()
    .int()
    .positive()
    .default(10 * 60_000),
  /** Below this many samples the default is blended in. */
  minSamples: z.number().int().min(1).default(5),
  /** Conversations one agent handles at once. */
  concurrencyPerAgent: z.number().int().min(1).max(50).default(3),
  /** Re-notify a waiting user when the estimate moved by this share … */
  renotifyRatio: z.number().positive().default(0.5),
  /** … and by at least this much. */
  renotifyMinDeltaMs: z
    .number()
    .int()
    .nonnegative()
    .default(5 * 60_000),
});
export type EtaConfig = z.infer<typeof EtaConfig>;

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Typical handling time: median of the recent samples, shrunk toward the default while few. */
export function typicalHandlingMs(samples: readonly number[], config: EtaConfig): number {
  const recent = samples.filter((s) => Number.isFinite(s) && s > 0).slice(-config.window);
  const m = median(recent);
  if (m === undefined) return config.defaultHandlingMs;
  if (recent.length >= config.minSamples) return m;
  const w = recent.length / config.minSamples;
  return w * m + (1 - w) * config.defaultHandlingMs;
}

export interface EtaInput {
  /** 1 = next in line. */
  position: number;
  agentsOnline: number;
  /** Handling durations of recently resolved conversations, oldest first. */
  recentHandlingMs: readonly number[];
}

/** Estimated wait in ms, or null when no agent is online (the hours/out-of-office path applies). */
export function estimateWaitMs(input: EtaInput, config: EtaConfig): number | null {
  if (input.agentsOnline <= 0) return null;
  const slots = input.agentsOnline * config.concurrencyPerAgent;
  const rounds = Math.ceil(Math.max(1, input.position) / slots);
  return Math.round(rounds * typicalHandlingMs(input.recentHandlingMs, config));
}

/** Whole minutes for a message, never "0 minutes". */
export function etaMinutes(ms: number): number {
  return Math.max(1, Math.round(ms / 60_000));
}

/** Worth telling the user again: the estimate moved by a large share and a noticeable amount. */
export function etaChangedALot(previousMs: number | null, nextMs: number | null, config: EtaConfig): boolean {
  if (previousMs === null || nextMs === null) return previousMs !== nextMs;
  const delta = Math.abs(nextMs - previousMs);
  return delta >= config.renotifyMinDeltaMs && delta >= config.renotifyRatio * Math.max(previousMs, 1);
}
