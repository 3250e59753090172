/**
 * How the model is laid out in Redis: a conversation is a flat hash of strings, a message
 * an immutable JSON entry with two overlays (edits, delivery state). These codecs are the
 * only place that knows it; reads are parsed with zod like any other input.
 */
import { z } from 'zod';
import { Conversation, Message } from '../core/model.ts';

/** Hash fields that hold numbers; the rest are strings, but for the two below. */
const NUMERIC = new Set([
  'snoozedUntil',
  'messageCount',
  'unread',
  'version',
  'createdAt',
  'updatedAt',
  'lastMessageAt',
  'lastInboundAt',
]);

/**
 * Parse an HGETALL reply. The flat strings are mapped to the model's shape (empty means
 * absent, so `exactOptionalPropertyTypes` holds), then validated once by the model's own
 * schema: a corrupt field fails there, with its name.
 */
export function decodeConversation(hash: Record<string, string>): Conversation {
  const shaped: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(hash)) {
    if (value === '' && field !== 'tags') continue;
    if (NUMERIC.has(field)) shaped[field] = Number(value);
    else if (field === 'tags') shaped.tags = value === '' ? [] : value.split(',');
    else if (field === 'participant') shaped.participant = parseOrKeep(value);
    else shaped[field] = value;
  }
  return Conversation.parse(shaped);
}

/** Invalid JSON stays a string, which the schema then rejects as "expected object". */
function parseOrKeep(json: string): unknown {
  try {
    return JSON.parse(json) as unknown;
  } catch {
    return json;
  }
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
  // Object.assign, not a literal that starts with `...stored`: Node 20's V8 adds each
  // property after such a spread through a slow path (~10 µs here, ~0.5 µs this way).
  const message: Message = Object.assign(stored, {
    id: `${conversationId}.${seq}`,
    conversationId,
    seq,
    edits: history.length ? [{ text: stored.text, at: stored.createdAt }, ...history.slice(0, -1)] : [],
    text: last ? last.text : stored.text,
  });
  if (replyTo !== undefined) message.replyTo = `${conversationId}.${replyTo}`;
  if (delivery) message.delivery = Delivery.parse(JSON.parse(delivery));
  return message;
}

/** The part of a message the caller provides; its id, conversation and seq come from its position. */
export type MessageBody = Omit<Message, 'id' | 'conversationId' | 'seq' | 'replyTo'>;

/** A stored entry: the body as JSON (ingest splices `"replyTo":n,` after its `{` when known). */
export function encodeMessageBody(body: MessageBody): string {
  return JSON.stringify(body);
}
