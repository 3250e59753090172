/**
 * Test and sandbox helpers: a sink that records what it is given (no storage), with a
 * switch to make it fail, and a silent logger. wechaty's own logger (brolog, process-wide)
 * is quietened too so test output stays readable.
 */
import { pino } from 'pino';
import { log as wechatyLog } from 'wechaty';
import type { InboundSink, IngestOutcome } from '../../src/core/channel.ts';
import { InboundEvent } from '../../src/core/model.ts';

export const quietLogger = pino({ level: process.env.VERITY_TEST_LOG ?? 'silent' });
if (process.env.WECHATY_LOG === undefined) wechatyLog.level('silent');

export class RecordingSink implements InboundSink {
  readonly events: InboundEvent[] = [];
  /** Number of upcoming ingest calls that throw (a storage outage). */
  failNext = 0;
  calls = 0;

  async ingest(input: unknown): Promise<IngestOutcome> {
    this.calls++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('storage unavailable');
    }
    const parsed = InboundEvent.safeParse(input);
    if (!parsed.success) return { status: 'rejected', reason: parsed.error.message };
    if (this.events.some((e) => e.eventId === parsed.data.eventId)) return { status: 'duplicate' };
    this.events.push(parsed.data);
    return { status: 'stored' };
  }

  async waitFor(count: number, timeoutMs = 5000): Promise<InboundEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      if (Date.now() > deadline) throw new Error(`waited for ${count} event(s), got ${this.events.length}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.events;
  }
}
