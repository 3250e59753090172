/**
 * `npm run bench -- NAME` runs one benchmark, `npm run bench` all of them in turn. Each
 * prints its figures and ratios against a baseline measured in the same run, and ends
 * with one JSON line holding the figures under the names its issue gives.
 */
import { z } from 'zod';

const BENCHES = {
  ingest: () => import('./ingest.ts'),
  pipeline: () => import('./pipeline.ts'),
  trust: () => import('./trust.ts'),
  support: () => import('./support.ts'),
  telegram: () => import('./telegram.ts'),
  wechat: () => import('./wechat.ts'),
  discord: () => import('./discord.ts'),
  inbox: () => import('./inbox.ts'),
} satisfies Record<string, () => Promise<{ run: () => Promise<unknown> }>>;

const Name = z.enum(Object.keys(BENCHES) as [keyof typeof BENCHES, ...Array<keyof typeof BENCHES>]);

const arg = process.argv[2];
const parsed = arg === undefined ? undefined : Name.safeParse(arg);
if (parsed && !parsed.success) {
  console.error(`unknown benchmark "${arg}"; known: ${Name.options.join(', ')}`);
  process.exit(2);
}
const names = parsed ? [parsed.data] : Name.options;
for (const name of names) {
  const { run } = await BENCHES[name]();
  await run();
}
process.exit(0);
