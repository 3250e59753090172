/**
 * `verity <command>`: the one entry point for operators. Each command lives in its own
 * module under ./commands and is loaded only when used, so `verity --help` stays instant.
 */
import { UsageError } from './args.ts';

interface Command {
  summary: string;
  usage: string;
  run: (argv: string[]) => Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  start: {
    summary: 'run Verity (all roles, or --roles router,inbox,adapter:telegram,deliver:telegram,…)',
    usage: 'verity start [--config FILE] [--roles LIST]',
    run: async (argv) => (await import('./commands/start.ts')).start(argv),
  },
  config: {
    summary: 'check a configuration file and print every problem',
    usage: 'verity config check [FILE]',
    run: async (argv) => (await import('./commands/config.ts')).config(argv),
  },
  dlq: {
    summary: 'list or replay dead-lettered events',
    usage: 'verity dlq list [--limit N] [--json] | verity dlq replay [ID…]',
    run: async (argv) => (await import('./commands/dlq.ts')).dlq(argv),
  },
  store: {
    summary: 'check the store for consistency, or purge conversations past retention',
    usage: 'verity store check | verity store purge',
    run: async (argv) => (await import('./commands/store.ts')).store(argv),
  },
  trust: {
    summary: 'check a text for impersonation; keep the scam registry',
    usage: 'verity trust check|flag|unflag|list|import|export|verify-code … (verity trust --help)',
    run: async (argv) => {
      const { trust, TRUST_USAGE } = await import('./commands/trust.ts');
      if (argv[0] === '--help' || argv.length === 0) {
        console.log(TRUST_USAGE);
        return 0;
      }
      return trust(argv);
    },
  },
  users: {
    summary: 'inbox accounts: add (the first admin too), passwd, role, list',
    usage: 'verity users add|passwd|role|list …',
    run: async (argv) => (await import('./commands/users.ts')).users(argv),
  },
  kb: {
    summary: 'show how the knowledge base scores a question',
    usage: 'verity kb test [--json] [--hint LANG] "<question>"',
    run: async (argv) => (await import('./commands/kb.ts')).kb(argv),
  },
};

export function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'verity: omnichannel support with impersonation defence',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Usage:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
    '',
    'Configuration: config/verity.yaml (or --config), secrets from the environment or .env.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`verity: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`verity ${name}: ${error.message}\nusage: ${command.usage}`);
      return 2;
    }
    throw error;
  }
}
