/**
 * `scan(text, ctx)`: every entity of a message with its verdict. Built once per official
 * registry (the indexes are precomputed); the scam registry is an in-memory index kept in
 * sync from Redis, so a scan does no I/O and costs the same with 1k or 100k flags.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { OfficialConfig } from '../config/sections/official.ts';
import type { Entity } from '../core/model.ts';
import { type Extracted, extract } from './extract.ts';
import { NameIndex } from './lookalike.ts';
import { OfficialRegistry } from './official.ts';
import { PoisoningIndex } from './poisoning.ts';
import { RegistryIndex } from './registry-index.ts';
import { findScamScripts } from './scam-scripts.ts';
import {
  type Judges,
  judgeAddress,
  judgeEmail,
  judgeHandle,
  judgeHost,
  judgeLink,
  judgeName,
  judgePhone,
} from './verdict.ts';

export interface Sender {
  channel: string;
  userId: string;
  handle?: string;
  displayName?: string;
}

export interface ScanContext {
  /** The channel the text came from (handles are compared per channel when known). */
  channel?: string;
  /** Who sent it: their handle and display name are judged too, and staff ids are trusted. */
  sender?: Sender;
  /** Display names to judge explicitly (e.g. the author of a forwarded message). */
  names?: readonly string[];
  /** Addresses this user used recently, to catch poisoning of their own history. */
  recentAddresses?: Iterable<string>;
  /** For phone numbers written without `+`. */
  defaultCountry?: CountryCode;
}

/** Entities without duplicates: a linear check for the usual handful, a set past that. */
class EntityList {
  readonly items: Entity[] = [];
  private seen: Set<string> | undefined;

  add(e: Entity): void {
    if (this.items.length < 16) {
      for (const x of this.items) if (x.kind === e.kind && x.value === e.value) return;
    } else {
      this.seen ??= new Set(this.items.map((x) => `${x.kind}\u0000${x.value}`));
      const key = `${e.kind}\u0000${e.value}`;
      if (this.seen.has(key)) return;
      this.seen.add(key);
    }
    this.items.push(e);
  }
}

export class TrustScanner {
  readonly official: OfficialRegistry;
  readonly registry: RegistryIndex;
  private readonly judges: Judges;
  private readonly memo = new Map<string, Entity>();
  private memoRevision = -1;

  private readonly memoLimit: number;

  /** `memoLimit`: how many verdicts to remember between registry changes (0 turns memoizing off). */
  constructor(
    official: OfficialConfig | OfficialRegistry,
    registry: RegistryIndex = new RegistryIndex(),
    options: { memoLimit?: number } = {},
  ) {
    this.memoLimit = options.memoLimit ?? 20_000;
    this.official = official instanceof OfficialRegistry ? official : new OfficialRegistry(official);
    this.registry = registry;
    this.judges = {
      official: this.official,
      names: new NameIndex(this.official),
      poisoning: new PoisoningIndex(this.official.addresses.keys()),
      registry,
    };
  }

  scan(text: string, ctx: ScanContext = {}): Entity[] {
    const j = this.judges;
    const out = new EntityList();
    const extractOptions = ctx.defaultCountry ? { defaultCountry: ctx.defaultCountry } : {};
    if (this.registry.revision !== this.memoRevision || this.memo.size >= this.memoLimit) {
      this.memo.clear();
      this.memoRevision = this.registry.revision;
    }
    for (const x of extract(text, extractOptions)) {
      // Chats repeat the same links and handles: a verdict is remembered until the registry changes.
      const personal = x.kind === 'address' && ctx.recentAddresses !== undefined;
      const key = `${x.kind}\u0000${x.value}\u0000${x.host ?? ''}\u0000${x.channel ?? ctx.channel ?? ''}\u0000${x.obfuscated === true}`;
      const known = personal ? undefined : this.memo.get(key);
      if (known) {
        out.add({ ...known, reasons: [...known.reasons] });
        continue;
      }
      const e = this.judge(x, ctx);
      if (!personal && this.memoLimit > 0) this.memo.set(key, { ...e, reasons: [...e.reasons] });
      out.add(e);
    }
    for (const name of ctx.names ?? []) out.add(judgeName(j, name));
    if (ctx.sender) for (const e of this.checkSender(ctx.sender)) out.add(e);
    for (const e of findScamScripts(text)) out.add(e);
    return out.items;
  }

  private judge(x: Extracted, ctx: ScanContext): Entity {
    const j = this.judges;
    switch (x.kind) {
      case 'domain':
      case 'url':
        return x.host
          ? judgeHost(j, x.kind, x.value, x.host, x.obfuscated)
          : judgeLink(j, x.value, x.channel ?? 'messenger');
      case 'handle':
        return judgeHandle(j, x.value, x.channel ?? ctx.channel);
      case 'phone':
        return judgePhone(j, x.value);
      case 'email':
        return judgeEmail(j, x.value, x.host ?? '');
      case 'address':
        return judgeAddress(j, x.value, x.chain ?? 'evm', ctx.recentAddresses);
    }
  }

  /**
   * The sender's own identity: a flagged account, or a handle or display name copying
   * ours from an id that is not ours (new or renamed group members, DMs "from support").
   */
  checkSender(sender: Sender): Entity[] {
    const j = this.judges;
    const official = this.official.isOfficialId(sender.channel, sender.userId);
    const out: Entity[] = [];
    const flag = this.registry.get('account', sender.userId, sender.channel);
    if (flag && !official) {
      out.push({
        kind: 'handle',
        value: sender.handle ? `@${sender.handle.replace(/^@/, '')}` : `${sender.channel}:${sender.userId}`,
        verdict: 'flagged',
        confidence: 'high',
        reasons: [`this account is reported as a scam: ${flag.reason}`],
      });
    }
    if (sender.handle) {
      const e = judgeHandle(j, `@${sender.handle.replace(/^@/, '')}`, sender.channel, true);
      const idsKnown = (this.official.ids.get(sender.channel)?.size ?? 0) > 0;
      if (e.verdict === 'official' && idsKnown && !official) {
        out.push({
          ...e,
          verdict: 'lookalike',
          confidence: 'high',
          reasons: [`shows the name of our account ${e.target ?? ''}, but the account behind it is not ours`],
        });
      } else {
        out.push(e);
      }
    }
    if (sender.displayName) out.push(judgeName(j, sender.displayName, official));
    return out;
  }
}
