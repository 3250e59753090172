import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

const EXIT_WITH_PARENT = new URL('./exit-with-parent.ts', import.meta.url).href;

/**
 * Start a fixture script under tsx and wait for it to print "ready". It ends when this
 * process ends, however that happens (see exit-with-parent.ts).
 */
export async function startFixture(script: string, args: unknown): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', EXIT_WITH_PARENT, script, JSON.stringify(args)],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk;
      if (process.env.FIXTURE_LOG) process.stderr.write(chunk);
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  return child;
}

export async function stopFixture(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  child.kill(signal);
  const [code] = await once(child, 'exit');
  return code as number | null;
}
