/**
 * Test helpers shared by the adapter's tests: a sink that records what it is given (no
 * storage involved at this layer) and a pino logger whose lines can be read back.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { z } from 'zod';
import type { InboundSink, IngestOutcome } from '../../src/core/channel.ts';
import { InboundEvent, type OutboundCommand } from '../../src/core/model.ts';
import { TelegramAdapter } from './adapter.ts';
import { startTelegramEmulator, type TelegramEmulator } from './emulator/emulator.ts';

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

export interface EmulatorAdapterHarness {
  emu: TelegramEmulator;
  adapter: TelegramAdapter;
  sink: RecordingSink;
  log: ReturnType<typeof capturingLogger>;
  /** Another adapter on the same emulator and log, with settings laid over the test defaults. */
  makeAdapter(extra?: Record<string, unknown>): TelegramAdapter;
  /** A plain send command through `adapter`, with a fresh id, fields laid over it from `more`. */
  send(threadKey: string, text: string, more?: Partial<SendCommand>): ReturnType<TelegramAdapter['send']>;
}

type SendCommand = Extract<OutboundCommand, { type: 'send' }>;

/**
 * A fresh emulator, recording sink, captured log and (unstarted) adapter for every test of
 * the calling file; whatever `adapter` holds at the end is stopped, then the emulator.
 */
export function useEmulatorAdapter(): EmulatorAdapterHarness {
  const harness: Partial<EmulatorAdapterHarness> = {};
  const ready = (): Omit<EmulatorAdapterHarness, 'send'> => {
    const { emu, adapter, sink, log, makeAdapter } = harness;
    if (!emu || !adapter || !sink || !log || !makeAdapter) throw new Error('harness used outside a test');
    return { emu, adapter, sink, log, makeAdapter };
  };
  beforeEach(async () => {
    const emu = await startTelegramEmulator();
    const log = capturingLogger();
    const makeAdapter = (extra: Record<string, unknown> = {}) =>
      new TelegramAdapter({
        token: emu.token,
        logger: log.logger,
        settings: {
          apiRoot: emu.apiRoot,
          polling: { timeoutSeconds: 2 },
          ingestRetry: { initialMs: 20, maxMs: 100 },
          splitIntervalMs: 1000,
          ...extra,
        },
      });
    Object.assign(harness, { emu, log, makeAdapter, sink: new RecordingSink(), adapter: makeAdapter() });
  });
  afterEach(async () => {
    const { adapter, emu } = ready();
    await adapter.stop();
    await emu.close();
  });
  return {
    get emu() {
      return ready().emu;
    },
    get adapter() {
      return ready().adapter;
    },
    set adapter(next: TelegramAdapter) {
      harness.adapter = next;
    },
    get sink() {
      return ready().sink;
    },
    get log() {
      return ready().log;
    },
    makeAdapter: (extra?: Record<string, unknown>) => ready().makeAdapter(extra),
    send: (threadKey, text, more = {}) =>
      ready().adapter.send({
        id: `c-${Math.random()}`,
        channel: 'telegram',
        type: 'send',
        threadKey,
        text,
        style: 'plain',
        ...more,
      }),
  };
}

export function ofType<T extends InboundEvent['type']>(
  event: InboundEvent | undefined,
  type: T,
): Extract<InboundEvent, { type: T }> {
  if (!isType(event, type)) throw new Error(`expected a ${type} event, got ${event?.type}`);
  return event;
}

function isType<T extends InboundEvent['type']>(
  event: InboundEvent | undefined,
  type: T,
): event is Extract<InboundEvent, { type: T }> {
  return event?.type === type;
}
