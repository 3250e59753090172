/**
 * Reading the support subsystem's data files (knowledge base, templates). Every failure is
 * a SupportDataError naming the file and, where YAML knows it, the line, so an operator who
 * edits an article sees exactly what to fix.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { VerityError } from '../core/errors.ts';

export class SupportDataError extends VerityError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super('SUPPORT_DATA_INVALID', `${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, { file });
  }
}

export function readYaml(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new SupportDataError(file, [
      `cannot read: ${cause instanceof Error ? cause.message : String(cause)}`,
    ]);
  }
  return parseYaml(text, file);
}

export function parseYaml(text: string, file: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SupportDataError(
      file,
      doc.errors.map((e) => {
        const where = e.linePos ? `line ${e.linePos[0].line}, column ${e.linePos[0].col}: ` : '';
        return `${where}${e.message.split('\n')[0] ?? e.code}`;
      }),
    );
  }
  return doc.toJS() ?? null;
}

/** Validates data read from `file`; a failure lists every problem with its path. */
export function parseWith<T extends z.ZodType>(schema: T, data: unknown, file: string): z.infer<T> {
  const result = schema.safeParse(data);
  if (!result.success) throw new SupportDataError(file, z.prettifyError(result.error).split('\n'));
  return result.data;
}

/** YAML files of a directory in name order (stable load order, stable error messages). */
export function yamlFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (cause) {
    throw new SupportDataError(dir, [
      `cannot list: ${cause instanceof Error ? cause.message : String(cause)}`,
    ]);
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(dir, n));
}
