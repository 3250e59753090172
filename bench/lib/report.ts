/** Shared by the benchmarks: aligned figures for people, one JSON line for machines, and small measuring helpers. */
export function printFigures(title: string, rows: Array<[string, string | number]>): void {
  console.log(`\n${title}`);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${typeof v === 'number' ? fmt(v) : v}`);
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 1000) return Math.round(n).toLocaleString('en-US');
  return Number(n.toPrecision(3)).toString();
}

export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Polls rarely (every 20 ms), so watching costs the measured process next to nothing. */
export async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function jsonLine(figures: Record<string, unknown>): void {
  console.log(JSON.stringify(figures));
}

/** The JSON line of a channel bench (Verity's full path against a bare bot), printed and returned. */
export function channelFigures(
  bench: string,
  msgPerSec: number,
  bareEchoPerSec: number,
  more: Record<string, number> = {},
) {
  const figures = {
    bench,
    msgPerSec: Math.round(msgPerSec),
    bareEchoPerSec: Math.round(bareEchoPerSec),
    ratio: round(msgPerSec / bareEchoPerSec),
    ...more,
  };
  jsonLine(figures);
  return figures;
}

/** A bare bot's rate, and the CPU milliseconds this process spent per message on it. */
export interface BareRate {
  perSec: number;
  cpuMs: number;
}

/** A baseline's rate as measured on both sides of one measurement. */
export interface BareBracket {
  perSec: number;
  cpuMs: number;
  /** The rate before and the rate after, for the printout. */
  spread: string;
}

function bracket(before: BareRate, after: BareRate): BareBracket {
  return {
    perSec: (before.perSec + after.perSec) / 2,
    cpuMs: (before.cpuMs + after.cpuMs) / 2,
    spread: `${Math.round(before.perSec)} / ${Math.round(after.perSec)}`,
  };
}

/**
 * Runs the bare baseline before the first measurement and after each one, so that every
 * measurement is judged against the mean of the two baseline runs nearest it in time: on a
 * shared machine the load drifts during a run (the bare Telegram echo moved by a third
 * between runs minutes apart), and one bracket around several measurements lets the last of
 * them be judged against a baseline taken long before it.
 */
export async function bracketedByBare<const M extends ReadonlyArray<() => Promise<unknown>>>(
  bare: () => Promise<BareRate>,
  measured: M,
): Promise<{ [I in keyof M]: { result: Awaited<ReturnType<M[I]>>; bare: BareBracket } }> {
  const out: Array<{ result: unknown; bare: BareBracket }> = [];
  let before = await bare();
  for (const measure of measured) {
    const result = await measure();
    const after = await bare();
    out.push({ result, bare: bracket(before, after) });
    before = after;
  }
  // The loop keeps the order and the results of `measured`, which the mapped type states.
  return out as { [I in keyof M]: { result: Awaited<ReturnType<M[I]>>; bare: BareBracket } };
}
