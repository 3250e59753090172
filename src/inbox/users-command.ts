/**
 * `verity users add|passwd|role|list …`: account management from the command line, which is
 * how the first admin is created. Passwords are never taken as arguments (they would
 * show in `ps` and shell history): the CLI passes `readPassword`, which reads a prompt,
 * stdin or the VERITY_PASSWORD environment variable.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keys } from '../store/keys.ts';
import { SessionStore } from './auth/sessions.ts';
import { Role, UserError, UserStore } from './auth/users.ts';
import { InboxKeys } from './keys.ts';

export interface UsersCommandDeps {
  redis: Redis;
  keys: Keys;
  readPassword: (prompt: string) => Promise<string>;
  print: (line: string) => void;
}

export const USERS_USAGE = [
  'verity users add <username> [--role agent|moderator|admin] [--name "Display Name"]',
  'verity users passwd <username>',
  'verity users role <username> <agent|moderator|admin>',
  'verity users list',
].join('\n');

/** Returns the process exit code: 0 done, 1 refused (explained on print), 2 usage. */
export async function usersCommand(args: readonly string[], deps: UsersCommandDeps): Promise<number> {
  const inboxKeys = new InboxKeys(deps.keys.namespace('inbox'));
  const users = new UserStore(deps.redis, inboxKeys);
  const sessions = new SessionStore(deps.redis, inboxKeys);
  const [command, username, ...rest] = args;
  const option = (name: string): string | undefined => {
    const at = rest.indexOf(`--${name}`);
    return at >= 0 ? rest[at + 1] : undefined;
  };
  const fail = (message: string, code = 1): number => {
    deps.print(message);
    return code;
  };
  try {
    if (command === 'list') {
      for (const u of await users.list())
        deps.print(`${u.username}\t${u.role}\t${u.name}${u.disabled ? '\t(disabled)' : ''}`);
      return 0;
    }
    if (!username || !['add', 'passwd', 'role'].includes(command ?? '')) return fail(USERS_USAGE, 2);
    if (command === 'add') {
      const role = Role.safeParse(option('role') ?? 'agent');
      if (!role.success) return fail(`unknown role; use one of ${Role.options.join(', ')}`, 2);
      const password = await deps.readPassword(`Password for ${username}: `);
      const name = option('name');
      const user = await users.create({ username, role: role.data, password, ...(name ? { name } : {}) });
      deps.print(`created ${user.username} (${user.role})`);
      return 0;
    }
    const user = await users.byUsername(username);
    if (!user) return fail(`no user ${username}`);
    if (command === 'passwd') {
      await users.update(user.id, { password: await deps.readPassword(`New password for ${username}: `) });
      await sessions.endAll(user.id);
      deps.print(`password changed for ${username}; their sessions were ended`);
      return 0;
    }
    if (command === 'role') {
      const role = Role.safeParse(rest[0]);
      if (!role.success) return fail(`unknown role; use one of ${Role.options.join(', ')}`, 2);
      await users.update(user.id, { role: role.data });
      await sessions.endAll(user.id);
      deps.print(`${username} is now ${role.data}`);
      return 0;
    }
    return fail(USERS_USAGE, 2);
  } catch (error) {
    if (error instanceof z.ZodError) return fail(z.prettifyError(error));
    if (error instanceof UserError) return fail(error.message);
    throw error;
  }
}
