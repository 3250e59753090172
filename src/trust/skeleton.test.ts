import { describe, expect, it } from 'vitest';
import { compactKey, foldKey, isMixedScript, skeleton } from './skeleton.ts';

describe('skeleton (UTS #39)', () => {
  it('maps confusables to their prototypes and drops default-ignorables', () => {
    expect(skeleton('pаypal')).toBe(skeleton('paypal')); // Cyrillic а
    expect(skeleton('exa\u200bmple')).toBe(skeleton('example'));
    expect(skeleton('𝐞xample')).toBe(skeleton('example'));
  });
});

describe('foldKey', () => {
  it.each([
    ['ＥｘａｍｐｌｅＳｕｐｐｏｒｔ', 'examplesupport'],
    ['ᴇxᴀᴍᴘʟᴇ', 'example'],
    ['exarnple', 'example'],
    ['vvallet', 'wallet'],
    ['Examp1e', 'example'],
    ['ExampIe', 'example'],
    ['3xampl3', 'example'],
    ['5upport', 'support'],
    ['exämple', 'example'],
    ['ехаmрlе', 'example'],
    ['мetaмask', 'metamask'],
  ])('%s → %s', (input, key) => {
    expect(foldKey(input)).toBe(key);
  });

  it('keeps typed letter pairs when asked to', () => {
    expect(foldKey('zernon', false)).toBe('zernon');
    expect(compactKey('Brand_Support')).toBe('brandsupport');
  });
});

describe('mixed scripts', () => {
  it('flags Latin mixed with Cyrillic but not Japanese or a single script', () => {
    expect(isMixedScript('pаypal')).toBe(true);
    expect(isMixedScript('paypal')).toBe(false);
    expect(isMixedScript('ложь')).toBe(false);
    expect(isMixedScript('東京タワー')).toBe(false);
  });
});
