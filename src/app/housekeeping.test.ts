import { afterEach, expect, it } from 'vitest';
import { dm } from '../../test/support/events.ts';
import { dropPrefix, testStore } from '../../test/support/redis.ts';
import { NO_LIMITS } from '../delivery/limiter.ts';
import { createLogger } from '../ops/logger.ts';
import { Metrics } from '../ops/metrics.ts';
import { startHousekeeping } from './housekeeping.ts';

let stop: (() => Promise<void>) | undefined;
afterEach(async () => stop?.());

it('reports stream lag and pending entries, and purges resolved conversations past retention', async () => {
  const { store, redis } = testStore();
  const stream = `${store.options.prefix}:stream:test`;
  await redis.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
  for (let i = 0; i < 3; i++) await redis.xadd(stream, '*', 'n', String(i));
  await redis.xreadgroup('GROUP', 'g', 'c', 'COUNT', 1, 'STREAMS', stream, '>');
  const { conversationId } = await store.ingest(dm('old'));
  await store.update(conversationId!, { status: 'resolved' }, {}, Date.now() - 3 * 86_400_000);
  const metrics = new Metrics();
  const halt = startHousekeeping({
    redis,
    store,
    metrics,
    logger: createLogger('silent'),
    streams: () => [{ stream, group: 'g' }],
    limiters: () => [{ channel: 'fake', limiter: NO_LIMITS }],
    retentionDays: 2,
    gaugeMs: 30,
    purgeMs: 30,
  });
  stop = async () => {
    halt();
    await dropPrefix(redis, store.options.prefix);
    redis.disconnect();
  };
  await new Promise((r) => setTimeout(r, 300));
  const text = await metrics.registry.metrics();
  expect(text).toContain(`verity_stream_lag{stream="${stream}"} 2`);
  expect(text).toContain(`verity_stream_pending{stream="${stream}"} 1`);
  expect(text).toContain('verity_limiter_queued{channel="fake"} 0');
  expect(await store.get(conversationId!)).toBeUndefined();
});
