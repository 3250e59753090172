/**
 * A private Redis Sentinel watching a private master: real `redis-server` processes, one
 * of them in sentinel mode, for the test that connects Verity through Sentinel.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, kill, type LocalRedis, launch, startLocalRedis } from '../../src/store/local-redis.ts';

export interface LocalSentinel {
  /** The master's name and the sentinel, as `redis.sentinel` takes them. */
  name: string;
  nodes: string[];
  master: LocalRedis;
  stop(): Promise<void>;
}

/** With `auth`, the master and the sentinel each require their password. */
export async function startLocalSentinel(
  name = 'verity',
  auth?: { master: string; sentinel: string },
): Promise<LocalSentinel> {
  const master = await startLocalRedis(auth ? { args: ['--requirepass', auth.master] } : {});
  const dir = mkdtempSync(join(tmpdir(), 'verity-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  // Sentinel rewrites its configuration file, so it gets one of its own.
  let text = `port ${port}\nbind 127.0.0.1\nsentinel monitor ${name} 127.0.0.1 ${master.port} 1\n`;
  if (auth) text += `sentinel auth-pass ${name} ${auth.master}\nrequirepass ${auth.sentinel}\n`;
  writeFileSync(conf, text);
  const child = await launch('redis-server', [conf, '--sentinel'], false, '+monitor master').catch(
    async (error: unknown) => {
      await master.stop();
      throw error;
    },
  );
  return {
    name,
    nodes: [`127.0.0.1:${port}`],
    master,
    async stop() {
      await kill(child, 'SIGTERM');
      await master.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
