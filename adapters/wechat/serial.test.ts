import { describe, expect, it } from 'vitest';
import { KeyedSerial } from './serial.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('KeyedSerial', () => {
  it('keeps order within a key, runs keys in parallel, and survives a failure', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    const work =
      (name: string, ms: number, fail = false) =>
      async () => {
        await sleep(ms);
        log.push(name);
        if (fail) throw new Error(name);
      };
    const runs = [
      serial.run('a', work('a1', 40, true)),
      serial.run('a', work('a2', 0)),
      serial.run('b', work('b1', 10)),
    ];
    const results = await Promise.allSettled(runs);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log).toEqual(['b1', 'a1', 'a2']);
  });
});
