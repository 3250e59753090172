/**
 * `scan(text, ctx)`: every entity of a message with its verdict. Built once per official
 * registry (the indexes are precomputed); the scam registry is an in-memory index kept in
 * sync from Redis, so a scan does no I/O and costs the same with 1k or 100k flags.
 */
import type { CountryCode } from 'libphonenumber-js';
import type { OfficialConfig } from '../config/sections/official.ts';
import type { Entity } from '../core/model.ts';
import { extract } from './extract.ts';
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

export class TrustScanner {
  readonly official: OfficialRegistry;
  readonly registry: RegistryIndex;
  private readonly judges: Judges;

  constructor(official: OfficialConfig | OfficialRegistry, registry: RegistryIndex = new RegistryIndex()) {
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
    const out: Entity[] = [];
    const seen = new Set<string>();
    const add = (e: Entity): void => {
      const key = `${e.kind}\u0000${e.value}`;
      if (seen.has(key)) return;
      seen.add(key);
      out.push(e);
    };
    const extractOptions = ctx.defaultCountry ? { defaultCountry: ctx.defaultCountry } : {};
    for (const x of extract(text, extractOptions)) {
      switch (x.kind) {
        case 'domain':
        case 'url':
          if (x.host) add(judgeHost(j, x.kind, x.value, x.host, x.obfuscated));
          else add(judgeLink(j, x.value, x.channel ?? 'messenger'));
          break;
        case 'handle':
          add(judgeHandle(j, x.value, x.channel ?? ctx.channel));
          break;
        case 'phone':
          add(judgePhone(j, x.value));
          break;
        case 'email':
          add(judgeEmail(j, x.value, x.host ?? ''));
          break;
        case 'address':
          add(judgeAddress(j, x.value, x.chain ?? 'evm', ctx.recentAddresses));
          break;
      }
    }
    for (const name of ctx.names ?? []) add(judgeName(j, name));
    if (ctx.sender) for (const e of this.checkSender(ctx.sender)) add(e);
    for (const e of findScamScripts(text)) add(e);
    return out;
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
