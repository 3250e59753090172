import { describe, expect, it } from 'vitest';
import { TrustScanner } from './scanner.ts';
import { shield } from './shield.ts';
import { exampleOfficial } from './test-official.ts';

const N = 65_536; // the largest inbound text the model accepts
const scanner = new TrustScanner(exampleOfficial());

describe('hostile inputs of the maximum size', () => {
  it.each([
    ['dots', '.'.repeat(N)],
    ['labels', 'a.'.repeat(N / 2)],
    ['at signs', 'a@'.repeat(N / 2)],
    ['e-mail-like', `${'a'.repeat(N - 10)}@b.com`],
    ['base58-like', '1A'.repeat(N / 2)],
    ['Cyrillic hosts', 'ехаmple.'.repeat(N / 8)],
    ['wordlist words', 'abandon '.repeat(N / 8)],
    ['numbered words', '1. abandon '.repeat(N / 11)],
    ['Chinese wordlist characters', '的'.repeat(N)],
    ['phone-like', '+1 '.repeat(N / 3)],
    ['thousands of distinct domains', Array.from({ length: N / 12 }, (_, i) => `d${i}.com`).join(' ')],
  ])('%s: scan and shield stay fast', (_name, text) => {
    const start = performance.now();
    scanner.scan(text);
    const shielded = shield(text);
    expect(performance.now() - start).toBeLessThan(2000);
    expect(shielded.text.length).toBeLessThanOrEqual(text.length + 64);
  });
});
