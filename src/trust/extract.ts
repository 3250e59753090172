/**
 * Finds what a text points at: links and bare domains (also written as `example[.]com`
 * or `hxxp://` to dodge filters, punycode or Unicode), handles and messenger links,
 * phone numbers, e-mail addresses and crypto addresses. Pure and allocation-light: it
 * runs on every inbound message.
 */
import type { CountryCode } from 'libphonenumber-js';
import { parse as parseHost } from 'tldts';
import { base58CheckDecode, isValidBech32 } from './checksums.ts';
import { normalizeHost, normalizePhone } from './official.ts';

export type Chain = 'btc' | 'evm' | 'tron';

export interface Extracted {
  kind: 'url' | 'domain' | 'handle' | 'phone' | 'email' | 'address';
  /** Canonical value: host for domains, `@name` for handles, E.164 for phones. */
  value: string;
  /** Offset in the (deobfuscated) text, for ordering. */
  index: number;
  host?: string;
  channel?: string;
  chain?: Chain;
  /** Written in a disguised form (`[.]`, `hxxp`) in the original text. */
  obfuscated?: boolean;
}

export interface ExtractOptions {
  /** Country for numbers written without `+` (e.g. `US`); without it only international numbers are found. */
  defaultCountry?: CountryCode;
}

const DEOBFUSCATIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\s*(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|\[点\]|\(点\))\s*/gi, '.'],
  [/\bhxxp(s?)/gi, 'http$1'],
  [/\[:\]\/\/|\[:\/\/\]|\[:\]/g, '://'],
  [/:\/\/\//g, '://'],
];
const MAYBE_OBFUSCATED = /[[({](?:\.|dot|点|:)|hxxp|[。．｡]/i;
const WIDE_DOT =
  /(?<=[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}])[。．｡](?=[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}])/gu;

/** The text with common link obfuscations undone (`example[.]com` → `example.com`). */
export function deobfuscate(text: string): string {
  if (!MAYBE_OBFUSCATED.test(text)) return text;
  let out = text;
  for (const [pattern, replacement] of DEOBFUSCATIONS) out = out.replace(pattern, replacement);
  return out.replace(WIDE_DOT, '.');
}

// Host labels: letters of the scripts used for homoglyph hosts (not Han, so that Chinese
// prose around a link stays outside it), digits, marks, hyphens, fullwidth forms.
const L = String.raw`[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{Script=Armenian}\p{Script=Cherokee}\p{N}\p{M}]`;
const LABEL = `${L}(?:(?:${L}|-){0,61}${L})?`;
const HOST = String.raw`(?:${LABEL}\.)+(?:xn--[a-z0-9-]{2,59}|${L}{2,63})`;
const TAIL = String.raw`[^\s<>"'\u3000-\u303f\uff08\uff09\u300c-\u300f]*`;

const MESSENGER =
  /\b(?:https?:\/\/)?(?:www\.)?(t\.me|telegram\.me|telegram\.dog|discord\.gg|discord(?:app)?\.com\/invite|u\.wechat\.com|weixin\.qq\.com\/r)\/(\+?[\w-]{2,64})/giu;
const WECHAT_ID = /(?:微信号?|wechat(?:\s*id)?|weixin|vx)\s*[:：]?\s*([a-zA-Z][-_a-zA-Z0-9]{5,19})\b/giu;
const WEIXIN_SCHEME = /weixin:\/\/[^\s]+/giu;
const URL_WITH_SCHEME = new RegExp(
  String.raw`\b(?:https?|ftp)://(${HOST}|\[[0-9a-f:]+\]|\d{1,3}(?:\.\d{1,3}){3})(?::\d{1,5})?${TAIL}`,
  'giu',
);
const EMAIL = new RegExp(String.raw`[\p{L}\p{N}._%+-]{1,64}@(${HOST})`, 'iu');
const EVM = /(?<![0-9a-z])0x[0-9a-f]{40}(?![0-9a-z])/gi;
const BECH32 = /(?<![0-9a-z])(?:bc1|tb1)[02-9ac-hj-np-z]{8,87}(?![0-9a-z])/gi;
const BASE58 = /(?<![0-9a-z])[13T][1-9A-HJ-NP-Za-km-z]{25,34}(?![0-9a-z])/g;
// The same pattern for plain-ASCII tokens (most of them), three times faster.
const ASCII_BARE_HOST =
  /(?<![a-z0-9@._/-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:xn--[a-z0-9-]{2,59}|[a-z0-9]{2,63}))(?![a-z0-9_-])(\/[^\s<>"']*)?/gi;
const PRINTABLE_ASCII = /^[ -~]*$/;
const LETTER_AFTER_DOT = /\.[^\d\s.,;:!?)\]}'"]/u;
const BARE_HOST = new RegExp(`(?<!${L}|[@＠._/-])(${HOST})(?!${L}|[_-])(/${TAIL})?`, 'giu');
const PHONE_CANDIDATE = /(?<![\w+.])(\+?)\(?\d[\d\s().-]{5,18}\d(?![\w.]\d)/g;
/** Anything with a dot in it: only these can hold a bare domain (the full pattern is costly). */
const BOUNDARY = new Set([...'<>"\'，、；：！？（）「」『』【】\u3000\u00a0'].map((c) => c.charCodeAt(0)));
const isBoundary = (code: number): boolean => code <= 32 || BOUNDARY.has(code);

/** E-mail matches, searched only in the token around each `@` (the pattern is costly on whole texts). */
function nearAt(text: string, pattern: RegExp): Array<{ 0: string; 1: string; index: number }> {
  const out: Array<{ 0: string; 1: string; index: number }> = [];
  for (let at = text.indexOf('@'); at >= 0; ) {
    let start = at;
    while (start > 0 && !isBoundary(text.charCodeAt(start - 1))) start--;
    let end = at;
    while (end < text.length && !isBoundary(text.charCodeAt(end))) end++;
    const m = pattern.exec(text.slice(start, end));
    if (m?.[1] !== undefined) out.push({ 0: m[0], 1: m[1], index: start + m.index });
    at = text.indexOf('@', end);
  }
  return out;
}

/** The whitespace-delimited tokens that contain a dot: the only places a bare domain can be. */
function dottedTokens(text: string): Array<{ text: string; index: number }> {
  const out: Array<{ text: string; index: number }> = [];
  for (let dot = text.indexOf('.'); dot >= 0; ) {
    let start = dot;
    while (start > 0 && !isBoundary(text.charCodeAt(start - 1))) start--;
    let end = dot;
    while (end < text.length && !isBoundary(text.charCodeAt(end))) end++;
    out.push({ text: text.slice(start, end), index: start });
    dot = text.indexOf('.', end);
  }
  return out;
}
// Handles may carry dots and dashes inside (Discord, WeChat), never at the end of a sentence.
const HANDLE = /(?<![\p{L}\p{N}_.@＠])[@＠]([\p{L}\p{N}_](?:[\p{L}\p{N}_.-]{0,62}[\p{L}\p{N}_])?)/gu;
const TRAILING = /[.,;:!?)\]}>'"。，；：！？）】」』]+$/u;

const realHosts = new Map<string, boolean>();

/** A host under a known public suffix (remembered: chats repeat the same hosts). */
function isRealHost(host: string): boolean {
  let real = realHosts.get(host);
  if (real === undefined) {
    const parsed = parseHost(host, { allowPrivateDomains: true });
    real = parsed.domain !== null && (parsed.isIcann === true || parsed.isPrivate === true);
    if (realHosts.size >= 50_000) realHosts.clear();
    realHosts.set(host, real);
  }
  return real;
}

/** Every entity in `text`, in order of appearance. */
export function extract(text: string, options: ExtractOptions = {}): Extracted[] {
  let work = deobfuscate(text);
  const original = work === text ? text : text.toLowerCase();
  const found: Extracted[] = [];
  // Each pass blanks what it took, so later passes never see it twice.
  const take = (index: number, length: number): void => {
    work = work.slice(0, index) + ' '.repeat(length) + work.slice(index + length);
  };
  const changed = work !== text;
  const obfuscated = (raw: string): boolean => changed && !original.includes(raw.toLowerCase());

  if (/t\.me|telegram|discord|wechat|weixin/i.test(work)) {
    for (const m of work.matchAll(MESSENGER)) {
      const site = m[1]!.toLowerCase();
      const id = m[2]!;
      const telegram = site.startsWith('t') && !id.startsWith('+');
      if (telegram && id.toLowerCase() !== 'joinchat') {
        found.push({ kind: 'handle', value: `@${id}`, index: m.index, channel: 'telegram' });
      } else {
        const channel = site.startsWith('discord') ? 'discord' : site.startsWith('t') ? 'telegram' : 'wechat';
        const value = `${site.replace('discordapp.com', 'discord.com')}/${id}`;
        found.push({ kind: 'url', value, index: m.index, channel });
      }
      take(m.index, m[0].length);
    }
    for (const m of work.matchAll(WEIXIN_SCHEME)) {
      found.push({ kind: 'url', value: m[0].replace(TRAILING, ''), index: m.index, channel: 'wechat' });
      take(m.index, m[0].length);
    }
  }
  if (/微信|wechat|weixin|vx/i.test(work)) {
    for (const m of work.matchAll(WECHAT_ID)) {
      found.push({ kind: 'handle', value: m[1]!, index: m.index, channel: 'wechat' });
      take(m.index, m[0].length);
    }
  }
  if (work.includes('://')) {
    for (const m of work.matchAll(URL_WITH_SCHEME)) {
      const raw = m[0].replace(TRAILING, '');
      const host = normalizeHost(m[1]!);
      found.push({ kind: 'url', value: raw, host, index: m.index, obfuscated: obfuscated(raw) });
      take(m.index, m[0].length);
    }
  }
  const at = /[@＠]/.test(work);
  if (at) {
    for (const m of nearAt(work, EMAIL)) {
      const host = normalizeHost(m[1]!);
      if (!isRealHost(host)) continue;
      found.push({
        kind: 'email',
        value: m[0].toLowerCase(),
        host,
        index: m.index,
        obfuscated: obfuscated(m[0]),
      });
      take(m.index, m[0].length);
    }
  }
  for (const [pattern, valid, trigger] of ADDRESS_PATTERNS) {
    if (!trigger.test(work)) continue;
    for (const m of work.matchAll(pattern)) {
      if (!valid(m[0])) continue;
      found.push({ kind: 'address', value: m[0], chain: chainOf(m[0]), index: m.index });
      take(m.index, m[0].length);
    }
  }
  for (const token of dottedTokens(work)) {
    if (!LETTER_AFTER_DOT.test(token.text)) continue;
    const pattern = PRINTABLE_ASCII.test(token.text) ? ASCII_BARE_HOST : BARE_HOST;
    for (const m of token.text.matchAll(pattern)) {
      const host = normalizeHost(m[1]!);
      if (!isRealHost(host)) continue;
      const path = (m[2] ?? '').replace(TRAILING, '');
      const raw = m[1]! + path;
      const kind = path.length > 1 ? 'url' : 'domain';
      const index = token.index + m.index;
      found.push({ kind, value: kind === 'url' ? raw : host, host, index, obfuscated: obfuscated(raw) });
      take(index, m[0].length);
    }
  }
  if (at) {
    for (const m of work.matchAll(HANDLE)) {
      found.push({ kind: 'handle', value: `@${m[1]!}`, index: m.index });
      take(m.index, m[0].length);
    }
  }
  // Candidates first, then libphonenumber on each: scanning whole texts with it is slow.
  const phones = options.defaultCountry || work.includes('+') ? work.matchAll(PHONE_CANDIDATE) : [];
  for (const m of phones) {
    if (m[1] !== '+' && !options.defaultCountry) continue;
    const parsed = normalizePhone(m[0], options.defaultCountry);
    if (parsed) found.push({ kind: 'phone', value: parsed, index: m.index });
  }
  return found.sort((a, b) => a.index - b.index);
}

/** Pattern, checksum test, and a cheap trigger without which the pattern cannot match. */
const ADDRESS_PATTERNS: ReadonlyArray<readonly [RegExp, (s: string) => boolean, RegExp]> = [
  [EVM, () => true, /0x/i],
  [BECH32, isValidBech32, /bc1|tb1/i],
  [
    BASE58,
    (s) => {
      const payload = base58CheckDecode(s);
      if (payload?.length !== 21) return false;
      return s.startsWith('T') ? payload[0] === 0x41 : payload[0] === 0x00 || payload[0] === 0x05;
    },
    /[13T][1-9A-HJ-NP-Za-km-z]{25}/,
  ],
];

/** The chain of a base58 address: TRON addresses start with `T`. */
export function chainOf(address: string): Chain {
  if (address.startsWith('0x')) return 'evm';
  return address.startsWith('T') ? 'tron' : 'btc';
}
