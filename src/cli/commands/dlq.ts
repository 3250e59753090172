import { z } from 'zod';
import { DeadLetters } from '../../bus/dead-letters.ts';
import { parse } from '../args.ts';
import { commandContext } from './context.ts';

const Args = z.object({
  positionals: z.tuple([z.enum(['list', 'replay'])]).rest(z.string()),
  limit: z.coerce.number().int().min(1).max(10_000).default(100),
  json: z.boolean().default(false),
});

export async function dlq(argv: string[]): Promise<number> {
  const args = parse(argv, { limit: { type: 'string' }, json: { type: 'boolean' } }, Args);
  const ctx = commandContext();
  try {
    const letters = new DeadLetters(ctx.redis, ctx.store.keys);
    if (args.positionals[0] === 'list') {
      const list = await letters.list(args.limit);
      if (args.json) for (const l of list) console.log(JSON.stringify(l));
      else if (list.length === 0) console.log('no dead letters');
      else {
        for (const l of list) {
          console.log(
            `${l.id}  ${new Date(l.at).toISOString()}  ${l.stream} (${l.group}) attempts=${l.attempts}  ${l.reason}`,
          );
        }
      }
      return 0;
    }
    const ids = args.positionals.slice(1);
    const replayed = await letters.replay(ids.length ? ids : undefined);
    console.log(`replayed ${replayed} dead letter(s)`);
    return 0;
  } finally {
    ctx.close();
  }
}
