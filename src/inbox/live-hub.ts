/**
 * Fans the live stream out to this process's connected agents. One blocking reader per
 * inbox process (its own connection, so it never holds up other commands) follows the
 * capped stream from its current end by explicit ids, so nothing that arrives between two
 * reads is skipped. A reconnecting page passes the last id it saw and gets what it missed.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { LiveEvent } from '../bus/live.ts';

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
    this.reader = this.redis.duplicate({ connectionName: 'verity-inbox-live', enableAutoPipelining: false });
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

  /** Events after `id` still in the stream (for a reconnecting page), oldest first, at most `limit`. */
  async since(id: string, limit = 500): Promise<HubEvent[]> {
    const rows = await this.redis.xrange(this.stream, `(${id}`, '+', 'COUNT', limit);
    return rows.flatMap(([entryId, fields]) => decode(entryId, fields) ?? []);
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
            const decoded = decode(id, fields);
            if (decoded) this.emit(decoded);
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

function decode(id: string, fields: string[]): HubEvent | undefined {
  const at = fields.indexOf('e');
  const raw = at < 0 ? undefined : fields[at + 1];
  if (raw === undefined) return undefined;
  try {
    const parsed = LiveEvent.safeParse(JSON.parse(raw));
    return parsed.success ? { id, event: parsed.data } : undefined;
  } catch {
    return undefined;
  }
}
