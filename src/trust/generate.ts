/**
 * Generates lookalikes of official names, one generator per attack family (homoglyphs,
 * mixed scripts, punycode, folds, every typo kind, hyphenation, brand + words, other
 * TLDs, brand as subdomain; handles and display names). Seeded, so a run is repeatable.
 * The benchmark measures recall on what this produces; tests use it as a property check.
 */
import { domainToASCII } from 'node:url';

export interface BrandSpec {
  brand: string;
  domain: string;
}

/** A small seeded PRNG (mulberry32). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOMOGLYPHS: Record<string, string[]> = {
  a: ['à', 'á', 'ä', 'ɑ', 'ạ'],
  e: ['é', 'è', 'ë', 'ė'],
  i: ['í', 'ï', 'ı', 'ì'],
  o: ['ó', 'ö', 'ο', 'ọ'],
  u: ['ü', 'ú', 'ս'],
  n: ['ñ', 'ո'],
  c: ['ç', 'ϲ'],
  s: ['ś', 'ѕ'],
  k: ['ķ', 'κ'],
  l: ['ł', 'ӏ'],
  y: ['ý', 'ү'],
  t: ['ţ'],
  r: ['ŕ'],
  g: ['ġ', 'ɡ'],
  b: ['ḅ'],
  p: ['ρ'],
  h: ['һ'],
  m: ['ṃ'],
  w: ['ẉ'],
  x: ['ẋ'],
  z: ['ż'],
};
const CYRILLIC: Record<string, string> = {
  a: 'а',
  e: 'е',
  o: 'о',
  p: 'р',
  c: 'с',
  x: 'х',
  y: 'у',
  i: 'і',
  s: 'ѕ',
  j: 'ј',
  h: 'һ',
  k: 'к',
  m: 'м',
  t: 'т',
  b: 'ь',
  n: 'п',
};
const FOLDS: Array<[string, string]> = [
  ['m', 'rn'],
  ['w', 'vv'],
  ['o', '0'],
  ['l', '1'],
  ['i', '1'],
  ['e', '3'],
  ['s', '5'],
  ['a', '4'],
];
const KEYS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const VOWELS = 'aeiou';
const WORDS = [
  'support',
  'help',
  'service',
  'verify',
  'wallet',
  'secure',
  'login',
  'claim',
  'airdrop',
  'official',
  'team',
  'admin',
  'rewards',
  'portal',
  'finance',
  'labs',
  'assist',
  'access',
  'app',
  'connect',
  'recovery',
  'unlock',
  'bonus',
  'ps',
  'desk',
  'sync',
  'auth',
  'launch',
  'pro',
  'hq',
];
const TLDS = [
  'net',
  'org',
  'co',
  'xyz',
  'top',
  'app',
  'online',
  'site',
  'info',
  'co.uk',
  'com.br',
  'pages.dev',
  'netlify.app',
  'vercel.app',
  'github.io',
  'web.app',
  'herokuapp.com',
  'io',
  'com',
  'live',
];
const ZH_ROLES = ['客服', '官方客服', '管理员', '在线客服'];
const EN_ROLES = ['Admin', 'Support', 'Help Desk', 'Official', 'Team', 'Mod'];

export type Generator = (label: string, rnd: () => number) => string | undefined;
export const pick = <T>(list: readonly T[], rnd: () => number): T => list[Math.floor(rnd() * list.length)]!;
const at = (s: string, i: number, rep: string, drop = 1): string => s.slice(0, i) + rep + s.slice(i + drop);
const letterPositions = (s: string, ok: (c: string) => boolean): number[] =>
  [...s].flatMap((c, i) => (ok(c) ? [i] : []));

export const LABEL_FAMILIES: Record<string, Generator> = {
  homoglyph: (s, r) => {
    const pos = letterPositions(s, (c) => c in HOMOGLYPHS);
    if (pos.length === 0) return undefined;
    const i = pick(pos, r);
    return at(s, i, pick(HOMOGLYPHS[s[i]!]!, r));
  },
  'mixed-script': (s, r) => {
    const pos = letterPositions(s, (c) => c in CYRILLIC);
    if (pos.length === 0) return undefined;
    let out = s;
    for (const i of new Set([pick(pos, r), pick(pos, r)])) out = at(out, i, CYRILLIC[s[i]!]!);
    return out;
  },
  fold: (s, r) => {
    const options = FOLDS.filter(([from]) => s.includes(from));
    if (options.length === 0) return undefined;
    const [from, to] = pick(options, r);
    return at(s, s.indexOf(from), to);
  },
  insertion: (s, r) => at(s, 1 + Math.floor(r() * (s.length - 1)), pick([...LETTERS], r), 0),
  omission: (s, r) => (s.length < 5 ? undefined : at(s, 1 + Math.floor(r() * (s.length - 2)), '')),
  repetition: (s, r) => {
    const i = Math.floor(r() * s.length);
    return at(s, i, s[i]!, 0);
  },
  transposition: (s, r) => {
    const pos = letterPositions(s.slice(0, -1), (_) => true).filter((i) => s[i] !== s[i + 1]);
    if (pos.length === 0) return undefined;
    const i = pick(pos, r);
    return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
  },
  replacement: (s, r) => {
    const i = Math.floor(r() * s.length);
    const c = pick(
      [...LETTERS].filter((x) => x !== s[i]),
      r,
    );
    return at(s, i, c);
  },
  keyboard: (s, r) => {
    const pos = letterPositions(s, (c) => KEYS.some((row) => row.includes(c)));
    if (pos.length === 0) return undefined;
    const i = pick(pos, r);
    const row = KEYS.find((k) => k.includes(s[i]!))!;
    const j = row.indexOf(s[i]!);
    const near = [row[j - 1], row[j + 1]].filter((x): x is string => !!x);
    return at(s, i, pick(near, r));
  },
  bitflip: (s, r) => {
    for (let tries = 0; tries < 20; tries++) {
      const i = Math.floor(r() * s.length);
      const flipped = String.fromCharCode(s.charCodeAt(i) ^ (1 << Math.floor(r() * 7)));
      if (/^[a-z0-9]$/.test(flipped) && flipped !== s[i]) return at(s, i, flipped);
    }
    return undefined;
  },
  'vowel-swap': (s, r) => {
    const pos = letterPositions(s, (c) => VOWELS.includes(c));
    if (pos.length === 0) return undefined;
    const i = pick(pos, r);
    return at(
      s,
      i,
      pick(
        [...VOWELS].filter((v) => v !== s[i]),
        r,
      ),
    );
  },
  hyphenation: (s, r) => (s.length < 4 ? undefined : at(s, 1 + Math.floor(r() * (s.length - 2)), '-', 0)),
  'brand-word': (s, r) => {
    const w = pick(WORDS, r);
    const sep = pick(['', '-'], r);
    return r() < 0.7 ? `${s}${sep}${w}` : `${w}${sep}${s}`;
  },
};

export function domainLookalikes(brands: readonly BrandSpec[], seed: number): Map<string, string[]> {
  const r = random(seed);
  const out = new Map<string, string[]>();
  const add = (family: string, host: string | undefined): void => {
    if (host) out.set(family, [...(out.get(family) ?? []), host]);
  };
  for (const b of brands) {
    const dot = b.domain.indexOf('.');
    const label = b.domain.slice(0, dot);
    const suffix = b.domain.slice(dot + 1);
    for (let k = 0; k < 6; k++) {
      for (const [family, gen] of Object.entries(LABEL_FAMILIES)) {
        const tld = r() < 0.5 ? suffix : pick(TLDS, r);
        const fake = gen(label, r);
        if (fake && fake !== label) add(family, `${fake}.${tld}`);
      }
      const homo = LABEL_FAMILIES['mixed-script']!(label, r);
      if (homo) add('punycode', domainToASCII(`${homo}.${suffix}`));
      add(
        'other-tld',
        `${label}.${pick(
          TLDS.filter((t) => t !== suffix),
          r,
        )}`,
      );
      const other = `${pick(WORDS, r)}-${pick(WORDS, r)}.${pick(TLDS, r)}`;
      add('subdomain', r() < 0.5 ? `${b.domain}.${other}` : `${label}.${other}`);
    }
  }
  return out;
}

export function handleLookalikes(
  brands: readonly BrandSpec[],
  staff: readonly string[],
  seed: number,
): Map<string, string[]> {
  const r = random(seed);
  const out = new Map<string, string[]>();
  const add = (family: string, v: string | undefined): void => {
    if (v) out.set(family, [...(out.get(family) ?? []), v]);
  };
  const wide = (s: string): string =>
    [...s].map((c) => (/[!-~]/.test(c) ? String.fromCharCode(c.charCodeAt(0) + 0xfee0) : c)).join('');
  for (const b of brands) {
    const handle = `${b.brand[0]!.toUpperCase()}${b.brand.slice(1)}Support`;
    for (let k = 0; k < 4; k++) {
      add('handle:mixed-script', `@${LABEL_FAMILIES['mixed-script']!(handle.toLowerCase(), r) ?? handle}`);
      add('handle:fullwidth', `@${wide(handle)}`);
      add('handle:fold', `@${LABEL_FAMILIES.fold!(handle.toLowerCase(), r)}`);
      add('handle:separator', `@${b.brand}_${pick(['support', 'Support', 'SUPPORT'], r)}`);
      add(
        'handle:typo',
        `@${pick([LABEL_FAMILIES.insertion!, LABEL_FAMILIES.omission!, LABEL_FAMILIES.transposition!, LABEL_FAMILIES.repetition!], r)(handle.toLowerCase(), r)}`,
      );
      add('handle:brand-word', `@${b.brand}${pick(['_', '', '-'], r)}${pick(WORDS, r)}`);
      add(
        'name:brand-role',
        `${b.brand[0]!.toUpperCase()}${b.brand.slice(1)} ${pick(r() < 0.5 ? ZH_ROLES : EN_ROLES, r)}`,
      );
    }
  }
  for (const name of staff) {
    add('name:staff', name);
    add('name:staff', LABEL_FAMILIES['mixed-script']!(name, r) ?? name);
  }
  return out;
}
