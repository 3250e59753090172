import type { TestProject } from 'vitest/node';
import { type LocalRedis, startLocalRedis } from '../../src/store/local-redis.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let server: LocalRedis | undefined;

/** One redis-server for the whole run; each test isolates itself with a unique key prefix. */
export async function setup(project: TestProject): Promise<void> {
  const external = process.env.REDIS_URL;
  if (external) {
    project.provide('redisUrl', external);
    return;
  }
  server = await startLocalRedis();
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
