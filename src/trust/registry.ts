/**
 * The scam registry in Redis, kept by moderators: flags on accounts, handles, domains,
 * phone numbers, addresses and e-mails, with reason, evidence and who/when; an audit
 * stream; user reports queued for review. Every process holds an in-memory copy
 * (`index`) for verdicts without I/O, kept current by pub/sub (applied in order by
 * version) and a version poll that reloads whatever a lost message missed.
 *
 * Keys (all under the prefix given, in one hash tag so Cluster can run the MULTI):
 *   <prefix>{registry}:entries   hash  "<kind>:<value>" → FlagEntry JSON
 *   <prefix>{registry}:version   integer, +1 per change
 *   <prefix>{registry}:audit     stream of flag/unflag/import/decide events
 *   <prefix>{registry}:reports   hash  id → Report JSON
 *   <prefix>{registry}:pending   zset  id scored by report time
 * Pub/sub channel: <prefix>registry:changed
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { duplicateConnection } from '../store/redis.ts';
import { parseJson } from './json.ts';
import { FlagEntry, FlagKind, flagKey, normalizeFlagValue, RegistryIndex } from './registry-index.ts';
import { shield } from './shield.ts';

export const Report = z.object({
  id: z.string(),
  kind: FlagKind,
  value: z.string(),
  channel: z.string().optional(),
  note: z.string().optional(),
  reporter: z.object({ channel: z.string(), userId: z.string() }),
  at: z.number(),
  status: z.enum(['pending', 'accepted', 'rejected']),
  decidedBy: z.string().optional(),
  decidedAt: z.number().optional(),
});
export type Report = z.infer<typeof Report>;

const Change = z.discriminatedUnion('op', [
  z.object({ op: z.literal('set'), version: z.number(), entry: FlagEntry }),
  z.object({ op: z.literal('del'), version: z.number(), kind: FlagKind, value: z.string() }),
  z.object({ op: z.literal('reload'), version: z.number() }),
]);
type Change = z.infer<typeof Change>;

export interface FlagInput {
  kind: FlagKind;
  value: string;
  reason: string;
  by: string;
  evidence?: string;
  channel?: string;
}

export interface ScamRegistryOptions {
  redis: Redis;
  /** e.g. `verity:trust:`; every key of the registry starts with it. */
  prefix: string;
  logger?: Logger;
  /** How often to compare versions with Redis (the fallback when a pub/sub message is lost). */
  pollMs?: number;
  now?: () => number;
}

export class ScamRegistry {
  readonly index = new RegistryIndex();
  private readonly redis: Redis;
  private subscriber: Redis | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;
  private readonly keys: Record<'entries' | 'version' | 'audit' | 'reports' | 'pending' | 'channel', string>;
  private readonly now: () => number;

  constructor(private readonly options: ScamRegistryOptions) {
    this.redis = options.redis;
    this.now = options.now ?? Date.now;
    const p = options.prefix;
    this.keys = {
      entries: `${p}{registry}:entries`,
      version: `${p}{registry}:version`,
      audit: `${p}{registry}:audit`,
      reports: `${p}{registry}:reports`,
      pending: `${p}{registry}:pending`,
      channel: `${p}registry:changed`,
    };
  }

  /** Loads the registry and follows changes until `stop()`. */
  async start(): Promise<void> {
    const sub = duplicateConnection(this.redis, 'verity-registry');
    this.subscriber = sub;
    sub.on('message', (_channel: string, message: string) => this.onChange(message));
    // The version poll covers what a broken subscription misses; the error is only logged.
    sub.on('error', (error: unknown) =>
      this.options.logger?.warn({ err: error }, 'trust registry: subscriber error'),
    );
    await sub.subscribe(this.keys.channel);
    await this.reload();
    this.timer = setInterval(() => void this.checkVersion(), this.options.pollMs ?? 500);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.reloading;
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  private onChange(message: string): void {
    const change = parseJson(Change, message);
    if (!change) {
      this.options.logger?.warn('trust registry: unreadable change message; reloading');
      this.reloadQuietly();
      return;
    }
    if (change.version <= this.index.version) return;
    if (change.version !== this.index.version + 1 || change.op === 'reload') {
      this.reloadQuietly();
      return;
    }
    if (change.op === 'set') this.index.set(change.entry);
    else this.index.delete(change.kind, change.value);
    this.index.version = change.version;
  }

  private reloadQuietly(): void {
    this.reload().catch((error: unknown) =>
      this.options.logger?.warn({ err: error }, 'trust registry: reload failed'),
    );
  }

  private async checkVersion(): Promise<void> {
    try {
      const version = Number((await this.redis.get(this.keys.version)) ?? 0);
      if (version !== this.index.version) await this.reload();
    } catch (error) {
      this.options.logger?.warn({ err: error }, 'trust registry: version check failed');
    }
  }

  /** Replaces the in-memory copy with what Redis holds (scanned in pages, never one huge reply). */
  reload(): Promise<void> {
    if (this.reloading) {
      // A change arrived while reading: read once more when this pass ends.
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      try {
        do {
          this.reloadAgain = false;
          const version = Number((await this.redis.get(this.keys.version)) ?? 0);
          this.index.replaceAll(await this.scanEntries(), version);
        } while (this.reloadAgain);
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  private async scanEntries(): Promise<FlagEntry[]> {
    const out: FlagEntry[] = [];
    let cursor = '0';
    do {
      const [next, fields] = await this.redis.hscan(this.keys.entries, cursor, 'COUNT', 2000);
      cursor = next;
      for (let i = 1; i < fields.length; i += 2) {
        const entry = parseJson(FlagEntry, fields[i]!);
        if (entry) out.push(entry);
        else
          this.options.logger?.warn({ field: fields[i - 1] }, 'trust registry: skipped an unreadable entry');
      }
    } while (cursor !== '0');
    return out;
  }

  private async publish(change: Change): Promise<void> {
    await this.redis.publish(this.keys.channel, JSON.stringify(change));
  }

  private audit(multi: ReturnType<Redis['multi']>, fields: Record<string, string>): void {
    multi.xadd(this.keys.audit, 'MAXLEN', '~', '100000', '*', ...Object.entries(fields).flat());
  }

  async flag(input: FlagInput): Promise<FlagEntry> {
    const entry = FlagEntry.parse({
      kind: input.kind,
      value: normalizeFlagValue(input.kind, input.value, input.channel),
      reason: input.reason,
      by: input.by,
      at: this.now(),
      ...(input.evidence === undefined ? {} : { evidence: input.evidence }),
      ...(input.channel === undefined ? {} : { channel: input.channel }),
    });
    const multi = this.redis.multi();
    multi.hset(this.keys.entries, flagKey(entry.kind, entry.value), JSON.stringify(entry));
    multi.incr(this.keys.version);
    this.audit(multi, {
      op: 'flag',
      kind: entry.kind,
      value: entry.value,
      by: entry.by,
      reason: entry.reason,
      at: String(entry.at),
    });
    const version = Number((await multi.exec())?.[1]?.[1] ?? 0);
    await this.publish({ op: 'set', version, entry });
    return entry;
  }

  /** Removes a flag; false when there was none. */
  async unflag(input: {
    kind: FlagKind;
    value: string;
    by: string;
    reason?: string;
    channel?: string;
  }): Promise<boolean> {
    const value = normalizeFlagValue(input.kind, input.value, input.channel);
    const multi = this.redis.multi();
    multi.hdel(this.keys.entries, flagKey(input.kind, value));
    multi.incr(this.keys.version);
    this.audit(multi, {
      op: 'unflag',
      kind: input.kind,
      value,
      by: input.by,
      reason: input.reason ?? '',
      at: String(this.now()),
    });
    const result = await multi.exec();
    const removed = Number(result?.[0]?.[1] ?? 0) > 0;
    await this.publish({ op: 'del', version: Number(result?.[1]?.[1] ?? 0), kind: input.kind, value });
    return removed;
  }

  /** Everything flagged, read from Redis (not from the in-memory copy). */
  async list(kind?: FlagKind): Promise<FlagEntry[]> {
    const all = await this.scanEntries();
    return (kind ? all.filter((e) => e.kind === kind) : all).sort((a, b) => a.at - b.at);
  }

  /** Adds or replaces many entries at once (one version bump, one audit event). */
  async import(entries: readonly FlagEntry[], by: string): Promise<number> {
    const normalized = entries.map((e) => ({ ...e, value: normalizeFlagValue(e.kind, e.value, e.channel) }));
    for (let i = 0; i < normalized.length; i += 1000) {
      const args = normalized
        .slice(i, i + 1000)
        .flatMap((e) => [flagKey(e.kind, e.value), JSON.stringify(e)]);
      await this.redis.hset(this.keys.entries, ...args);
    }
    const multi = this.redis.multi();
    multi.incr(this.keys.version);
    this.audit(multi, { op: 'import', count: String(normalized.length), by, at: String(this.now()) });
    const version = Number((await multi.exec())?.[0]?.[1] ?? 0);
    await this.publish({ op: 'reload', version });
    return normalized.length;
  }

  async auditTrail(count = 100): Promise<Array<Record<string, string>>> {
    const rows = await this.redis.xrevrange(this.keys.audit, '+', '-', 'COUNT', count);
    return rows.map(([id, fields]) => {
      const row: Record<string, string> = { id };
      for (let i = 0; i + 1 < fields.length; i += 2) row[fields[i]!] = fields[i + 1]!;
      return row;
    });
  }

  /** A user's `/report`: queued for a moderator. Secrets in the note are redacted first. */
  async report(input: {
    kind: FlagKind;
    value: string;
    reporter: { channel: string; userId: string };
    note?: string;
    channel?: string;
  }): Promise<Report> {
    const report = Report.parse({
      id: randomUUID(),
      kind: input.kind,
      value: normalizeFlagValue(input.kind, input.value, input.channel),
      reporter: input.reporter,
      at: this.now(),
      status: 'pending',
      ...(input.note === undefined ? {} : { note: shield(input.note).text }),
      ...(input.channel === undefined ? {} : { channel: input.channel }),
    });
    await this.redis
      .multi()
      .hset(this.keys.reports, report.id, JSON.stringify(report))
      .zadd(this.keys.pending, String(report.at), report.id)
      .exec();
    return report;
  }

  /** Reports waiting for review, oldest first. */
  async pendingReports(limit = 100): Promise<Report[]> {
    const ids = await this.redis.zrange(this.keys.pending, '0', String(limit - 1));
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(this.keys.reports, ...ids);
    return raws.flatMap((raw) => (raw === null ? [] : (parseJson(Report, raw) ?? [])));
  }

  /** A moderator's decision; accepting flags the reported value. Undefined for an unknown id. */
  async decide(
    id: string,
    decision: { accept: boolean; by: string; reason?: string },
  ): Promise<Report | undefined> {
    const raw = await this.redis.hget(this.keys.reports, id);
    const report = raw === null ? undefined : parseJson(Report, raw);
    if (!report) return undefined;
    const decided: Report = {
      ...report,
      status: decision.accept ? 'accepted' : 'rejected',
      decidedBy: decision.by,
      decidedAt: this.now(),
    };
    const multi = this.redis.multi();
    multi.hset(this.keys.reports, id, JSON.stringify(decided));
    multi.zrem(this.keys.pending, id);
    this.audit(multi, {
      op: 'decide',
      report: id,
      accept: String(decision.accept),
      by: decision.by,
      at: String(decided.decidedAt),
    });
    await multi.exec();
    if (decision.accept) {
      await this.flag({
        kind: report.kind,
        value: report.value,
        reason: decision.reason ?? report.note ?? 'reported by a user and confirmed by a moderator',
        by: decision.by,
        evidence: `report ${report.id} by ${report.reporter.channel}:${report.reporter.userId}`,
        ...(report.channel === undefined ? {} : { channel: report.channel }),
      });
    }
    return decided;
  }
}
