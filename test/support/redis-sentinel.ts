/**
 * A private Redis Sentinel watching a private master: real `redis-server` processes, one
 * of them in sentinel mode, for the test that connects Verity through Sentinel.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, type LocalRedis, startLocalRedis } from '../../src/store/local-redis.ts';

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
  const child: ChildProcess = spawn('redis-server', [conf, '--sentinel'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const timer = setTimeout(() => reject(new Error(`sentinel did not start: ${output}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('+monitor master')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`sentinel exited with code ${code}: ${output}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    await master.stop();
    throw error;
  }
  child.stdout?.resume();
  child.stderr?.resume();
  child.removeAllListeners('exit');
  return {
    name,
    nodes: [`127.0.0.1:${port}`],
    master,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        });
      }
      await master.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
