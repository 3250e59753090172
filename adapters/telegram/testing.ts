/**
 * Test helpers shared by the adapter's tests: a sink that records what it is given (no
 * storage involved at this layer) and a pino logger whose lines can be read back.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import type { InboundSink, IngestOutcome } from '../../src/core/channel.ts';
import { InboundEvent } from '../../src/core/model.ts';

export class RecordingSink implements InboundSink {
  readonly events: InboundEvent[] = [];
  /** Throw (as a store with Redis down would) on the next `failures` calls. */
  failures = 0;
  attempts = 0;
  /** Called at the start of every ingest, e.g. to observe the platform's state meanwhile. */
  onAttempt: (() => void) | undefined;
  /** Milliseconds each ingest takes (a slow store); varied per call to expose ordering bugs. */
  latencyMs: (() => number) | undefined;
  private readonly listeners = new Set<() => void>();

  async ingest(event: unknown): Promise<IngestOutcome> {
    this.attempts += 1;
    this.onAttempt?.();
    const latency = this.latencyMs?.() ?? 0;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
    }
    const parsed = InboundEvent.safeParse(event);
    if (!parsed.success) return { status: 'rejected', reason: z.prettifyError(parsed.error) };
    if (this.events.some((e) => e.eventId === parsed.data.eventId)) return { status: 'duplicate' };
    this.events.push(parsed.data);
    for (const listener of this.listeners) listener();
    return { status: 'stored' };
  }

  async waitFor<T>(pick: (events: InboundEvent[]) => T | undefined, timeoutMs = 5000): Promise<T> {
    const now = pick(this.events);
    if (now !== undefined) return now;
    return await new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = pick(this.events);
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`sink waitFor timed out after ${timeoutMs} ms (${this.events.length} events)`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  async waitForEvent(eventId: string, timeoutMs = 5000): Promise<InboundEvent> {
    return await this.waitFor((events) => events.find((e) => e.eventId === eventId), timeoutMs);
  }
}

const LogLine = z.object({ level: z.number(), msg: z.string().optional() }).loose();
export type LogLine = z.infer<typeof LogLine>;

export function capturingLogger(level: pino.Level = 'debug'): {
  logger: Logger;
  lines: LogLine[];
  text(): string;
} {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line === '') continue;
        raw.push(line);
        const parsed = LogLine.safeParse(JSON.parse(line));
        if (parsed.success) lines.push(parsed.data);
      }
      callback();
    },
  });
  return { logger: pino({ level }, stream), lines, text: () => raw.join('\n') };
}
