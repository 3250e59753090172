/**
 * Command-line arguments: node's parseArgs for the syntax, zod for the meaning, so a bad
 * flag gets the same precise message as a bad config value.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';

export class UsageError extends Error {}

export function parse<S extends z.ZodType>(
  argv: string[],
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'],
  schema: S,
): z.infer<S> {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: options ?? {}, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const result = schema.safeParse({ ...parsed.values, positionals: parsed.positionals });
  if (!result.success) throw new UsageError(z.prettifyError(result.error));
  return result.data;
}
