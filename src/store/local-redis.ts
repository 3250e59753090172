import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A private redis-server child process. Tests start one per run (or per file when they
 * need to restart or flush it), and `verity start` starts one for newcomers who have
 * no REDIS_URL, so both paths exercise the same code.
 */
export interface LocalRedis {
  readonly url: string;
  readonly port: number;
  /** Of the current server process. */
  readonly pid: number | undefined;
  /** Kill -9 and start again on the same port: in-memory data is lost unless `dir` persists it. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalRedisOptions {
  port?: number;
  /** Working directory for RDB/AOF files; without it nothing is written to disk. */
  dir?: string;
  binary?: string;
  /** More redis-server arguments (`['--cluster-enabled', 'yes', …]`). */
  args?: string[];
  /**
   * Run in its own process group, so a Ctrl-C or a SIGTERM sent to ours does not kill it
   * before we have drained; we stop it ourselves.
   */
  detached?: boolean;
}

export class RedisServerMissingError extends Error {
  readonly code = 'REDIS_SERVER_MISSING';
  constructor(binary: string) {
    super(
      `'${binary}' was not found on PATH. Install it (Debian/Ubuntu: 'sudo apt-get install -y redis-server', ` +
        `macOS: 'brew install redis') or point Verity at an existing server with REDIS_URL=redis://host:6379.`,
    );
  }
}

export function redisServerAvailable(binary = 'redis-server'): boolean {
  return spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const binary = options.binary ?? 'redis-server';
  if (!redisServerAvailable(binary)) throw new RedisServerMissingError(binary);
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  if (options.dir) {
    mkdirSync(options.dir, { recursive: true });
    args.splice(4, 4, '--dir', options.dir, '--appendonly', 'yes', '--appendfsync', 'everysec');
  }
  args.push(...(options.args ?? []));
  let child: ChildProcess = await launch(binary, args, options.detached ?? false);

  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid;
    },
    async restart() {
      await kill(child, 'SIGKILL');
      child = await launch(binary, args, options.detached ?? false);
    },
    async stop() {
      await kill(child, 'SIGTERM');
    },
  };
}

/**
 * util-linux's `setpriv`, where there is one (Linux), runs the server with a parent-death
 * signal: a process of ours that dies without stopping it (SIGKILL, a crash, a timed-out
 * test run) takes its private server along instead of leaving it running for good.
 */
let parentDeath: boolean | undefined;
export function stopsWithParent(): boolean {
  parentDeath ??=
    spawnSync('setpriv', ['--help'], { encoding: 'utf8' }).stdout?.includes('--pdeathsig') ?? false;
  return parentDeath;
}

function withParentDeath(binary: string, args: string[]): [string, string[]] {
  return stopsWithParent() ? ['setpriv', ['--pdeathsig', 'TERM', '--', binary, ...args]] : [binary, args];
}

/**
 * Starts a redis-server process and resolves once its output shows `ready` (a server in
 * sentinel mode, say, is ready when it monitors its master); one that never gets there is
 * killed.
 */
export async function launch(
  binary: string,
  args: string[],
  detached: boolean,
  ready = 'Ready to accept connections',
): Promise<ChildProcess> {
  const [command, argv] = withParentDeath(binary, args);
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached });
  let output = '';
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output}`)), 10_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes(ready)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with code ${code}: ${output}`));
      });
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  // Drain output so a chatty server never blocks on a full pipe.
  child.stdout?.resume();
  child.stderr?.resume();
  child.removeAllListeners('exit');
  return child;
}

/** Signals the process and resolves once it has exited (at once if it already has). */
export async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
