import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startFixture, stopFixture } from '../../test/support/processes.ts';
import { freePort, stopsWithParent } from './local-redis.ts';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a private redis-server', () => {
  it.skipIf(!stopsWithParent())(
    'does not outlive the process that started it, even one killed with SIGKILL',
    async () => {
      const port = await freePort();
      const holder = await startFixture('test/fixtures/local-redis-holder.ts', { port });
      expect(await accepts(port)).toBe(true);
      await stopFixture(holder, 'SIGKILL');
      const deadline = Date.now() + 5000;
      while ((await accepts(port)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const survived = await accepts(port);
      // A failing run must not leave the orphan behind either.
      if (survived) connect(port, '127.0.0.1').end('SHUTDOWN NOSAVE\r\n');
      expect(survived).toBe(false);
    },
  );
});
