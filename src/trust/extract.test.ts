import { describe, expect, it } from 'vitest';
import { base58CheckEncode } from './checksums.ts';
import { deobfuscate, extract } from './extract.ts';

const values = (text: string, kind?: string) =>
  extract(text)
    .filter((e) => !kind || e.kind === kind)
    .map((e) => e.value);

describe('extract', () => {
  it('undoes link obfuscation', () => {
    expect(deobfuscate('example[.]com hxxps[:]//evil(.)io')).toBe('example.com https://evil.io');
    expect(values('go to example[.]com now', 'domain')).toEqual(['example.com']);
    expect(extract('hxxp://evil[.]io/login')[0]).toMatchObject({
      kind: 'url',
      host: 'evil.io',
      obfuscated: true,
    });
  });

  it('finds URLs, bare domains, Unicode and punycode hosts, private suffixes', () => {
    const found = extract(
      'see https://example.com/a?b=1, ехаmple.com, xn--xample-2of.com and brand.pages.dev.',
    );
    expect(found.map((e) => [e.kind, e.host])).toEqual([
      ['url', 'example.com'],
      ['domain', 'ехаmple.com'],
      ['domain', 'еxample.com'],
      ['domain', 'brand.pages.dev'],
    ]);
  });

  it('finds domains inside Chinese text', () => {
    expect(values('访问example.com获取帮助。请勿访问brand.com.verify-wallet.io', 'domain')).toEqual([
      'example.com',
      'brand.com.verify-wallet.io',
    ]);
  });

  it('finds handles, messenger links and WeChat ids', () => {
    const found = extract(
      'DM @ExampleSupport, ＠Ｅｘａｍｐｌｅ, t.me/ExampleHelp, discord.gg/abc12, discord.com/invite/xyz99, 微信号：ExampleKefu88',
    );
    expect(found.map((e) => `${e.kind}:${e.value}:${e.channel ?? ''}`)).toEqual([
      'handle:@ExampleSupport:',
      'handle:@Ｅｘａｍｐｌｅ:',
      'handle:@ExampleHelp:telegram',
      'url:discord.gg/abc12:discord',
      'url:discord.com/invite/xyz99:discord',
      'handle:ExampleKefu88:wechat',
    ]);
  });

  it('finds e-mails without taking them for handles', () => {
    expect(extract('write to support@example.com').map((e) => [e.kind, e.value])).toEqual([
      ['email', 'support@example.com'],
    ]);
  });

  it('finds phone numbers, also ones libphonenumber does not know', () => {
    expect(values('call +86 138 0013 8000 or +1 555 0100', 'phone')).toEqual(['+8613800138000', '+15550100']);
    expect(extract('call (415) 555-2671', { defaultCountry: 'US' }).map((e) => e.value)).toEqual([
      '+14155552671',
    ]);
    expect(values('order 12345678 version 7.2.1', 'phone')).toEqual([]);
  });

  it('finds BTC, EVM and TRON addresses with valid checksums only', () => {
    const text =
      'to 0x71C7656EC7ab88b098defB751B7401B5f6d8976F or 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa or 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy or bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq or TJCnKsPa7y5okkXvQAidZBzqx3QyQ6sxMW';
    expect(extract(text).map((e) => e.chain)).toEqual(['evm', 'btc', 'btc', 'btc', 'tron']);
    expect(values('1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb', 'address')).toEqual([]);
    expect(values('bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx', 'address')).toEqual([]);
    const tron = base58CheckEncode(Uint8Array.from([0x41, ...new Array<number>(20).fill(7)]));
    expect(extract(`pay ${tron}`)[0]).toMatchObject({ kind: 'address', chain: 'tron' });
  });

  it('does not take file names or version numbers for domains', () => {
    expect(values('open file.txt, version 7.2.1, e.g. this', 'domain')).toEqual([]);
  });
});
