import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, expect, it } from 'vitest';
import { dropPrefix, testStore } from '../../test/support/redis.ts';
import { checkConsistency } from './check.ts';

let done: (() => Promise<void>) | undefined;
afterEach(async () => done?.());

it('a process killed mid-ingest leaves no half-written state', async () => {
  const { store, redis, url } = testStore({ shards: 4 });
  done = async () => {
    await dropPrefix(redis, store.options.prefix);
    redis.disconnect();
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/fixtures/ingest-forever.ts', url, store.options.prefix],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await once(child.stdout, 'data');
  await new Promise((r) => setTimeout(r, 150 + Math.random() * 200));
  child.kill('SIGKILL');
  await once(child, 'exit');

  const report = await checkConsistency(store);
  expect(report.problems).toEqual([]);
  expect(report.messages).toBeGreaterThan(200);
  let streamed = 0;
  for (const shard of store.keys.allShards()) streamed += await redis.xlen(store.keys.inboundStream(shard));
  // Every stored message has exactly one stream entry for the router, and vice versa.
  expect(streamed).toBe(report.messages);
});
