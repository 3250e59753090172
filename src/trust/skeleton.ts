/**
 * Normalization for comparing names that must look different from the official ones.
 *
 * `skeleton` is exactly the UTS #39 skeleton. `foldKey` goes further for matching: it
 * lower-cases, drops diacritics and applies the folds the confusables data misses
 * (small capitals, fullwidth forms, `rn`→`m`, `vv`→`w`, digits that pass for letters),
 * so that every way of drawing a name with other characters collapses onto one key.
 */
import { CONFUSABLES } from './confusables.ts';

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
const MARKS = /\p{M}/gu;

export function skeleton(text: string): string {
  const nfd = text.normalize('NFD').replace(IGNORABLE, '');
  let out = '';
  for (const ch of nfd) out += CONFUSABLES.get(ch) ?? ch;
  return out.normalize('NFD');
}

const SMALL_CAPITALS = 'ᴀaʙbᴄcᴅdᴇeꜰfɢgʜhɪiᴊjᴋkʟlᴍmɴnᴏoᴘpǫqʀrꜱsᴛtᴜuᴠvᴡwʏyᴢz';
const PRE_FOLDS: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (let i = 0; i < SMALL_CAPITALS.length; i += 2) m.set(SMALL_CAPITALS[i]!, SMALL_CAPITALS[i + 1]!);
  // Cyrillic and Greek letters used as Latin ones that confusables.txt leaves alone.
  for (const [from, to] of [
    'кk',
    'мm',
    'тt',
    'пn',
    'ьb',
    'гr',
    'нh',
    'вb',
    'иu',
    'κk',
    'τt',
    'ρp',
    'ιi',
    'ηn',
    'ωw',
    'υu',
    'χx',
  ]) {
    m.set(from!, to!);
  }
  // Fullwidth ASCII: U+FF01..U+FF5E mirror U+0021..U+007E.
  for (let cp = 0xff01; cp <= 0xff5e; cp++) {
    m.set(String.fromCodePoint(cp), String.fromCodePoint(cp - 0xfee0).toLowerCase());
  }
  return m;
})();
/** Characters that read as a letter in a name but that neither NFD nor confusables map there. */
const EXTRA_FOLDS: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>(PRE_FOLDS);
  for (const [from, to] of [
    ['0', 'o'],
    ['1', 'l'],
    ['3', 'e'],
    ['4', 'a'],
    ['5', 's'],
    ['7', 't'],
    ['8', 'b'],
    ['@', 'a'],
    ['$', 's'],
    ['|', 'l'],
    ['!', 'i'],
    ['ı', 'i'],
    ['ł', 'l'],
    ['ø', 'o'],
    ['đ', 'd'],
    ['ħ', 'h'],
    ['ß', 'ss'],
    ['æ', 'ae'],
    ['œ', 'oe'],
  ] as const) {
    m.set(from, to);
  }
  return m;
})();

/** Letter pairs that render like one letter in most fonts. */
const PAIR_FOLDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/rn/g, 'm'],
  [/vv/g, 'w'],
];

/**
 * The matching key: identical for a name and every visual disguise of it. With `pairs`
 * false, letter pairs the user typed (`rn`) are kept, for comparing real typos.
 */
export function foldKey(text: string, pairs = true): string {
  let out = '';
  for (const ch of text) {
    const code = ch.charCodeAt(0);
    out += code < 128 ? ASCII_FOLDS[code]! : foldCached(ch);
  }
  if (pairs) for (const [pattern, to] of PAIR_FOLDS) out = out.replace(pattern, to);
  return out;
}

/** One character's fold: small capitals and fullwidth first (confusables maps some elsewhere). */
function foldChar(ch: string): string {
  let out = '';
  for (const c of skeleton(PRE_FOLDS.get(ch) ?? ch)
    .toLowerCase()
    .replace(MARKS, ''))
    out += EXTRA_FOLDS.get(c) ?? c;
  out = out.replace(MARKS, '');
  for (const [pattern, to] of PAIR_FOLDS) out = out.replace(pattern, to);
  return out;
}

const ASCII_FOLDS: readonly string[] = Array.from({ length: 128 }, (_, cp) =>
  foldChar(String.fromCharCode(cp)),
);
const CACHE_LIMIT = 20_000;
const folded = new Map<string, string>();

function foldCached(ch: string): string {
  let out = folded.get(ch);
  if (out === undefined) {
    out = foldChar(ch);
    if (folded.size < CACHE_LIMIT) folded.set(ch, out);
  }
  return out;
}

const SEPARATORS = /[\s._\-·・]+/gu;

/** Like `foldKey`, but separators (`-`, `_`, `.`, spaces) removed: `Brand_Support` = `brandsupport`. */
export function compactKey(text: string, pairs = true): string {
  return foldKey(text.replace(SEPARATORS, ''), pairs);
}

const SCRIPTS = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Cherokee',
  'Georgian',
  'Han',
  'Hiragana',
  'Katakana',
  'Hangul',
  'Arabic',
  'Hebrew',
  'Thai',
  'Devanagari',
] as const;
const SCRIPT_TESTS = SCRIPTS.map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')] as const);

/** The script of a letter (`undefined` for digits, punctuation, marks). */
export function scriptOf(ch: string): string | undefined {
  if (!/\p{L}/u.test(ch) || /[\p{Script=Common}\p{Script=Inherited}]/u.test(ch)) return undefined;
  for (const [name, test] of SCRIPT_TESTS) if (test.test(ch)) return name;
  return 'Other';
}

/** Scripts that legitimately share one word (Japanese mixes Han and kana; Korean may use Han). */
const COMPATIBLE: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['Han', 'Hiragana', 'Katakana']),
  new Set(['Han', 'Hangul']),
];

export function scriptsOf(word: string): Set<string> {
  const found = new Set<string>();
  for (const ch of word) {
    const s = scriptOf(ch);
    if (s) found.add(s);
  }
  return found;
}

/** True when one word mixes scripts no real word mixes, e.g. Latin with Cyrillic. */
export function isMixedScript(word: string): boolean {
  const found = scriptsOf(word);
  if (found.size < 2) return false;
  return !COMPATIBLE.some((group) => [...found].every((s) => group.has(s)));
}

/** Characters of `word` that are not plain ASCII letters/digits, with what they imitate. */
export function disguisedCharacters(
  word: string,
): Array<{ char: string; looksLike: string; script?: string }> {
  const out: Array<{ char: string; looksLike: string; script?: string }> = [];
  for (const ch of word) {
    if (/^[a-z0-9._\- ]$/i.test(ch)) continue;
    const looksLike = foldKey(ch);
    if (looksLike === ch || looksLike === '') continue;
    const script = scriptOf(ch);
    out.push(script ? { char: ch, looksLike, script } : { char: ch, looksLike });
  }
  return out;
}
