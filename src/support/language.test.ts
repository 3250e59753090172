import { describe, expect, it } from 'vitest';
import { detectLanguage, parseLanguageChoice, supportedTag, textLanguage } from './language.ts';

describe('textLanguage', () => {
  it.each([
    ['我的提现还没到账', 'zh'],
    ['我的USDT withdrawal还没到', 'zh'],
    ['帳號被鎖了', 'zh'],
    ['好', 'zh'],
    ['My withdrawal has not arrived', 'en'],
    ['My account name is 张伟 and I cannot log in', 'en'],
    ['出金できません', 'ja'],
    ['출금이 안돼요', 'ko'],
    ['не приходит вывод', 'ru'],
    ['USDT', undefined],
    ['ok', undefined],
    ['0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060', undefined],
    ['https://example.com/official', undefined],
    ['KYC 2FA TRC20', undefined],
    ['', undefined],
  ])('%j → %s', (text, expected) => expect(textLanguage(text)).toBe(expected));
});

describe('detectLanguage', () => {
  const base = { supported: ['en', 'zh'], default: 'en' };
  it.each([
    ['clear text wins over hint and memory', '提现没到账', { remembered: 'en', hint: 'en-US' }, 'zh', 'text'],
    ['a /lang choice wins over the text', '提现没到账', { chosen: 'en' }, 'en', 'chosen'],
    [
      'short text keeps the remembered language',
      'USDT?',
      { remembered: 'zh', hint: 'en' },
      'zh',
      'remembered',
    ],
    ['then the platform hint', 'ok', { hint: 'zh-Hans' }, 'zh', 'hint'],
    ['then the default', '👍', {}, 'en', 'default'],
    ['an unsupported text language falls back', '出金できません', { hint: 'zh-TW' }, 'zh', 'hint'],
  ])('%s', (_name, text, ctx, language, source) => {
    expect(detectLanguage(text, { ...base, ...ctx })).toEqual({ language, source });
  });
});

describe('supportedTag and parseLanguageChoice', () => {
  it.each([
    ['zh-Hans-CN', 'zh'],
    ['en_US', 'en'],
    ['EN', 'en'],
    ['fr-FR', undefined],
    [undefined, undefined],
  ])('%s → %s', (tag, expected) => expect(supportedTag(tag, ['en', 'zh'])).toBe(expected));

  it.each([
    ['zh', 'zh'],
    [' English ', 'en'],
    ['中文', 'zh'],
    ['klingon', undefined],
  ])('/lang %s → %s', (arg, expected) => expect(parseLanguageChoice(arg, ['en', 'zh'])).toBe(expected));
});

describe('adversarial input', () => {
  it.each(['a.'.repeat(30_000), 'a@'.repeat(30_000), '被'.repeat(60_000)])(
    'detects within bounded time',
    (text) => {
      const start = performance.now();
      detectLanguage(text, { supported: ['en', 'zh'], default: 'en' });
      expect(performance.now() - start).toBeLessThan(200);
    },
  );
});
