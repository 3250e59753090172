/**
 * Contacts: one person across channels. A contact is named by one of its accounts
 * (`<channel>:<userId>`); merging points an account at another contact, so the person's
 * conversations on every channel show together. Finding a contact's conversations reads
 * the most recent conversations of each channel involved, within a bounded scan (the
 * store indexes conversations by thread, not by participant).
 */
import type { Redis } from 'ioredis';
import type { Conversation } from '../core/model.ts';
import type { ConversationStore } from '../store/conversations.ts';
import type { InboxKeys } from './keys.ts';

export const CONTACT = /^[a-z][a-z0-9-]{0,31}:.{1,128}$/;

export function contactOf(conversation: Pick<Conversation, 'participant'>): string {
  return `${conversation.participant.channel}:${conversation.participant.userId}`;
}

export class Contacts {
  constructor(
    private readonly redis: Redis,
    private readonly keys: InboxKeys,
    private readonly store: ConversationStore,
    private readonly scanLimit = 5000,
  ) {}

  /** The contact an account belongs to (itself unless merged). */
  async root(account: string): Promise<string> {
    return (await this.redis.hget(this.keys.contactMerges(), account)) ?? account;
  }

  /** Every account of the contact that `account` belongs to, the root first. */
  async members(account: string): Promise<string[]> {
    const root = await this.root(account);
    const merges = await this.redis.hgetall(this.keys.contactMerges());
    return [root, ...Object.entries(merges).flatMap(([member, into]) => (into === root ? [member] : []))];
  }

  /** Merges `from`'s contact into `into`'s; accounts already merged into `from` move along. */
  async merge(into: string, from: string): Promise<string[]> {
    const [target, source] = await Promise.all([this.root(into), this.root(from)]);
    if (target !== source) {
      const merges = await this.redis.hgetall(this.keys.contactMerges());
      const moving = Object.entries(merges).flatMap(([member, root]) => (root === source ? [member] : []));
      const tx = this.redis.multi().hset(this.keys.contactMerges(), source, target);
      for (const member of moving) tx.hset(this.keys.contactMerges(), member, target);
      await tx.exec();
    }
    return this.members(target);
  }

  async conversations(account: string): Promise<{ members: string[]; conversations: Conversation[] }> {
    const members = await this.members(account);
    const wanted = new Set(members);
    const channels = [...new Set(members.map((m) => m.slice(0, m.indexOf(':'))))];
    const found: Conversation[] = [];
    for (const channel of channels) {
      let cursor: string | undefined;
      let scanned = 0;
      do {
        const page = await this.store.list({ channel }, { limit: 200, ...(cursor ? { cursor } : {}) });
        scanned += page.conversations.length;
        found.push(...page.conversations.filter((c) => wanted.has(contactOf(c))));
        cursor = page.cursor;
      } while (cursor && scanned < this.scanLimit);
    }
    found.sort((a, b) => b.lastMessageAt - a.lastMessageAt);
    return { members, conversations: found };
  }
}
