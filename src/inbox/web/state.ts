/** What the page knows right now, shared by its views. */
import type { Conversation, User } from './types.ts';

export const state = {
  me: undefined as User | undefined,
  directory: [] as User[],
  conversations: [] as Conversation[],
  cursor: undefined as string | undefined,
  selected: undefined as string | undefined,
  filter: { view: 'all' as 'all' | 'mine' | 'unassigned', status: 'open' as string, q: '' },
  /** conversation id → who is typing there, until when */
  typing: new Map<string, { name: string; until: number }>(),
  /** conversation id → the latest SLA warning seen live (clock and phase) */
  sla: new Map<string, string>(),
};

export function nameOf(userId: string | undefined): string {
  if (!userId) return '';
  return state.directory.find((u) => u.id === userId)?.name ?? userId;
}

export function personOf(c: Conversation): string {
  const p = c.participant;
  return p.displayName || (p.handle ? `@${p.handle}` : '') || c.title || p.userId;
}
