import { describe, expect, it } from 'vitest';
import { chunk, outboundText, userText } from './format.ts';

describe('chunk', () => {
  it.each([
    ['short', 'hello', 10, ['hello']],
    ['empty', '', 10, ['']],
    ['at a space', 'aaaa bbbb cccc', 10, ['aaaa bbbb', 'cccc']],
    ['at a line break first', 'aaa\nbbbb cc dd', 10, ['aaa\nbbbb', 'cc dd']],
    ['hard when there is no boundary', 'abcdefghijkl', 5, ['abcde', 'fghij', 'kl']],
  ])('splits %s', (_name, text, max, expected) => {
    expect(chunk(text, max)).toEqual(expected);
  });
});

describe('escaping', () => {
  it('neutralizes masked links in our own text but keeps its markdown', () => {
    expect(outboundText('**Official**: [support](https://evil.example)')).toBe(
      '**Official**: \\[support](https://evil.example)',
    );
  });
  it('shows user text literally', () => {
    expect(userText('*Admin* __team__')).toBe('\\*Admin\\* \\_\\_team\\_\\_');
  });
});
