/**
 * Full-text search over recent activity: walks the filtered listing newest first and looks
 * at each conversation's title, participant, ticket and its most recent messages. Bounded
 * (a fixed number of conversations and messages per call) so one query never stalls Redis;
 * the cursor continues the walk.
 */
import type { Conversation } from '../core/model.ts';
import type { ConversationStore, ListFilter } from '../store/conversations.ts';

export interface SearchOptions {
  limit: number;
  cursor?: string;
  /** Conversations looked at per call. */
  scanConversations?: number;
  /** Recent messages read per conversation. */
  recentMessages?: number;
}

export async function searchConversations(
  store: ConversationStore,
  filter: ListFilter,
  query: string,
  options: SearchOptions,
): Promise<{ conversations: Conversation[]; cursor?: string }> {
  const needle = query.normalize('NFKC').toLowerCase();
  const budget = options.scanConversations ?? 600;
  const recent = options.recentMessages ?? 20;
  const found: Conversation[] = [];
  let cursor = options.cursor;
  let scanned = 0;
  while (found.length < options.limit && scanned < budget) {
    const page = await store.list(filter, { limit: 100, ...(cursor ? { cursor } : {}) });
    scanned += page.conversations.length;
    const hits = await Promise.all(
      page.conversations.map(async (c) => {
        const p = c.participant;
        const header = [c.title, p.displayName, p.handle, p.userId, c.ticket].filter(Boolean).join('\n');
        if (matches(header, needle)) return true;
        const messages = await store.history(c.id, { limit: recent });
        return messages.some((m) => matches(m.text, needle));
      }),
    );
    found.push(...page.conversations.filter((_, i) => hits[i]));
    cursor = page.cursor;
    if (!cursor) break;
  }
  // Stopping inside a page would skip its remaining hits; a full page is kept whole.
  return cursor ? { conversations: found, cursor } : { conversations: found };
}

function matches(text: string | undefined, needle: string): boolean {
  return text?.normalize('NFKC').toLowerCase().includes(needle) ?? false;
}
