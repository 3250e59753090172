import { describe, expect, it } from 'vitest';
import type { Entity } from '../core/model.ts';
import { RegistryIndex } from './registry-index.ts';
import { TrustScanner } from './scanner.ts';
import { exampleOfficial } from './test-official.ts';

const scanner = new TrustScanner(exampleOfficial());
const first = (text: string, kind?: Entity['kind']): Entity | undefined =>
  scanner.scan(text).find((e) => !kind || e.kind === kind);

describe('domains', () => {
  it('knows our own sites and their subdomains', () => {
    expect(first('example.com')).toMatchObject({ verdict: 'official', target: 'example.com' });
    expect(first('https://help.example.io/x')).toMatchObject({ verdict: 'official', target: 'example.io' });
  });

  it.each([
    ['homoglyph (accent)', 'exämple.com'],
    ['mixed script (Cyrillic)', 'ехаmple.com'],
    ['punycode of a Cyrillic lookalike', 'xn--xample-2of.com'],
    ['rn for m', 'exarnple.com'],
    ['vv for w', 'examplevvallet.com'],
    ['digit 1 for l', 'examp1e.com'],
    ['digit 0 for o', 'examplewall3t.io'],
    ['insertion (seed: adds letters to the brand)', 'examplae.com'],
    ['omission', 'exmple.com'],
    ['repetition', 'exampple.com'],
    ['transposition', 'exmaple.com'],
    ['replacement', 'exanple.com'],
    ['keyboard neighbour', 'exsmple.com'],
    ['bit flip', 'dxample.com'],
    ['vowel swap', 'exomple.com'],
    ['hyphenation', 'exam-ple.com'],
    ['brand-support', 'example-support.com'],
    ['brandservice', 'exampleservice.net'],
    ['brandps', 'exampleps.com'],
    ['verify-brand', 'verify-example.com'],
    ['misspelled brand + word', 'exmaple-help.com'],
    ['other TLD', 'example.net'],
    ['other TLD (ccSLD)', 'example.co.uk'],
    ['private suffix pages.dev', 'example.pages.dev'],
    ['private suffix netlify.app', 'example.netlify.app'],
    ['brand as subdomain (seed)', 'example.com.evil.io'],
    ['brand as subdomain of a bait domain', 'example.com.verify-wallet.io'],
    ['brand label as subdomain', 'example.login-secure.xyz'],
  ])('%s: %s is a lookalike of an official site', (_family, host) => {
    const e = first(`see ${host} now`);
    expect(e).toMatchObject({ verdict: 'lookalike' });
    expect(['example.com', 'example.io']).toContain(e?.target);
    expect(e?.reasons.length).toBeGreaterThan(0);
  });

  it('explains a homoglyph in plain words, with the real punycode address', () => {
    const e = first('ехаmple.com');
    expect(e?.confidence).toBe('high');
    expect(e?.reasons.join(' ')).toMatch(/Cyrillic/);
    expect(e?.reasons.join(' ')).toMatch(/xn--/);
  });

  it.each([
    'sample.com',
    'examine.com',
    'exempt.io',
    'simple.com',
    'google.com',
    'temple.org',
    'ample.io',
    'counterexamples.net',
  ])('benign near-miss %s stays unknown', (host) => {
    expect(first(host)).toMatchObject({ verdict: 'unknown' });
  });

  it('fixes a false alarm at once with the allowlist', () => {
    expect(first('examples.org')?.verdict).toBe('lookalike');
    const allowing = new TrustScanner(exampleOfficial({ allowlist: ['examples.org'] }));
    expect(allowing.scan('www.examples.org')[0]).toMatchObject({ verdict: 'unknown' });
  });

  it('reports flagged domains (and their subdomains) with the reason', () => {
    const registry = new RegistryIndex();
    registry.set({ kind: 'domain', value: 'evil.io', reason: 'drainer site', by: 'mod', at: 1 });
    const withFlags = new TrustScanner(exampleOfficial(), registry);
    expect(withFlags.scan('login.evil.io')[0]).toMatchObject({
      verdict: 'flagged',
      reasons: ['reported as a scam: drainer site'],
    });
  });
});

describe('handles and names', () => {
  it.each([
    ['fullwidth (seed)', '＠ＥｘａｍｐｌｅＳｕｐｐｏｒｔ', '@ExampleSupport'],
    ['Cyrillic homoglyph (seed)', '@ЕxampleSupport', '@ExampleSupport'],
    ['capital I for l', '@ExampIeSupport', '@ExampleSupport'],
    ['digit for letter', '@ExampleSupp0rt', '@ExampleSupport'],
    ['separator', '@Example_Support', '@ExampleSupport'],
    ['typo', '@ExampleSuport', '@ExampleSupport'],
    ['brand + word', '@Example_Admin', undefined],
    ['brand + Chinese role', '@Example客服', undefined],
  ])('%s: %s is a lookalike', (_family, handle, target) => {
    const e = first(`talk to ${handle}`, 'handle');
    expect(e).toMatchObject({ verdict: 'lookalike' });
    if (target) expect(e?.target).toBe(target);
  });

  it('knows official handles in any channel mention, and flagged ones', () => {
    expect(first('@ExampleSupport')).toMatchObject({ verdict: 'official', target: '@ExampleSupport' });
    expect(first('@alice_w')).toMatchObject({ verdict: 'unknown' });
    expect(first('@samplesupport')).toMatchObject({ verdict: 'unknown' });
  });

  it.each([
    ['staff name copied', 'Alice Chen'],
    ['staff name with a homoglyph', 'Аlice Chen'],
    ['brand admin', 'Example Admin'],
    ['brand 客服', 'Example Wallet 客服'],
    ['organization name', 'Example Wallet'],
  ])('%s: display name %s from a stranger is a lookalike', (_family, name) => {
    expect(scanner.scan('', { names: [name] })[0]).toMatchObject({
      verdict: 'lookalike',
      confidence: 'high',
    });
  });

  it('a name one letter off a staff name is only a medium-confidence lookalike', () => {
    expect(scanner.scan('', { names: ['Alice Cheng'] })[0]).toMatchObject({
      verdict: 'lookalike',
      confidence: 'medium',
      target: 'Alice Chen',
    });
  });

  it('trusts staff names from official ids and leaves ordinary names alone', () => {
    const fromStaff = scanner.scan('hi', {
      sender: { channel: 'telegram', userId: '1000001', displayName: 'Alice Chen' },
    });
    expect(fromStaff).toEqual([expect.objectContaining({ kind: 'name', verdict: 'official' })]);
    expect(scanner.scan('', { names: ['Bob Lee', 'Alicia Keys', 'Chen Wei'] }).map((e) => e.verdict)).toEqual(
      ['unknown', 'unknown', 'unknown'],
    );
  });

  it('flags a sender whose handle copies ours from an id that is not ours, and flagged accounts', () => {
    const registry = new RegistryIndex();
    registry.set({ kind: 'account', value: 'telegram:666', reason: 'impersonator', by: 'mod', at: 1 });
    const s = new TrustScanner(exampleOfficial(), registry);
    const out = s.checkSender({ channel: 'telegram', userId: '666', handle: 'ExampleSupport' });
    expect(out.map((e) => e.verdict)).toEqual(['flagged', 'lookalike']);
  });
});

describe('phones, e-mails, links, addresses', () => {
  it('judges phone numbers', () => {
    expect(first('+1 555 0100')).toMatchObject({ verdict: 'official' });
    expect(first('+1 555 0101')).toMatchObject({ verdict: 'lookalike', confidence: 'medium' });
    expect(first('+44 20 7946 0958')).toMatchObject({ verdict: 'unknown' });
  });

  it('judges e-mail addresses', () => {
    expect(first('support@example.com')).toMatchObject({ verdict: 'official' });
    expect(first('help@example-support.com')).toMatchObject({ verdict: 'lookalike' });
    expect(first('examplewallet.help@gmail.com')).toMatchObject({
      verdict: 'lookalike',
      confidence: 'medium',
    });
    expect(first('jane@gmail.com')).toMatchObject({ verdict: 'unknown' });
  });

  it('knows official invite links', () => {
    expect(first('join discord.gg/example')).toMatchObject({ kind: 'url', verdict: 'official' });
    expect(first('join discord.gg/examp1e')).toMatchObject({ kind: 'url', verdict: 'unknown' });
  });

  it('catches address poisoning of official and recently seen addresses', () => {
    expect(first('0x1234567890abcdef1234567890abcdef12345678')).toMatchObject({ verdict: 'official' });
    const poisoned = first('send to 0x1234ffffffffffffffffffffffffffffffff5678');
    expect(poisoned).toMatchObject({
      verdict: 'lookalike',
      confidence: 'high',
      target: '0x1234567890abcdef1234567890abcdef12345678',
    });
    const recent = ['0xabcd000000000000000000000000000000009999'];
    const fromHistory = scanner.scan('use 0xabcd111111111111111111111111111111119999', {
      recentAddresses: recent,
    });
    expect(fromHistory[0]).toMatchObject({ verdict: 'lookalike' });
    expect(first('0x9999000000000000000000000000000000001234')).toMatchObject({ verdict: 'unknown' });
  });
});
