/**
 * The scam registry held in memory, so verdicts never wait for Redis. The Redis-backed
 * `ScamRegistry` keeps it in sync; tests and the CLI can fill it directly.
 */
import { z } from 'zod';
import { normalizeAddress, normalizeHandle, normalizeHost, normalizePhone } from './official.ts';

export const FlagKind = z.enum(['account', 'handle', 'domain', 'phone', 'address', 'email']);
export type FlagKind = z.infer<typeof FlagKind>;

export const FlagEntry = z.object({
  kind: FlagKind,
  /** Normalized: host, handle without `@` in lower case, E.164, `<channel>:<userId>` for accounts. */
  value: z.string().min(1).max(512),
  reason: z.string().min(1).max(2000),
  evidence: z.string().max(4000).optional(),
  /** Who flagged it (moderator id or `import`). */
  by: z.string().min(1).max(256),
  at: z.number().int().nonnegative(),
  channel: z.string().max(32).optional(),
});
export type FlagEntry = z.infer<typeof FlagEntry>;

/** The one normal form of a flagged value, so the same thing written two ways is one entry. */
export function normalizeFlagValue(kind: FlagKind, value: string, channel?: string): string {
  switch (kind) {
    case 'domain':
      return normalizeHost(value);
    case 'handle':
      return normalizeHandle(value);
    case 'phone':
      return normalizePhone(value) ?? value.replace(/[^\d+]/g, '');
    case 'address':
      return normalizeAddress(value);
    case 'email':
      return value.trim().toLowerCase();
    case 'account':
      return channel && !value.startsWith(`${channel}:`) ? `${channel}:${value.trim()}` : value.trim();
  }
}

export function flagKey(kind: FlagKind, value: string): string {
  return `${kind}:${value}`;
}

export class RegistryIndex {
  private readonly entries = new Map<string, FlagEntry>();
  /** The Redis version this copy reflects (0 when filled by hand). */
  version = 0;
  /** Bumped on every local change, so memoized verdicts know when to forget. */
  revision = 0;

  get size(): number {
    return this.entries.size;
  }

  set(entry: FlagEntry): void {
    this.revision++;
    this.entries.set(flagKey(entry.kind, entry.value), entry);
  }

  delete(kind: FlagKind, value: string): void {
    this.revision++;
    this.entries.delete(flagKey(kind, value));
  }

  replaceAll(entries: Iterable<FlagEntry>, version: number): void {
    this.revision++;
    this.entries.clear();
    for (const e of entries) this.set(e);
    this.version = version;
  }

  get(kind: FlagKind, value: string, channel?: string): FlagEntry | undefined {
    return this.entries.get(flagKey(kind, normalizeFlagValue(kind, value, channel)));
  }

  /** A flag on the host or on any parent domain of it (`evil.io` covers `login.evil.io`). */
  getHost(host: string): FlagEntry | undefined {
    let h = normalizeHost(host);
    for (;;) {
      const hit = this.entries.get(flagKey('domain', h));
      if (hit) return hit;
      const dot = h.indexOf('.');
      if (dot < 0 || h.indexOf('.', dot + 1) < 0) return undefined;
      h = h.slice(dot + 1);
    }
  }

  all(): IterableIterator<FlagEntry> {
    return this.entries.values();
  }
}
