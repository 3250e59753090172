/**
 * Which language to answer in. The text decides when it clearly can (by script: Chinese
 * characters, kana, hangul, Cyrillic, Latin words); short or mixed texts ("USDT?", "ok",
 * a pasted hash) keep the language the user already has, then the platform's hint, then
 * the organization's default. A language chosen with /lang always wins.
 */

export interface LanguageContext {
  /** Chosen explicitly by the user (/lang): used as is. */
  chosen?: string | undefined;
  /** What this user wrote in before. */
  remembered?: string | undefined;
  /** The platform's locale for the user (Telegram `language_code`, Discord locale …). */
  hint?: string | undefined;
  supported: readonly string[];
  default: string;
}

export type LanguageSource = 'chosen' | 'text' | 'remembered' | 'hint' | 'default';

export interface DetectedLanguage {
  language: string;
  source: LanguageSource;
}

/** Things that carry no language: links, addresses, hashes, handles, numbers. */
const NEUTRAL =
  /https?:\/\/\S+|\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b|\b0x[0-9a-f]+\b|\b[0-9a-z]{25,}\b|[@#][\w.]+|\b[\d.,:%/-]+\b/gi;
/** Tickers and acronyms (USDT, KYC, 2FA, TRC20) appear in every language's messages. */
const ACRONYM = /^(?:[A-Z]{2,6}|\w*\d\w*)$/;

export interface ScriptCounts {
  han: number;
  kana: number;
  hangul: number;
  cyrillic: number;
  latinWords: number;
}

/** The start of a message shows its language; the cap also bounds the patterns' work. */
const SAMPLE_CHARS = 1000;

export function countScripts(text: string): ScriptCounts {
  const cleaned = text.slice(0, SAMPLE_CHARS).replace(NEUTRAL, ' ');
  const count = (re: RegExp) => cleaned.match(re)?.length ?? 0;
  const latinWords = (cleaned.match(/[A-Za-z\u00C0-\u024F]{2,}/g) ?? []).filter(
    (w) => !ACRONYM.test(w),
  ).length;
  return {
    han: count(/\p{Script=Han}/gu),
    kana: count(/[\p{Script=Hiragana}\p{Script=Katakana}]/gu),
    hangul: count(/\p{Script=Hangul}/gu),
    cyrillic: count(/\p{Script=Cyrillic}/gu),
    latinWords,
  };
}

/** The language the text itself shows, or undefined when it is too short or too mixed to tell. */
export function textLanguage(text: string): string | undefined {
  const c = countScripts(text);
  if (c.kana >= 2) return 'ja';
  if (c.hangul >= 2) return 'ko';
  // Chinese users freely mix in English terms; an English sentence may quote a Chinese name.
  if (c.han >= 1 && (c.latinWords === 0 || c.han >= c.latinWords)) return 'zh';
  if (c.cyrillic >= 3 && c.cyrillic > c.latinWords) return 'ru';
  if (c.latinWords >= 2) return 'en';
  return undefined;
}

/** `zh-Hans-CN` → `zh`, `en_US` → `en`, when that base language is supported. */
export function supportedTag(tag: string | undefined, supported: readonly string[]): string | undefined {
  if (!tag) return undefined;
  const lower = tag.toLowerCase().replace(/_/g, '-');
  if (supported.includes(lower)) return lower;
  const base = lower.split('-')[0] ?? '';
  return supported.includes(base) ? base : undefined;
}

export function detectLanguage(text: string, ctx: LanguageContext): DetectedLanguage {
  const chosen = supportedTag(ctx.chosen, ctx.supported);
  if (chosen) return { language: chosen, source: 'chosen' };
  const fromText = supportedTag(textLanguage(text), ctx.supported);
  if (fromText) return { language: fromText, source: 'text' };
  const remembered = supportedTag(ctx.remembered, ctx.supported);
  if (remembered) return { language: remembered, source: 'remembered' };
  const hint = supportedTag(ctx.hint, ctx.supported);
  if (hint) return { language: hint, source: 'hint' };
  return { language: ctx.default, source: 'default' };
}

/** Reads the argument of `/lang …` (a tag or a language's own name); undefined when unknown. */
export function parseLanguageChoice(arg: string, supported: readonly string[]): string | undefined {
  const a = arg.trim().toLowerCase();
  const names: Record<string, string> = {
    english: 'en',
    英文: 'en',
    英语: 'en',
    chinese: 'zh',
    中文: 'zh',
    汉语: 'zh',
    简体中文: 'zh',
    繁體中文: 'zh',
    日本語: 'ja',
    한국어: 'ko',
    русский: 'ru',
  };
  return supportedTag(names[a] ?? a, supported);
}
