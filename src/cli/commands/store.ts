import { z } from 'zod';
import { checkConsistency } from '../../store/check.ts';
import { parse } from '../args.ts';
import { commandContext } from './context.ts';

const Args = z.object({ positionals: z.tuple([z.enum(['check', 'purge'])]) });

export async function store(argv: string[]): Promise<number> {
  const { positionals } = parse(argv, {}, Args);
  const ctx = commandContext();
  try {
    if (positionals[0] === 'purge') {
      const cutoff = Date.now() - ctx.config.store.retention.resolvedDays * 86_400_000;
      console.log(
        `purged ${await ctx.store.purgeResolved(cutoff)} conversation(s) resolved before ${new Date(cutoff).toISOString()}`,
      );
      return 0;
    }
    const report = await checkConsistency(ctx.store);
    console.log(
      `${report.conversations} conversations, ${report.messages} messages, ${report.problems.length} problem(s)`,
    );
    for (const p of report.problems) console.log(`  - ${p}`);
    return report.problems.length ? 1 : 0;
  } finally {
    ctx.close();
  }
}
