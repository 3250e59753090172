/**
 * The secret shield: recovery phrases (every BIP-39 wordlist, 12–24 words, spaced,
 * numbered, comma-separated or, in Chinese, written without spaces), raw private keys
 * (hex, WIF, extended keys) and "password: …" disclosures are replaced before a message
 * is stored or shown. The secret is never returned; only its kind and length are.
 */
import { wordlist as czech } from '@scure/bip39/wordlists/czech.js';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { wordlist as french } from '@scure/bip39/wordlists/french.js';
import { wordlist as italian } from '@scure/bip39/wordlists/italian.js';
import { wordlist as japanese } from '@scure/bip39/wordlists/japanese.js';
import { wordlist as korean } from '@scure/bip39/wordlists/korean.js';
import { wordlist as portuguese } from '@scure/bip39/wordlists/portuguese.js';
import { wordlist as simplifiedChinese } from '@scure/bip39/wordlists/simplified-chinese.js';
import { wordlist as spanish } from '@scure/bip39/wordlists/spanish.js';
import { wordlist as traditionalChinese } from '@scure/bip39/wordlists/traditional-chinese.js';
import type { Redaction } from '../core/model.ts';
import { base58CheckDecode, bip39ChecksumValid } from './checksums.ts';

const LISTS = [
  english,
  spanish,
  french,
  italian,
  czech,
  portuguese,
  japanese,
  korean,
  simplifiedChinese,
  traditionalChinese,
];

/** Word (NFKD, lower case) → bit set of the wordlists that contain it. */
const WORDS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  LISTS.forEach((list, bit) => {
    for (const w of list) {
      const key = w.normalize('NFKD');
      m.set(key, (m.get(key) ?? 0) | (1 << bit));
    }
  });
  return m;
})();

export const PLACEHOLDERS: Readonly<Record<Redaction['kind'], string>> = {
  'seed-phrase': '[redacted: recovery phrase]',
  'private-key': '[redacted: private key]',
  password: '[redacted: password]',
  other: '[redacted]',
};

interface Span {
  start: number;
  end: number;
  kind: Redaction['kind'];
}

const MIN_WORDS = 12;
const MAX_WORDS = 24;
// A run of letters, a number, or one other visible character; Han runs are split per character.
const TOKEN = /[\p{L}\p{M}]+|\d+|\S/gu;
const ASCII_TOKEN = /[A-Za-z]+|\d+|\S/g;
const PRINTABLE_ASCII = /^[\x20-\x7e\s]*$/;
const HAN = /\p{Script=Han}/u;
const NON_ASCII = /[^ -~\s]/;
const NUMBERING = /^\d{1,2}$/;
const JOINERS = new Set([
  ',',
  '.',
  ')',
  '(',
  '-',
  ':',
  ';',
  '、',
  '，',
  '。',
  '：',
  '；',
  '）',
  '（',
  '#',
  '|',
  '/',
]);

interface Word {
  start: number;
  end: number;
  text: string;
  han: boolean;
  /** No whitespace or punctuation between this Han character and the previous word. */
  glued: boolean;
  /** The wordlists that contain it. */
  bits: number;
}

function seedPhraseSpans(text: string): Span[] {
  const spans: Span[] = [];
  let run: Word[] = [];
  let mask = 0;
  let lastEnd = -1;
  const close = (): void => {
    if (run.length >= MIN_WORDS) spans.push(...phraseInRun(run, mask));
    run = [];
    mask = 0;
  };
  const visit = (token: string, key: string, index: number, han: boolean): void => {
    const bits = WORDS.get(key);
    if (bits !== undefined) {
      if ((mask & bits) === 0 && run.length > 0) {
        // Another wordlist: the phrase may have started a few words back (simplified and
        // traditional Chinese share most characters), so those words carry over.
        let keep = run.length;
        while (keep > 0 && (run[keep - 1]!.bits & bits) !== 0) keep--;
        const carried = run.slice(keep);
        close();
        run = carried;
        mask = carried.reduce((m, w) => m & w.bits, bits);
      }
      const glued = han && index === lastEnd && run.length > 0;
      run.push({ start: index, end: index + token.length, text: key, han, glued, bits });
      mask = run.length === 1 ? bits : mask & bits;
      lastEnd = index + token.length;
    } else if (!(NUMBERING.test(token) || JOINERS.has(token))) {
      close();
    }
  };
  const ascii = PRINTABLE_ASCII.test(text);
  for (const m of text.matchAll(ascii ? ASCII_TOKEN : TOKEN)) {
    const token = m[0];
    if (ascii || !NON_ASCII.test(token)) {
      visit(token, token.toLowerCase(), m.index, false);
    } else if (HAN.test(token)) {
      // Each Han character is a word of the Chinese lists (and needs no normalization).
      let at = m.index;
      for (const ch of token) {
        visit(ch, ch, at, HAN.test(ch));
        at += ch.length;
      }
    } else {
      visit(token, token.normalize('NFKD').toLowerCase(), m.index, false);
    }
  }
  close();
  return spans;
}

/** Per wordlist: word (NFKD) → its index, for checking a candidate's BIP-39 checksum. */
const INDEXES: ReadonlyArray<ReadonlyMap<string, number>> = LISTS.map(
  (list) => new Map(list.map((w, i) => [w.normalize('NFKD'), i] as const)),
);

/**
 * The Chinese lists are sorted by how common a character is, and prose is made of the
 * most common ones: a random phrase averages index ~1024, everyday sentences ~300–450.
 * Requiring a high average keeps prose out while losing about 0.3 % of genuine 12-word
 * phrases (fewer for longer ones) written without spaces.
 */
const MIN_MEAN_INDEX_CHINESE = 550;
const PHRASE_HINT = /助记|助記|短语|短語|私钥|私鑰|钱包|錢包|密语|密語/;

function checksumValid(window: readonly Word[], mask: number): boolean {
  const chinese = window.some((w) => w.han);
  return INDEXES.some((index, bit) => {
    if (!(mask & (1 << bit))) return false;
    const indices = window.map((w) => index.get(w.text) ?? -1);
    if (indices.includes(-1)) return false;
    const mean = indices.reduce((a, b) => a + b, 0) / indices.length;
    return (!chinese || mean >= MIN_MEAN_INDEX_CHINESE) && bip39ChecksumValid(indices);
  });
}

function span(words: readonly Word[]): Span {
  return { start: words[0]!.start, end: words[words.length - 1]!.end, kind: 'seed-phrase' };
}

/**
 * The longest stretch with a valid checksum, if any. A random stretch passes the checksum
 * one time in 16 or more, so when several of that length pass, all of them are covered.
 */
function validWindow(words: readonly Word[], mask: number, anchored: boolean): Word[] | undefined {
  for (let n = Math.min(MAX_WORDS, words.length); n >= MIN_WORDS; n--) {
    if (n % 3 !== 0) continue;
    const offsets = anchored
      ? [0, words.length - n]
      : Array.from({ length: words.length - n + 1 }, (_, i) => i);
    const valid = [...new Set(offsets)].filter((from) => checksumValid(words.slice(from, from + n), mask));
    if (valid.length > 0) return words.slice(Math.min(...valid), Math.max(...valid) + n);
  }
  return undefined;
}

/** The phrase inside a run of wordlist words, if the run really is one. */
function phraseInRun(run: Word[], mask: number): Span[] {
  const gluedHan = run.filter((w) => w.glued).length > run.length / 2;
  if (!gluedHan) {
    // Very long runs (pasted word lists) are redacted whole without searching them; a
    // valid checksum narrows the redaction to the phrase itself.
    const found = run.length <= MAX_WORDS * 2 ? validWindow(run, mask, false) : undefined;
    if (found) return [span(found)];
    // Latin words in a run this long are a phrase even with a typo; Chinese words separated
    // by commas are as likely a list of terms, so those need the checksum.
    return run.some((w) => w.han) ? [] : [span(run)];
  }
  // Unspaced Chinese: prose is made of the same common characters, so a stretch counts
  // only with a valid checksum, rare characters on average, and either filling a whole
  // segment between punctuation or following "助记词" and the like in its segment.
  const spans: Span[] = [];
  let from = 0;
  for (let i = 1; i <= run.length; i++) {
    if (i < run.length && run[i]!.glued) continue;
    const segment = run.slice(from, i);
    from = i;
    const hit = validWindow(segment, mask, true);
    if (!hit) continue;
    const rest = segment
      .filter((w) => !hit.includes(w))
      .map((w) => w.text)
      .join('');
    if (rest === '' || PHRASE_HINT.test(rest)) spans.push(span(hit));
  }
  return spans;
}

const HEX_KEY = /(?<![0-9a-z])(?:0x)?[0-9a-f]{64}(?![0-9a-z])/giu;
// Transaction and block hashes are 64 hex digits too, and users paste them to support.
const HASH_CONTEXT = /(?:\btx|\btxn|hash|txid|transaction|block|\/tx\/|交易|哈希|区块)[^\n]{0,24}$/iu;
const WIF = /(?<![0-9a-z])[5KLc9][1-9A-HJ-NP-Za-km-z]{50,51}(?![0-9a-z])/gu;
const EXTENDED_KEY = /(?<![0-9a-z])[xtyzuv]prv[1-9A-HJ-NP-Za-km-z]{100,112}(?![0-9a-z])/gu;
const PASSWORD =
  /(?:\b(?:password|passwd|passcode|passphrase|pwd|pin(?:\s*code)?)|密码|口令)\s*(is|was|=|:|：|是|为|:-)\s*["'“]?([^\s"'”]{3,128})/giu;
/** After "is"/"是" a word is usually prose ("is visible"): only password-like values count there. */
const PASSWORD_LIKE = /\d|[^\p{L}\p{N}]|\p{Ll}\p{Lu}/u;

// Cheap triggers: each costly pattern runs only when its trigger is in the text.
const LONG_HEX = /[0-9a-f]{64}/i;
const LONG_BASE58 = /[5KLc9][1-9A-HJ-NP-Za-km-z]{50}/;
const PASSWORD_WORD = /pass|pwd|pin|密码|口令/i;

function isWif(candidate: string): boolean {
  const payload = base58CheckDecode(candidate);
  return (
    payload !== undefined &&
    (payload[0] === 0x80 || payload[0] === 0xef) &&
    (payload.length === 33 || payload.length === 34)
  );
}

function keySpans(text: string): Span[] {
  const spans: Span[] = [];
  const at = (m: RegExpMatchArray & { index: number }, kind: Span['kind']): Span => ({
    start: m.index,
    end: m.index + m[0].length,
    kind,
  });
  if (LONG_HEX.test(text)) {
    for (const m of text.matchAll(HEX_KEY)) {
      if (!HASH_CONTEXT.test(text.slice(Math.max(0, m.index - 40), m.index)))
        spans.push(at(m, 'private-key'));
    }
  }
  if (LONG_BASE58.test(text)) {
    for (const m of text.matchAll(WIF)) if (isWif(m[0])) spans.push(at(m, 'private-key'));
    if (text.includes('prv')) for (const m of text.matchAll(EXTENDED_KEY)) spans.push(at(m, 'private-key'));
  }
  if (PASSWORD_WORD.test(text)) {
    for (const m of text.matchAll(PASSWORD)) {
      const raw = m[2]!;
      const value = raw.replace(/[.,。，]+$/u, '');
      if (value.length < 3 || (/^(is|was|是|为)$/i.test(m[1]!) && !PASSWORD_LIKE.test(value))) continue;
      const start = m.index + m[0].length - raw.length;
      spans.push({ start, end: start + value.length, kind: 'password' });
    }
  }
  return spans;
}

export interface Shielded {
  text: string;
  redactions: Redaction[];
}

/** `text` with every secret replaced by a placeholder; the secrets are not kept anywhere. */
export function shield(text: string): Shielded {
  const spans = [...keySpans(text), ...seedPhraseSpans(text)].sort((a, b) => a.start - b.start);
  if (spans.length === 0) return { text, redactions: [] };
  const merged: Span[] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  let out = '';
  let at = 0;
  const redactions: Redaction[] = [];
  for (const s of merged) {
    out += text.slice(at, s.start) + PLACEHOLDERS[s.kind];
    redactions.push({ kind: s.kind, length: s.end - s.start });
    at = s.end;
  }
  return { text: out + text.slice(at), redactions };
}
