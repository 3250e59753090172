/**
 * Lookalike detection for names: domain labels, handles and display names compared with
 * every protected official name. All indexes are built once per registry, so the cost of
 * one check depends on the length of the name, not on how many names are protected:
 * exact fold keys in a map, a symmetric-deletion index for one-edit typos, and brand keys
 * grouped by length for "brand plus words" substring search.
 */
import { parse as parseHost } from 'tldts';
import type { OfficialRegistry } from './official.ts';
import { compactKey, disguisedCharacters, isMixedScript, scriptsOf } from './skeleton.ts';
import { deletions, type TypoFamily, typoBetween } from './typos.ts';
import { isBaitWords, stripBaitWords } from './words.ts';

export type LookalikeFamily =
  | 'homoglyph'
  | 'mixed-script'
  | 'punycode'
  | TypoFamily
  | 'brand-word'
  | 'other-tld'
  | 'subdomain'
  | 'staff-name'
  | 'org-name'
  | 'address-poisoning';

export interface Lookalike {
  /** The official entity imitated, as a user should look for it (`example.com`, `@ExampleSupport`). */
  target: string;
  confidence: 'high' | 'medium';
  family: LookalikeFamily;
  reasons: string[];
}

export type ProtectedKind = 'brand' | 'handle' | 'staff';

interface Protected {
  kind: ProtectedKind;
  key: string;
  /** Lower-cased spelling as configured, separators kept (to tell "same name" from "disguised"). */
  plain: string;
  /** What the user is told to look for instead. */
  display: string;
  /** The protected name in words (`our name "example"`, `our account @ExampleSupport`). */
  label: string;
}

/** How a candidate relates to one protected name. */
export interface NameMatch {
  protected: Protected;
  /** `same`: the very spelling (only the context makes it fake, e.g. another TLD). */
  relation: 'same' | 'disguised' | 'typo' | 'brand-word';
  family: LookalikeFamily;
  confidence: 'high' | 'medium';
  reasons: string[];
}

const MIN_TYPO_LENGTH = 5;
const SEPARATORS = /[\s._\-·・]+/gu;
const MIN_CONTAINED_LENGTH = 4;

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function plainOf(text: string): string {
  return text
    .trim()
    .replace(/^[@＠]/, '')
    .toLowerCase();
}

export class NameIndex {
  private readonly exact = new Map<string, Protected[]>();
  private readonly oneEdit = new Map<string, Protected[]>();
  /** Brands by their first two characters, for finding every brand inside a longer name in one pass. */
  private readonly brandsByPrefix = new Map<string, Protected[]>();
  /** Official domains too short for typo matching anywhere (`gate.io`): matched only under their own suffix. */
  private readonly shortDomains = new Map<string, Protected[]>();

  constructor(official: OfficialRegistry) {
    const add = (p: Protected): void => {
      push(this.exact, p.key, p);
      if (p.key.length >= MIN_TYPO_LENGTH) {
        for (const d of new Set([p.key, ...deletions(p.key)])) push(this.oneEdit, d, p);
      }
      if (p.kind === 'brand' && p.key.length >= MIN_CONTAINED_LENGTH) {
        const prefix = p.key.slice(0, 2);
        if (!this.brandsByPrefix.get(prefix)?.some((x) => x.key === p.key))
          push(this.brandsByPrefix, prefix, p);
      }
    };
    for (const [key, display] of official.brands) {
      add({ kind: 'brand', key, plain: key, display, label: `our name "${key}"` });
    }
    for (const [plain, handles] of official.handles) {
      const handle = handles[0]!;
      add({
        kind: 'handle',
        key: compactKey(plain),
        plain,
        display: handle.display,
        label: `our ${handle.channel} account ${handle.display}`,
      });
    }
    for (const domain of official.domains) {
      const parsed = parseHost(domain, { allowPrivateDomains: true });
      const key = compactKey(parsed.domainWithoutSuffix ?? '');
      if (key.length < 3 || key.length >= MIN_TYPO_LENGTH || !parsed.publicSuffix) continue;
      push(this.shortDomains, parsed.publicSuffix, {
        kind: 'brand',
        key,
        plain: key,
        display: domain,
        label: `our site ${domain}`,
      });
    }
    for (const [key, name] of official.staffNames) {
      add({
        kind: 'staff',
        key,
        plain: name.toLowerCase(),
        display: name,
        label: `our staff member ${name}`,
      });
    }
  }

  /** The strongest relation of `raw` to any protected name of the given kinds. */
  match(text: string, kinds: ReadonlySet<ProtectedKind>): NameMatch | undefined {
    const raw = text.trim().replace(/^[@＠]/, '');
    const key = compactKey(raw);
    if (key.length < 3) return undefined;
    return (
      this.matchExact(raw, key, kinds) ??
      this.matchTypo(key, kinds) ??
      this.matchTypoUnfolded(raw, key, kinds) ??
      this.matchBrandWords(key, kinds)
    );
  }

  /** `zernon` is a typo of `zerion`, although its `rn` also folds to `m`. */
  private matchTypoUnfolded(
    raw: string,
    key: string,
    kinds: ReadonlySet<ProtectedKind>,
  ): NameMatch | undefined {
    if (!/rn|vv/i.test(raw)) return undefined;
    const unfolded = compactKey(raw, false);
    return unfolded === key ? undefined : this.matchTypo(unfolded, kinds);
  }

  /** A one-typo variant of a short official domain under the same suffix (`gaate.io` for `gate.io`). */
  matchShortDomain(label: string, suffix: string): NameMatch | undefined {
    const key = compactKey(label);
    for (const p of this.shortDomains.get(suffix) ?? []) {
      const typo = typoBetween(key, p.key);
      if (!typo) continue;
      return {
        protected: p,
        relation: 'typo',
        family: typo.family,
        confidence: 'medium',
        reasons: [`is one typo away from ${p.label}, with the same ending: ${typo.detail}`],
      };
    }
    return undefined;
  }

  private matchExact(raw: string, key: string, kinds: ReadonlySet<ProtectedKind>): NameMatch | undefined {
    const found = this.exact.get(key)?.find((p) => kinds.has(p.kind));
    if (!found) return undefined;
    const plain = plainOf(raw);
    if (plain === found.plain) {
      return { protected: found, relation: 'same', family: 'homoglyph', confidence: 'high', reasons: [] };
    }
    const separatorsOnly = plain.replace(SEPARATORS, '') === found.plain.replace(SEPARATORS, '');
    return {
      protected: found,
      relation: 'disguised',
      family: separatorsOnly ? 'hyphenation' : isMixedScript(raw) ? 'mixed-script' : 'homoglyph',
      confidence: 'high',
      reasons: [`looks like ${found.label}, ${describeDisguise(raw, found.plain)}`],
    };
  }

  private matchTypo(key: string, kinds: ReadonlySet<ProtectedKind>): NameMatch | undefined {
    for (const probe of [key, ...deletions(key)]) {
      for (const p of this.oneEdit.get(probe) ?? []) {
        if (!kinds.has(p.kind)) continue;
        const typo = typoBetween(key, p.key);
        if (!typo) continue;
        return {
          protected: p,
          relation: 'typo',
          family: typo.family,
          confidence: p.key.length >= 6 ? 'high' : 'medium',
          reasons: [`is one typo away from ${p.label}: ${typo.detail}`],
        };
      }
    }
    return undefined;
  }

  private matchBrandWords(key: string, kinds: ReadonlySet<ProtectedKind>): NameMatch | undefined {
    if (!kinds.has('brand')) return undefined;
    let best: NameMatch | undefined;
    for (let i = 0; i + MIN_CONTAINED_LENGTH <= key.length; i++) {
      for (const p of this.brandsByPrefix.get(key.slice(i, i + 2)) ?? []) {
        const length = p.key.length;
        if (length === key.length || !key.startsWith(p.key, i)) continue;
        const before = key.slice(0, i);
        const after = key.slice(i + length);
        const extra = [before, after].filter(Boolean).join('", "');
        if (isBaitWords(before) && isBaitWords(after)) {
          return {
            protected: p,
            relation: 'brand-word',
            family: 'brand-word',
            confidence: 'high',
            reasons: [`adds "${extra}" to ${p.label}, the way fake support accounts and sites do`],
          };
        }
        if (!best && length >= MIN_TYPO_LENGTH && (before === '' || after === '')) {
          best = {
            protected: p,
            relation: 'brand-word',
            family: 'brand-word',
            confidence: 'medium',
            reasons: [`contains ${p.label} with "${extra}" added, but is not ours`],
          };
        }
      }
    }
    return best ?? this.matchMisspelledBrandWords(key);
  }

  /** `metamsk-support`: a bait word around a misspelled brand. */
  private matchMisspelledBrandWords(key: string): NameMatch | undefined {
    for (const { rest, word } of stripBaitWords(key)) {
      const inner = this.matchTypo(rest, BRAND_ONLY) ?? this.matchExactKey(rest);
      if (!inner) continue;
      return {
        protected: inner.protected,
        relation: 'brand-word',
        family: 'brand-word',
        confidence: 'high',
        reasons: [`adds "${word}" to a misspelling of ${inner.protected.label}`],
      };
    }
    return undefined;
  }

  private matchExactKey(key: string): NameMatch | undefined {
    const p = this.exact.get(key)?.find((x) => x.kind === 'brand');
    return p
      ? { protected: p, relation: 'same', family: 'brand-word', confidence: 'high', reasons: [] }
      : undefined;
  }
}

const BRAND_ONLY: ReadonlySet<ProtectedKind> = new Set(['brand']);

/** Plain words for how `raw` imitates `official`. */
export function describeDisguise(raw: string, official: string): string {
  const parts: string[] = [];
  if (isMixedScript(raw)) parts.push(`mixes ${[...scriptsOf(raw)].join(' and ')} letters`);
  const chars = disguisedCharacters(raw).filter((c, i, all) => all.findIndex((x) => x.char === c.char) === i);
  const wide = chars.filter((c) => /[\uff01-\uff5e]/u.test(c.char));
  if (wide.length > 0) parts.push('is written in wide (fullwidth) characters');
  for (const c of chars.filter((x) => !wide.includes(x)).slice(0, 3)) {
    const script = c.script && c.script !== 'Latin' ? ` ${c.script}` : '';
    parts.push(`uses the${script} character "${c.char}" in place of "${c.looksLike}"`);
  }
  const lower = raw.toLowerCase();
  for (const [fake, real] of [
    ['rn', 'm'],
    ['vv', 'w'],
  ] as const) {
    if (lower.includes(fake) && !official.includes(fake) && official.includes(real)) {
      parts.push(`writes "${fake}" to look like "${real}"`);
    }
  }
  if (raw.includes('I') && !official.includes('i') && official.includes('l')) {
    parts.push('uses a capital "I" in place of "l"');
  }
  for (const [digit, letter] of [
    ['0', 'o'],
    ['1', 'l'],
    ['3', 'e'],
    ['5', 's'],
  ] as const) {
    if (lower.includes(digit) && !official.includes(digit))
      parts.push(`uses the digit "${digit}" for "${letter}"`);
  }
  if (parts.length === 0 && /[-_.\s]/.test(raw) !== /[-_.\s]/.test(official)) {
    parts.push('only adds or removes separators');
  }
  if (parts.length === 0) parts.push('with different letters or capitals that look the same');
  return parts.join('; ');
}
