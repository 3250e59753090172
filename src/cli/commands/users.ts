/** `verity users add|passwd|role|list`: inbox accounts, including the first admin. */
import { createInterface } from 'node:readline/promises';
import { usersCommand } from '../../inbox/users-command.ts';
import { commandContext } from './context.ts';

/** The password never comes from an argument: VERITY_PASSWORD, or a prompt, or a line of stdin. */
async function readPassword(prompt: string): Promise<string> {
  if (process.env.VERITY_PASSWORD) return process.env.VERITY_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  try {
    return (await rl.question(prompt)).trim();
  } finally {
    rl.close();
  }
}

export async function users(argv: string[]): Promise<number> {
  const ctx = commandContext();
  try {
    return await usersCommand(argv, {
      redis: ctx.redis,
      keys: ctx.store.keys,
      readPassword,
      print: (line) => console.log(line),
    });
  } finally {
    ctx.close();
  }
}
