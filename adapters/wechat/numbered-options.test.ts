import { describe, expect, it } from 'vitest';
import { NumberedOptions } from './numbered-options.ts';

const buttons = [
  [
    { label: 'Lost funds', data: 'topic:funds' },
    { label: 'Site', url: 'https://example.com' },
  ],
  [{ label: 'Other', data: 'topic:other' }],
];

describe('NumberedOptions', () => {
  it('maps a bare number to the data button it was shown for (URL buttons are not numbered)', () => {
    const options = new NumberedOptions();
    options.remember('o1', buttons);
    expect(options.resolve('o1', ' 2 ')).toBe('topic:other');
    expect(options.resolve('o1', '2')).toBeUndefined();
  });

  it('ignores other text, other threads, out-of-range numbers, and options replaced by a later send', () => {
    const options = new NumberedOptions();
    options.remember('o1', buttons);
    expect(options.resolve('o1', '1 please')).toBeUndefined();
    expect(options.resolve('o2', '1')).toBeUndefined();
    expect(options.resolve('o1', '3')).toBeUndefined();
    options.remember('o1', undefined);
    expect(options.resolve('o1', '1')).toBeUndefined();
  });

  it('forgets options after a day', () => {
    let now = 0;
    const options = new NumberedOptions(() => now);
    options.remember('o1', buttons);
    now = 24 * 3600_000 + 1;
    expect(options.resolve('o1', '1')).toBeUndefined();
  });
});
