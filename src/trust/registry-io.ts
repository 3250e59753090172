/**
 * Import and export of the scam registry as JSON (an array of entries) or CSV (header
 * `kind,value,reason,evidence,by,at,channel`). Input is validated row by row; a bad row
 * is reported with its line, never half-imported.
 */
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.ts';
import { FlagEntry } from './registry-index.ts';

const COLUMNS = ['kind', 'value', 'reason', 'evidence', 'by', 'at', 'channel'] as const;

export function toJson(entries: readonly FlagEntry[]): string {
  return `${JSON.stringify(entries, null, 2)}\n`;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function toCsv(entries: readonly FlagEntry[]): string {
  const rows = entries.map((e) =>
    COLUMNS.map((c) => csvField(c === 'at' ? String(e.at) : (e[c] ?? ''))).join(','),
  );
  return `${[COLUMNS.join(','), ...rows].join('\n')}\n`;
}

/** RFC 4180 records: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows.filter((r) => r.some((f) => f !== ''));
}

const CsvRow = z.object({
  kind: z.string(),
  value: z.string(),
  reason: z.string(),
  evidence: z.string().optional(),
  by: z.string().optional(),
  at: z.string().optional(),
  channel: z.string().optional(),
});

export function fromCsv(text: string, defaults: { by: string; at: number }): FlagEntry[] {
  const [header, ...rows] = parseCsv(text);
  if (!header) return [];
  const names = header.map((h) => h.trim().toLowerCase());
  return rows.map((cells, i) => {
    const record: Record<string, string> = {};
    names.forEach((name, c) => {
      const cell = cells[c]?.trim();
      if (cell) record[name] = cell;
    });
    const row = CsvRow.safeParse(record);
    if (!row.success)
      throw new InvalidInputError('registry CSV', `line ${i + 2}: ${z.prettifyError(row.error)}`);
    return entry(
      {
        ...row.data,
        by: row.data.by ?? defaults.by,
        at: row.data.at === undefined ? defaults.at : Number(row.data.at),
      },
      `registry CSV line ${i + 2}`,
    );
  });
}

export function fromJson(text: string, defaults: { by: string; at: number }): FlagEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new InvalidInputError('registry JSON', error instanceof Error ? error.message : 'not JSON');
  }
  const list = z.array(z.record(z.string(), z.unknown())).safeParse(data);
  if (!list.success) throw new InvalidInputError('registry JSON', 'expected an array of entries');
  return list.data.map((item, i) =>
    entry({ by: defaults.by, at: defaults.at, ...item }, `registry JSON entry ${i}`),
  );
}

function entry(data: unknown, where: string): FlagEntry {
  const parsed = FlagEntry.safeParse(data);
  if (!parsed.success) throw new InvalidInputError(where, z.prettifyError(parsed.error));
  return parsed.data;
}

/** JSON when the text starts like JSON, CSV otherwise. */
export function parseRegistryFile(text: string, defaults: { by: string; at: number }): FlagEntry[] {
  return /^\s*\[/.test(text) ? fromJson(text, defaults) : fromCsv(text, defaults);
}
