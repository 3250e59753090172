import { expect, it } from 'vitest';
import { KeyedSerializer } from './keyed-serializer.ts';

it('runs one key in order, keys in parallel, survives failures and forgets idle keys', async () => {
  const serial = new KeyedSerializer();
  const log: string[] = [];
  const task =
    (name: string, ms: number, fail = false) =>
    async () => {
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(name);
      if (fail) throw new Error(name);
      return name;
    };
  const results = await Promise.allSettled([
    serial.run('a', task('a1', 30, true)),
    serial.run('a', task('a2', 1)),
    serial.run('b', task('b1', 5)),
  ]);
  expect(log).toEqual(['b1', 'a1', 'a2']);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
  await new Promise((resolve) => setImmediate(resolve));
  expect(serial.size).toBe(0);
});
