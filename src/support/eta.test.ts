import { describe, expect, it } from 'vitest';
import { EtaConfig, estimateWaitMs, etaChangedALot, etaMinutes, median, typicalHandlingMs } from './eta.ts';

const config = EtaConfig.parse({});
const min = 60_000;

describe('median', () => {
  it.each([
    [[], undefined],
    [[5], 5],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('%j → %s', (values, expected) => expect(median(values)).toBe(expected));
});

describe('typicalHandlingMs', () => {
  it('uses the default without samples and the median with enough of them', () => {
    expect(typicalHandlingMs([], config)).toBe(10 * min);
    expect(
      typicalHandlingMs(
        [4, 6, 5, 180, 5].map((m) => m * min),
        config,
      ),
    ).toBe(5 * min);
  });

  it('blends toward the default while samples are few', () => {
    expect(typicalHandlingMs([20 * min], config)).toBe(0.2 * 20 * min + 0.8 * 10 * min);
  });

  it('only counts the recent window', () => {
    const old = Array.from({ length: 50 }, () => 60 * min);
    const recent = Array.from({ length: 50 }, () => 4 * min);
    expect(typicalHandlingMs([...old, ...recent], config)).toBe(4 * min);
  });
});

describe('estimateWaitMs', () => {
  const samples = [8, 8, 8, 8, 8].map((m) => m * min);
  it.each([
    [{ position: 1, agentsOnline: 1 }, 8 * min],
    [{ position: 3, agentsOnline: 1 }, 8 * min],
    [{ position: 4, agentsOnline: 1 }, 16 * min],
    [{ position: 7, agentsOnline: 2 }, 16 * min],
    [{ position: 7, agentsOnline: 3 }, 8 * min],
    [{ position: 1, agentsOnline: 0 }, null],
  ])('%j → %s ms', (input, expected) => {
    expect(estimateWaitMs({ ...input, recentHandlingMs: samples }, config)).toBe(expected);
  });
});

describe('etaMinutes and etaChangedALot', () => {
  it.each([
    [0, 1],
    [29_000, 1],
    [150_000, 3],
  ])('%i ms → %i min', (ms, expected) => expect(etaMinutes(ms)).toBe(expected));

  it.each([
    [10 * min, 12 * min, false],
    [10 * min, 16 * min, true],
    [2 * min, 4 * min, false],
    [30 * min, 10 * min, true],
    [null, 10 * min, true],
    [null, null, false],
  ])('%s → %s: %s', (prev, next, expected) => expect(etaChangedALot(prev, next, config)).toBe(expected));
});
