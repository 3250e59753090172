import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, expect, inject, it } from 'vitest';
import { Keys } from '../store/keys.ts';
import { verifyPassword } from './auth/passwords.ts';
import { SessionStore } from './auth/sessions.ts';
import { UserStore } from './auth/users.ts';
import { InboxKeys } from './keys.ts';
import { usersCommand } from './users-command.ts';

const redis = new Redis(inject('redisUrl'));
afterAll(() => redis.quit());

it('adds the first admin, changes a password (ending sessions) and a role, and explains mistakes', async () => {
  const keys = new Keys(`t-${randomUUID().slice(0, 8)}`, 4);
  const lines: string[] = [];
  let password = 'first password here';
  const run = (...args: string[]) =>
    usersCommand(args, { redis, keys, readPassword: async () => password, print: (l) => lines.push(l) });

  expect(await run('add', 'root', '--role', 'admin', '--name', 'Root Admin')).toBe(0);
  const users = new UserStore(redis, new InboxKeys(keys.namespace('inbox')));
  const stored = await users.byUsername('root');
  expect(stored).toMatchObject({ role: 'admin', name: 'Root Admin' });
  expect(await run('add', 'root')).toBe(1);
  expect(lines.at(-1)).toContain('taken');

  const sessions = new SessionStore(redis, new InboxKeys(keys.namespace('inbox')));
  const { token } = await sessions.create(stored?.id ?? '');
  password = 'second password here';
  expect(await run('passwd', 'root')).toBe(0);
  expect(await sessions.get(token)).toBeUndefined();
  expect(
    await verifyPassword('second password here', (await users.byUsername('root'))?.passwordHash ?? ''),
  ).toBe(true);

  expect(await run('role', 'root', 'moderator')).toBe(0);
  expect((await users.byUsername('root'))?.role).toBe('moderator');
  expect(await run('role', 'root', 'king')).toBe(2);
  expect(await run('passwd', 'ghost')).toBe(1);
  password = 'short';
  expect(await run('add', 'weak')).toBe(1);
  expect(lines.at(-1)).toContain('at least 10 characters');
  expect(await run('list')).toBe(0);
  expect(lines.at(-1)).toBe('root\tmoderator\tRoot Admin');
  expect(await run('explode', 'x')).toBe(2);
});
