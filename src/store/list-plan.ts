/**
 * How a listing is planned and paged: which index each shard reads, the order hits are
 * merged in, and the opaque cursor handed to clients.
 */
import type { ConversationStatus, Priority } from '../core/model.ts';
import { StoreError } from './errors.ts';
import { type IndexField, UNASSIGNED } from './keys.ts';

export interface ListFilter {
  status?: ConversationStatus;
  channel?: string;
  /** An agent id, or '' for unassigned. */
  assignee?: string;
  priority?: Priority;
  team?: string;
  language?: string;
  tag?: string;
}

/** Orders hits newest first, ties by id descending (the order ZREVRANGEBYSCORE walks). */
export function before(a: { score: number; id: string }, b: { score: number; id: string }): boolean {
  return a.score > b.score || (a.score === b.score && a.id > b.id);
}

const FIELDS: Record<keyof ListFilter, string> = {
  assignee: 'assignee',
  status: 'status',
  tag: 'tags',
  team: 'team',
  language: 'language',
  priority: 'priority',
  channel: 'channel',
};

/**
 * Which index a listing reads: the assignee or status activity index when one is
 * filtered (they are ordered already), else the membership set of the most selective
 * other filter; every other filter is checked on the conversation itself.
 */
export function planList(filter: ListFilter): {
  mode: 'walk' | 'set';
  field: IndexField | 'all';
  value: string | undefined;
  checks: string[];
  allChecks: string[];
} {
  const order: Array<keyof ListFilter> = [
    'assignee',
    'status',
    'tag',
    'team',
    'language',
    'priority',
    'channel',
  ];
  const present = order.filter((key) => filter[key] !== undefined);
  const allChecks = present.flatMap((key) => [FIELDS[key], filter[key] ?? '']);
  const [first, ...rest] = present;
  const checks = rest.flatMap((key) => [FIELDS[key], filter[key] ?? '']);
  if (!first) return { mode: 'walk', field: 'all', value: undefined, checks: [], allChecks };
  const value = filter[first] ?? '';
  if (first === 'assignee')
    return { mode: 'walk', field: 'assignee', value: value === '' ? UNASSIGNED : value, checks, allChecks };
  if (first === 'status') return { mode: 'walk', field: 'status', value, checks, allChecks };
  return { mode: 'set', field: first, value, checks, allChecks };
}

export function encodeCursor(score: number, id: string): string {
  return Buffer.from(`${score}:${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): [string, string] {
  const text = Buffer.from(cursor, 'base64url').toString();
  const colon = text.indexOf(':');
  const score = Number(text.slice(0, colon));
  if (colon < 1 || !Number.isFinite(score))
    throw new StoreError('INVALID_CURSOR', 'the cursor is not one we issued');
  return [String(score), text.slice(colon + 1)];
}
