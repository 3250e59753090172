/**
 * The audit log: who did what, when, from where. Every successful non-GET request by a
 * moderator or an admin is recorded by the guard (so no route can forget it), plus logins
 * and failed logins. A capped stream, newest read first.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { InboxKeys } from './keys.ts';

export const AuditEntry = z.object({
  id: z.string(),
  at: z.number(),
  actor: z.string(),
  role: z.string(),
  action: z.string(),
  target: z.string(),
  ip: z.string(),
  detail: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export class AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly keys: InboxKeys,
    private readonly maxLen = 200_000,
  ) {}

  async record(entry: Omit<AuditEntry, 'id' | 'at'>, at = Date.now()): Promise<void> {
    await this.redis.xadd(
      this.keys.audit(),
      'MAXLEN',
      '~',
      this.maxLen,
      '*',
      ...Object.entries({ ...entry, at: String(at) }).flat(),
    );
  }

  /** Newest first; `before` is the id of the last entry of the previous page. */
  async page(options: { before?: string; limit?: number; actor?: string } = {}): Promise<AuditEntry[]> {
    const limit = options.limit ?? 100;
    const out: AuditEntry[] = [];
    let end = options.before ? `(${options.before}` : '+';
    // A filter by actor reads on in bounded steps instead of returning a short page.
    for (let round = 0; round < 20 && out.length < limit; round++) {
      const rows = await this.redis.xrevrange(this.keys.audit(), end, '-', 'COUNT', 500);
      for (const [id, fields] of rows) {
        const record: Record<string, string> = { id };
        for (let i = 0; i + 1 < fields.length; i += 2) record[fields[i] ?? ''] = fields[i + 1] ?? '';
        const parsed = AuditEntry.safeParse({ ...record, at: Number(record.at) });
        if (parsed.success && (!options.actor || parsed.data.actor === options.actor)) out.push(parsed.data);
        if (out.length >= limit) break;
      }
      const last = rows.at(-1);
      if (!last || rows.length < 500) break;
      end = `(${last[0]}`;
    }
    return out;
  }
}
