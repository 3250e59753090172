/**
 * The newcomer's Redis: with no REDIS_URL, `verity start` runs a private redis-server
 * whose data lives under `.verity/redis` (append-only file, so a restart keeps the
 * conversations), and stops it on exit. Its URL is written beside it so one-shot
 * commands (`verity dlq list` …) find the sandbox's server.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type LocalRedis, startLocalRedis } from '../store/local-redis.ts';

export const SANDBOX_DIR = resolve('.verity');
export const SANDBOX_REDIS_URL_FILE = resolve(SANDBOX_DIR, 'redis.url');
const PID_FILE = resolve(SANDBOX_DIR, 'redis.pid');

export async function startSandboxRedis(): Promise<LocalRedis> {
  mkdirSync(SANDBOX_DIR, { recursive: true });
  stopOrphan();
  const server = await startLocalRedis({ dir: resolve(SANDBOX_DIR, 'redis'), detached: true });
  writeFileSync(SANDBOX_REDIS_URL_FILE, `${server.url}\n`);
  if (server.pid) writeFileSync(PID_FILE, `${server.pid}\n`);
  return {
    ...server,
    async stop() {
      rmSync(SANDBOX_REDIS_URL_FILE, { force: true });
      rmSync(PID_FILE, { force: true });
      await server.stop();
    },
  };
}

/** A server left running by a Verity that was killed: two servers must never share one data directory. */
function stopOrphan(): void {
  if (!existsSync(PID_FILE)) return;
  const pid = Number(readFileSync(PID_FILE, 'utf8').trim());
  const cmdline = `/proc/${pid}/cmdline`;
  // Only if that pid is still a redis-server: pids are reused.
  if (
    Number.isInteger(pid) &&
    pid > 0 &&
    existsSync(cmdline) &&
    readFileSync(cmdline, 'utf8').includes('redis-server')
  ) {
    process.kill(pid, 'SIGTERM');
  }
  rmSync(PID_FILE, { force: true });
}
