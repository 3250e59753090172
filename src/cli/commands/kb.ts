import { z } from 'zod';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load.ts';
import { SupportConfig } from '../../support/config.ts';
import { kbTest } from '../../support/kb/matcher.ts';
import { loadSupportData } from '../../support/load.ts';
import { parse } from '../args.ts';

const Args = z.object({
  positionals: z.tuple([z.literal('test'), z.string().min(1, 'a question to score')]),
  json: z.boolean().default(false),
  hint: z.string().optional(),
});

export async function kb(argv: string[]): Promise<number> {
  const args = parse(argv, { json: { type: 'boolean' }, hint: { type: 'string' } }, Args);
  const { config } = loadConfig(process.env.VERITY_CONFIG ?? DEFAULT_CONFIG_PATH, {});
  const { matcher } = loadSupportData(SupportConfig.parse(config.support), config.languages);
  const result = kbTest(args.positionals[1], {
    matcher,
    languages: config.languages,
    ...(args.hint ? { hint: args.hint } : {}),
  });
  if (args.json) {
    console.log(JSON.stringify(result));
    return 0;
  }
  console.log(`question: ${result.question}\nlanguage: ${result.language}`);
  console.log(
    result.answer
      ? `answer:   ${result.answer.id} (${result.answer.category}, score ${result.answer.score.toFixed(3)})`
      : 'answer:   none (would ask a clarifying question)',
  );
  for (const c of result.candidates) console.log(`  candidate ${c.id} (${c.category}) ${c.score.toFixed(3)}`);
  return 0;
}
