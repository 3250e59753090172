/**
 * What a human agent does to a conversation: claim it, reply, write a private note, hand
 * it back, change its status. The inbox API calls these; so do the support flows' tests.
 * Each action is idempotent where a retry could repeat it, and tells the inbox live.
 */
import type { LivePublisher } from '../bus/live.ts';
import type { Button, ConversationStatus } from '../core/model.ts';
import type { ConversationStore, UpdateResult } from '../store/conversations.ts';
import { newId } from '../store/ids.ts';

export interface Desk {
  store: ConversationStore;
  live: LivePublisher;
}

export interface Agent {
  id: string;
  name?: string;
}

export class ConversationGone extends Error {
  readonly code = 'CONVERSATION_NOT_FOUND';
  constructor(id: string) {
    super(`no conversation ${id}`);
  }
}

async function existing(desk: Desk, conversationId: string) {
  const conversation = await desk.store.get(conversationId);
  if (!conversation) throw new ConversationGone(conversationId);
  return conversation;
}

const authorOf = (agent: Agent) => ({
  kind: 'agent' as const,
  id: agent.id,
  ...(agent.name ? { name: agent.name } : {}),
});

/** Send a reply to the user through the conversation's channel (the agent now owns it). */
export async function replyAsAgent(
  desk: Desk,
  conversationId: string,
  agent: Agent,
  text: string,
  options: { idempotencyKey?: string; buttons?: Button[][]; now?: number } = {},
): Promise<{ messageId: string; duplicate: boolean }> {
  const conversation = await existing(desk, conversationId);
  const now = options.now ?? Date.now();
  const id = options.idempotencyKey ?? `agent:${newId(now)}`;
  const appended = await desk.store.reply(
    conversationId,
    {
      type: 'send',
      id,
      channel: conversation.channel,
      threadKey: conversation.threadKey,
      text,
      style: 'plain',
      ...(options.buttons ? { buttons: options.buttons } : {}),
    },
    authorOf(agent),
    { now },
  );
  if (conversation.owner !== 'agent' || conversation.assignee !== agent.id) {
    await desk.store.update(conversationId, { owner: 'agent', assignee: agent.id, markRead: true });
  } else {
    await desk.store.update(conversationId, { markRead: true });
  }
  if (!appended.duplicate) {
    await desk.live.publish({ type: 'message', conversationId, data: { messageId: appended.messageId } });
  }
  return { messageId: appended.messageId, duplicate: appended.duplicate };
}

/** A private note for colleagues: stored, shown in the inbox, never delivered. */
export async function addNote(
  desk: Desk,
  conversationId: string,
  agent: Agent,
  text: string,
  options: { idempotencyKey?: string; now?: number } = {},
): Promise<{ messageId: string }> {
  const conversation = await existing(desk, conversationId);
  const now = options.now ?? Date.now();
  const appended = await desk.store.append(
    conversationId,
    {
      channel: conversation.channel,
      direction: 'out',
      author: authorOf(agent),
      text,
      note: true,
      createdAt: now,
    },
    options.idempotencyKey ?? `note:${newId(now)}`,
  );
  await desk.live.publish({
    type: 'message',
    conversationId,
    data: { messageId: appended.messageId, note: true },
  });
  return { messageId: appended.messageId };
}

/**
 * Assign to an agent (or to nobody). With `onlyIfUnassigned`, exactly one of several agents
 * claiming at once wins; the others get `{ ok: false, reason: 'condition' }`.
 */
export async function assign(
  desk: Desk,
  conversationId: string,
  agentId: string | null,
  options: { onlyIfUnassigned?: boolean } = {},
): Promise<UpdateResult> {
  const result = await desk.store.update(
    conversationId,
    { assignee: agentId, owner: agentId ? 'agent' : 'none' },
    options.onlyIfUnassigned ? { expect: { assignee: '' } } : {},
  );
  if (result.ok && result.changed) {
    await desk.live.publish({
      type: 'conversation',
      conversationId,
      data: { assignee: agentId, owner: agentId ? 'agent' : 'none' },
    });
  }
  return result;
}

/** Give the conversation back to the bot (an agent finished, or went silent too long). */
export async function handBack(desk: Desk, conversationId: string): Promise<UpdateResult> {
  const result = await desk.store.update(conversationId, { owner: 'bot', assignee: null });
  if (result.ok && result.changed) {
    await desk.live.publish({ type: 'conversation', conversationId, data: { owner: 'bot', assignee: null } });
  }
  return result;
}

export async function setStatus(
  desk: Desk,
  conversationId: string,
  status: ConversationStatus,
  options: { snoozedUntil?: number } = {},
): Promise<UpdateResult> {
  const result = await desk.store.update(conversationId, {
    status,
    ...(status === 'snoozed' && options.snoozedUntil ? { snoozedUntil: options.snoozedUntil } : {}),
  });
  if (result.ok && result.changed) {
    await desk.live.publish({ type: 'conversation', conversationId, data: { status } });
  }
  return result;
}
