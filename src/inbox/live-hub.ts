/**
 * Fans the live stream out to this process's connected agents. One blocking reader per
 * inbox process (its own connection, so it never holds up other commands) follows the
 * capped stream from its current end by explicit ids, so nothing that arrives between two
 * reads is skipped. A reconnecting page passes the last id it saw and gets what it missed.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { decodeLiveEntry, type LiveEvent } from '../bus/live.ts';
import { duplicateConnection } from '../store/redis.ts';

export interface HubEvent {
  id: string;
  event: LiveEvent;
}

type Listener = (event: HubEvent) => void;

export class LiveHub {
  private readonly listeners = new Set<Listener>();
  private reader: Redis | undefined;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly stream: string,
    private readonly logger: Logger,
    private readonly blockMs = 1000,
  ) {}

  get size(): number {
    return this.listeners.size;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(): Promise<void> {
    this.reader = duplicateConnection(this.redis, 'verity-inbox-live');
    const [last] = await this.redis.xrevrange(this.stream, '+', '-', 'COUNT', 1);
    this.running = true;
    this.loop = this.follow(last?.[0] ?? '0-0');
  }

  async stop(): Promise<void> {
    this.running = false;
    this.reader?.disconnect();
    await this.loop;
    this.listeners.clear();
  }

  /**
   * Events after `id` (an `EVENT_ID`) still in the stream, for a reconnecting page, oldest
   * first, from at most `limit` entries. Within a batch entry, only the events after it.
   */
  async since(id: string, limit = 500): Promise<HubEvent[]> {
    const [entryId = id, index] = id.split('/');
    const start = index === undefined ? `(${entryId}` : entryId;
    const rows = await this.redis.xrange(this.stream, start, '+', 'COUNT', limit);
    return rows
      .flatMap(([rowId, fields]) => decode(rowId, fields))
      .filter((e) => e.id !== id && !before(e.id, id));
  }

  private async follow(from: string): Promise<void> {
    let cursor = from;
    while (this.running && this.reader) {
      try {
        const reply = await this.reader.xread(
          'COUNT',
          500,
          'BLOCK',
          this.blockMs,
          'STREAMS',
          this.stream,
          cursor,
        );
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            cursor = id;
            for (const decoded of decode(id, fields)) this.emit(decoded);
          }
        }
      } catch (err) {
        if (!this.running) return;
        this.logger.warn({ err }, 'live stream read failed; retrying');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private emit(event: HubEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.logger.warn({ err }, 'live listener failed');
      }
    }
  }
}

/** An event's id: its stream entry's id, with `/<index>` when the entry holds a batch. */
export const EVENT_ID = /^\d+-\d+(\/\d+)?$/;

function decode(id: string, fields: string[]): HubEvent[] {
  const at = fields.indexOf('e');
  const events = decodeLiveEntry(at < 0 ? undefined : fields[at + 1]);
  if (events.length === 1 && events[0]) return [{ id, event: events[0] }];
  return events.map((event, i) => ({ id: `${id}/${i}`, event }));
}

/** Whether event id `a` comes before `b` within the same batch entry. */
function before(a: string, b: string): boolean {
  const [entryA, indexA] = a.split('/');
  const [entryB, indexB] = b.split('/');
  return entryA === entryB && indexA !== undefined && indexB !== undefined && Number(indexA) < Number(indexB);
}
