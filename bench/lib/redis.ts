import { type LocalRedis, startLocalRedis } from '../../src/store/local-redis.ts';

/** Benchmarks use REDIS_URL if given, else a private redis-server they stop afterwards. */
export async function benchRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: async () => {} };
  const server: LocalRedis = await startLocalRedis();
  return { url: server.url, stop: () => server.stop() };
}
