#!/usr/bin/env node
// Verity runs its TypeScript sources directly (tsx), so a checkout is runnable without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Exit explicitly: a library timer left behind (a reconnecting client) must not keep a finished command alive.
process.exit(code);
