import { describe, expect, it } from 'vitest';
import { FloodConfig, floodDecision } from './flood.ts';

const config = FloodConfig.parse({
  soft: { count: 5, windowMs: 10_000 },
  hard: { count: 20, windowMs: 60_000 },
});

describe('floodDecision', () => {
  it.each([
    [{ soft: 1, hard: 1 }, { action: 'process' }],
    [{ soft: 5, hard: 5 }, { action: 'process' }],
    [
      { soft: 6, hard: 6 },
      { action: 'process', warn: 'flood.slow-down' },
    ],
    [{ soft: 7, hard: 7 }, { action: 'process' }],
    [{ soft: 2, hard: 20 }, { action: 'process' }],
    [{ soft: 6, hard: 21 }, { action: 'drop' }],
    [{ soft: 1, hard: 40 }, { action: 'drop' }],
  ])('%j → %j', (counts, expected) => expect(floodDecision(counts, config)).toEqual(expected));
});

describe('FloodConfig', () => {
  it('has defaults and rejects a hard limit below the soft one', () => {
    expect(FloodConfig.parse({})).toEqual({
      soft: { count: 8, windowMs: 10_000 },
      hard: { count: 30, windowMs: 60_000 },
    });
    expect(
      FloodConfig.safeParse({ soft: { count: 10, windowMs: 1000 }, hard: { count: 5, windowMs: 1000 } })
        .success,
    ).toBe(false);
  });
});
