/**
 * How the model is laid out in Redis: a conversation is a flat hash of strings, a message
 * an immutable JSON entry with two overlays (edits, delivery state). These codecs are the
 * only place that knows it; reads are parsed with zod like any other input.
 */
import { z } from 'zod';
import { Conversation, Message } from '../core/model.ts';

const int = z.coerce.number().int().nonnegative();
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v));
const optionalInt = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : Number(v)))
  .pipe(z.number().int().nonnegative().optional());

const MetaHash = z.object({
  id: z.string(),
  channel: z.string(),
  threadKey: z.string(),
  kind: z.string(),
  title: optionalString,
  participant: z.string().transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'participant is not JSON' });
      return z.NEVER;
    }
  }),
  status: z.string(),
  snoozedUntil: optionalInt,
  assignee: optionalString,
  owner: z.string(),
  priority: z.string(),
  tags: z.string().transform((s) => (s === '' ? [] : s.split(','))),
  ticket: optionalString,
  language: optionalString,
  team: optionalString,
  category: optionalString,
  unreachable: optionalString,
  messageCount: int,
  unread: int,
  version: int,
  createdAt: int,
  updatedAt: int,
  lastMessageAt: int,
  lastInboundAt: optionalInt,
});

/** Parse an HGETALL reply; undefined keys are dropped so `exactOptionalPropertyTypes` holds. */
export function decodeConversation(hash: Record<string, string>): Conversation {
  const flat = MetaHash.parse(hash);
  const defined = Object.fromEntries(Object.entries(flat).filter(([, v]) => v !== undefined));
  return Conversation.parse(defined);
}

const Edits = z.array(z.object({ text: z.string(), at: z.number() }));
const Delivery = Message.shape.delivery.unwrap();

/** What a stored entry holds: the message minus what its position implies. */
const Entry = Message.omit({ id: true, conversationId: true, seq: true, replyTo: true, edits: true }).extend({
  replyTo: z.number().int().positive().optional(),
});

/**
 * A stored message entry merged with its overlays. Entries are immutable and their
 * position is their seq; the current text is the last edit's.
 */
export function decodeMessage(
  conversationId: string,
  seq: number,
  entry: string,
  edits: string | null,
  delivery: string | null,
): Message {
  const { replyTo, ...stored } = Entry.parse(JSON.parse(entry));
  const history = edits ? Edits.parse(JSON.parse(edits)) : [];
  const last = history.at(-1);
  const message: Message = {
    ...stored,
    id: `${conversationId}.${seq}`,
    conversationId,
    seq,
    edits: history.length ? [{ text: stored.text, at: stored.createdAt }, ...history.slice(0, -1)] : [],
    text: last ? last.text : stored.text,
  };
  if (replyTo !== undefined) message.replyTo = `${conversationId}.${replyTo}`;
  if (delivery) message.delivery = Delivery.parse(JSON.parse(delivery));
  return message;
}

/** The part of a message the caller provides; its id, conversation and seq come from its position. */
export type MessageBody = Omit<Message, 'id' | 'conversationId' | 'seq' | 'replyTo'>;

/** The scripts write `{` (and `"replyTo":n,` when known) before this. */
export function encodeMessageBody(body: MessageBody): string {
  return JSON.stringify(body).slice(1);
}
