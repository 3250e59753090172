/**
 * What a router handler sees and can do for one inbound event. Handlers never talk to a
 * platform: they queue outbound commands here, and the router stores and emits them once
 * the whole chain has run (so a crash mid-chain re-runs it without sending twice).
 */
import type { Logger } from 'pino';
import type { Conversation, InboundEvent, Message, OutboundCommand } from '../core/model.ts';
import type { ConversationStore, UpdateChanges, UpdateGuard, UpdateResult } from '../store/conversations.ts';

export type Reply = {
  text: string;
  buttons?: NonNullable<Extract<OutboundCommand, { type: 'send' }>['buttons']>;
  style?: 'plain' | 'verification' | 'warning';
  replyToPlatformId?: string;
  /** Who speaks: the bot (default) or the system (notices). */
  author?: 'bot' | 'system';
};

/** A command without the fields the router fills in (id, channel, thread, conversation). */
export type PendingCommand =
  | { type: 'delete'; platformMessageId: string }
  | { type: 'typing' }
  | { type: 'timeout'; userId: string; seconds: number };

export class RouterContext {
  /** Free-form findings passed between middleware (trust verdicts, language, triage …). */
  readonly state: Record<string, unknown> = {};
  readonly replies: Reply[] = [];
  readonly commands: PendingCommand[] = [];
  private changes: UpdateChanges[] = [];

  constructor(
    readonly event: InboundEvent,
    public conversation: Conversation | undefined,
    readonly message: Message | undefined,
    readonly store: ConversationStore,
    readonly logger: Logger,
  ) {}

  /** The text of the event (message or edit), as stored: secrets already redacted. */
  get text(): string {
    if (this.message) return this.message.text;
    return this.event.type === 'message' || this.event.type === 'edit' ? this.event.text : '';
  }

  reply(text: string | Reply): void {
    this.replies.push(typeof text === 'string' ? { text } : text);
  }

  command(command: PendingCommand): void {
    this.commands.push(command);
  }

  /** Change the conversation now (atomic, field-level; see ConversationStore.update). */
  async update(changes: UpdateChanges, guard?: UpdateGuard): Promise<UpdateResult> {
    if (!this.conversation) throw new Error('this event has no conversation');
    const result = await this.store.update(this.conversation.id, changes, guard);
    if (result.ok && result.changed) {
      this.changes.push(changes);
      this.conversation = (await this.store.get(this.conversation.id)) ?? this.conversation;
    }
    return result;
  }

  /** What the chain changed, for live events to the inbox. */
  get updates(): readonly UpdateChanges[] {
    return this.changes;
  }
}
