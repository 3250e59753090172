/**
 * One verdict per extracted entity: official, flagged (in the scam registry), lookalike
 * (of which official entity, how sure, why) or unknown. Reasons are plain sentences a
 * user can act on; the official alternative is the `target`.
 */
import { parse as parseHost } from 'tldts';
import type { Entity } from '../core/model.ts';
import type { Chain } from './extract.ts';
import type { Lookalike, NameIndex, NameMatch, ProtectedKind } from './lookalike.ts';
import {
  asciiHost,
  normalizeAddress,
  normalizeHandle,
  normalizeHost,
  normalizeLink,
  type OfficialRegistry,
} from './official.ts';
import type { PoisoningIndex } from './poisoning.ts';
import type { FlagEntry, RegistryIndex } from './registry-index.ts';

export interface Judges {
  official: OfficialRegistry;
  names: NameIndex;
  poisoning: PoisoningIndex;
  registry: RegistryIndex;
}

type Kind = Entity['kind'];

function entity(
  kind: Kind,
  value: string,
  verdict: Entity['verdict'],
  reasons: string[],
  extra: Partial<Pick<Entity, 'target' | 'confidence'>> = {},
): Entity {
  const e: Entity = { kind, value, verdict, reasons };
  if (extra.target !== undefined) e.target = extra.target;
  if (extra.confidence !== undefined) e.confidence = extra.confidence;
  return e;
}

function flagged(kind: Kind, value: string, flag: FlagEntry): Entity {
  return entity(kind, value, 'flagged', [`reported as a scam: ${flag.reason}`], { confidence: 'high' });
}

function lookalike(kind: Kind, value: string, l: Lookalike): Entity {
  return entity(kind, value, 'lookalike', l.reasons, { target: l.target, confidence: l.confidence });
}

const BRANDS: ReadonlySet<ProtectedKind> = new Set(['brand']);
const ACCOUNTS: ReadonlySet<ProtectedKind> = new Set(['brand', 'handle']);
const PEOPLE: ReadonlySet<ProtectedKind> = new Set(['brand', 'handle', 'staff']);

/** The lookalike verdict for a host, or undefined when it imitates nothing. */
export function hostLookalike(j: Judges, rawHost: string): Lookalike | undefined {
  const host = normalizeHost(rawHost);
  const parsed = parseHost(host, { allowPrivateDomains: true });
  const label = parsed.domainWithoutSuffix;
  if (!label || !parsed.domain) return undefined;
  const ours = j.official.domains.join(', ');
  const ascii = /^[\x21-\x7e]*$/.test(host) ? host : asciiHost(host);
  const punycode = host !== ascii ? [`its real address is ${ascii}: the letters only look like ours`] : [];
  const m = j.names.match(label, BRANDS) ?? j.names.matchShortDomain(label, parsed.publicSuffix ?? '');
  if (m?.relation === 'same') {
    return {
      target: m.protected.display,
      confidence: 'high',
      family: 'other-tld',
      reasons: [
        `uses our name "${label}" with a different ending (.${parsed.publicSuffix}); our only sites are ${ours}`,
      ],
    };
  }
  if (m) {
    const family = punycode.length > 0 && m.relation === 'disguised' ? 'punycode' : m.family;
    return {
      target: m.protected.display,
      confidence: m.confidence,
      family,
      reasons: [...m.reasons, ...punycode],
    };
  }
  const sub = parsed.subdomain ?? '';
  if (sub === '' || sub === 'www') return undefined;
  const hasOfficial = j.official.domains.find((d) => `.${sub}.`.includes(`.${d}.`));
  const inSub = hasOfficial ? undefined : subdomainMatch(j, sub);
  if (!hasOfficial && !inSub) return undefined;
  const confidence =
    hasOfficial || inSub?.relation === 'same' || inSub?.relation === 'disguised' ? 'high' : 'medium';
  return {
    target: hasOfficial ?? inSub?.protected.display ?? j.official.domains[0] ?? j.official.name,
    confidence,
    family: 'subdomain',
    reasons: [
      `puts our name in front of someone else's site: this page belongs to ${parsed.domain}, not to us (our sites: ${ours})`,
    ],
  };
}

function subdomainMatch(j: Judges, sub: string): NameMatch | undefined {
  for (const part of sub.split('.')) {
    if (part === 'www') continue;
    const m = j.names.match(part, BRANDS);
    if (m) return m;
  }
  return undefined;
}

export function judgeHost(
  j: Judges,
  kind: 'domain' | 'url',
  value: string,
  rawHost: string,
  obfuscated = false,
): Entity {
  const host = normalizeHost(rawHost);
  const hidden = obfuscated
    ? ['the link is written in a disguised form (like "[.]" or "hxxp") to slip past filters']
    : [];
  const own = j.official.officialDomainOf(host);
  if (own) return entity(kind, value, 'official', [`${host} is our site`], { target: own });
  const flag = j.registry.getHost(host);
  if (flag) return flagged(kind, value, flag);
  if (j.official.isAllowed(host))
    return entity(kind, value, 'unknown', ['on our allowlist of known unrelated sites']);
  const l = hostLookalike(j, host);
  if (l)
    return entity(kind, value, 'lookalike', [...l.reasons, ...hidden], {
      target: l.target,
      confidence: l.confidence,
    });
  return entity(kind, value, 'unknown', hidden);
}

export function judgeLink(j: Judges, value: string, channel: string): Entity {
  if (j.official.links.has(normalizeLink(value)))
    return entity('url', value, 'official', [`our official ${channel} link`]);
  return entity('url', value, 'unknown', [`not one of our ${channel} links`]);
}

/** `strictChannel`: the handle is an account on `channel` (a sender), not a mention in a text. */
export function judgeHandle(j: Judges, value: string, channel?: string, strictChannel = false): Entity {
  const plain = normalizeHandle(value);
  const accounts = j.official.handles.get(plain) ?? [];
  const own = accounts.find((h) => h.channel === channel) ?? (strictChannel ? undefined : accounts[0]);
  if (own) {
    return entity('handle', value, 'official', [`our ${own.channel} account`], { target: own.display });
  }
  const flag = j.registry.get('handle', plain);
  if (flag) return flagged('handle', value, flag);
  if (j.official.isAllowed(plain)) return entity('handle', value, 'unknown', ['on our allowlist']);
  const m = j.names.match(value, ACCOUNTS);
  if (!m) return entity('handle', value, 'unknown', []);
  // A handle imitating the brand points the user to our account, not to a website.
  const ours = [...j.official.handles.values()].flat();
  const account = ours.find((h) => h.channel === channel) ?? ours[0];
  const target = m.protected.kind === 'brand' && account ? account.display : m.protected.display;
  const reasons =
    m.relation === 'same' ? [`uses ${m.protected.label} but is not one of our accounts`] : m.reasons;
  return entity('handle', value, 'lookalike', reasons, {
    target,
    confidence: m.relation === 'same' ? 'high' : m.confidence,
  });
}

/** A display name; `fromOfficial` when the platform id behind it is one of ours. */
export function judgeName(j: Judges, value: string, fromOfficial = false): Entity {
  if (fromOfficial) return entity('name', value, 'official', ['sent from one of our official accounts']);
  if (j.official.isAllowed(value)) return entity('name', value, 'unknown', ['on our allowlist']);
  const m = j.names.match(value, PEOPLE);
  if (!m) return entity('name', value, 'unknown', []);
  const target = m.protected.display;
  if (m.protected.kind === 'staff' && (m.relation === 'same' || m.relation === 'disguised')) {
    return entity(
      'name',
      value,
      'lookalike',
      [`uses the name of our staff member ${target}, but this is not their account`, ...m.reasons],
      { target, confidence: 'high' },
    );
  }
  if (m.relation === 'same') {
    return entity(
      'name',
      value,
      'lookalike',
      [`uses our name "${j.official.name}", but this is not one of our accounts`],
      { target, confidence: 'high' },
    );
  }
  // A name one letter off a colleague's is often just another person: worth a look, not an alarm.
  const confidence = m.protected.kind === 'staff' ? 'medium' : m.confidence;
  return entity('name', value, 'lookalike', m.reasons, { target, confidence });
}

export function judgePhone(j: Judges, e164: string): Entity {
  const own = j.official.phones.get(e164);
  if (own) return entity('phone', e164, 'official', ['our official number'], { target: own });
  const flag = j.registry.get('phone', e164);
  if (flag) return flagged('phone', e164, flag);
  for (const [ours, display] of j.official.phones) {
    if (ours.length === e164.length && [...ours].filter((c, i) => c !== e164[i]).length === 1) {
      return entity('phone', e164, 'lookalike', [`differs by one digit from our number ${display}`], {
        target: display,
        confidence: 'medium',
      });
    }
  }
  return entity('phone', e164, 'unknown', j.official.phones.size > 0 ? ['not one of our numbers'] : []);
}

export function judgeEmail(j: Judges, email: string, host: string): Entity {
  if (j.official.emails.has(email))
    return entity('email', email, 'official', ['our official address'], { target: email });
  const flag = j.registry.get('email', email) ?? j.registry.getHost(host);
  if (flag) return flagged('email', email, flag);
  if (j.official.isOfficialHost(normalizeHost(host)))
    return entity('email', email, 'unknown', ['on our domain, but not an address we publish']);
  const l = hostLookalike(j, host);
  if (l) return lookalike('email', email, { ...l, reasons: l.reasons.map((r) => `the mail domain ${r}`) });
  const local = email.slice(0, email.indexOf('@'));
  const m = j.names.match(local, ACCOUNTS);
  if (m) {
    const ours = [...j.official.emails].join(', ') || j.official.domains.join(', ');
    return entity(
      'email',
      email,
      'lookalike',
      [`uses our name on a mail service we do not use; we write only from ${ours}`],
      { target: m.protected.display, confidence: 'medium' },
    );
  }
  return entity('email', email, 'unknown', []);
}

export function judgeAddress(
  j: Judges,
  address: string,
  chain: Chain,
  recent: Iterable<string> = [],
): Entity {
  const own = j.official.addresses.get(normalizeAddress(address));
  if (own)
    return entity('address', address, 'official', [`our published ${chain.toUpperCase()} address`], {
      target: own,
    });
  const flag = j.registry.get('address', address);
  if (flag) return flagged('address', address, flag);
  const p = j.poisoning.check(address, recent);
  if (p) {
    const whose = p.official ? 'our address' : 'an address from your recent history';
    return entity(
      'address',
      address,
      'lookalike',
      [
        `starts and ends like ${whose} ${p.imitated} but the middle is different: this is address poisoning, never copy it`,
      ],
      { target: p.imitated, confidence: 'high' },
    );
  }
  return entity('address', address, 'unknown', []);
}
