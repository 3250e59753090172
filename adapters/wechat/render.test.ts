import { describe, expect, it } from 'vitest';
import { renderSend, splitByBytes } from './render.ts';

const send = (over: Record<string, unknown> = {}) => ({
  type: 'send' as const,
  id: 'c1',
  channel: 'wechat',
  threadKey: 'o1',
  text: 'Hello',
  style: 'plain' as const,
  ...over,
});

describe('renderSend', () => {
  it('renders data buttons as numbered options and URL buttons with their link', () => {
    const text = renderSend(
      send({
        buttons: [
          [
            { label: 'Yes', data: 'y' },
            { label: 'No', data: 'n' },
          ],
          [{ label: 'Site', url: 'https://example.com' }],
        ],
      }),
    );
    expect(text).toBe('Hello\n\n1. Yes\n2. No\nSite: https://example.com');
  });

  it('marks warnings', () => {
    expect(renderSend(send({ style: 'warning' }))).toBe('⚠️ Hello');
  });
});

describe('splitByBytes', () => {
  it.each([
    ['short text stays whole', 'abc', 10, ['abc']],
    ['splits at a word boundary', 'aaaa bbbb cccc', 10, ['aaaa bbbb', 'cccc']],
    ['prefers paragraph breaks', 'aaaa\n\nbbbbbb', 10, ['aaaa', 'bbbbbb']],
    ['hard-cuts a long word', 'abcdefghij', 4, ['abcd', 'efgh', 'ij']],
  ])('%s', (_name, text, max, expected) => {
    expect(splitByBytes(text, max)).toEqual(expected);
  });

  it('never cuts inside a multi-byte character and respects the byte limit', () => {
    const text = '客服'.repeat(500);
    const parts = splitByBytes(text, 100);
    expect(parts.join('')).toBe(text);
    for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(100);
  });
});
