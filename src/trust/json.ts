import type { z } from 'zod';

/** JSON read back from Redis or a file, validated; undefined when damaged. */
export function parseJson<T>(schema: z.ZodType<T>, raw: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
