/**
 * Verity's one conversation model. Every channel adapter normalizes into these shapes and
 * every consumer (router, delivery, inbox) reads them; types come from the schemas.
 *
 * Channels are an open set: a channel is any lower-case name, so adding one touches only
 * adapters/<name>/ and configuration, never this file.
 */
import { z } from 'zod';

export const ChannelName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,31}$/, 'a channel name is lower-case letters, digits and dashes');
export type ChannelName = z.infer<typeof ChannelName>;

/** Milliseconds since the epoch. */
export const Timestamp = z.number().int().nonnegative();

export const Language = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP 47 language tag such as "en" or "zh"');
export type Language = z.infer<typeof Language>;

/** Someone on a platform, identified by the platform's own user id. */
export const Participant = z.object({
  channel: ChannelName,
  userId: z.string().min(1).max(128),
  handle: z.string().max(256).optional(),
  displayName: z.string().max(512).optional(),
  language: Language.optional(),
  isBot: z.boolean().optional(),
});
export type Participant = z.infer<typeof Participant>;

export const AttachmentType = z.enum([
  'photo',
  'document',
  'voice',
  'audio',
  'video',
  'sticker',
  'location',
  'link',
  'contact',
  'other',
]);

export const Attachment = z.object({
  type: AttachmentType,
  name: z.string().max(512).optional(),
  size: z.number().int().nonnegative().optional(),
  mimeType: z.string().max(128).optional(),
  /** The platform's handle for fetching the file through the adapter (never a public URL with a token). */
  fileId: z.string().max(512).optional(),
  url: z.string().max(4096).optional(),
  caption: z.string().max(4096).optional(),
  /** Free-form typed details (location coordinates, contact card, recognized speech …). */
  details: z.record(z.string(), z.string()).optional(),
});
export type Attachment = z.infer<typeof Attachment>;

export const EntityKind = z.enum([
  'domain',
  'url',
  'handle',
  'name',
  'phone',
  'email',
  'address',
  'secret',
  'script',
]);
export const Verdict = z.enum(['official', 'flagged', 'lookalike', 'unknown']);

/** Something the trust layer found in a text, with its verdict. */
export const Entity = z.object({
  kind: EntityKind,
  value: z.string(),
  verdict: Verdict,
  target: z.string().optional(),
  confidence: z.enum(['high', 'medium']).optional(),
  reasons: z.array(z.string()),
});
export type Entity = z.infer<typeof Entity>;

/** A secret removed from a text before it was stored. */
export const Redaction = z.object({
  kind: z.enum(['seed-phrase', 'private-key', 'password', 'other']),
  /** How many characters were replaced (the secret itself is never kept). */
  length: z.number().int().nonnegative(),
});
export type Redaction = z.infer<typeof Redaction>;

export const Button = z.union([
  z.object({ label: z.string().min(1).max(80), data: z.string().min(1).max(64) }),
  z.object({ label: z.string().min(1).max(80), url: z.url() }),
]);
export type Button = z.infer<typeof Button>;
/** Rows of buttons, as platforms lay them out. */
export const ButtonRows = z.array(z.array(Button).min(1).max(5)).max(10);

export const ThreadKind = z.enum(['private', 'group', 'thread']);

/** Where a message was said: one DM, group chat or thread of a channel. */
export const Thread = z.object({
  /** Channel-specific and stable: a Telegram chat id, a Discord channel id, a WeChat contact or room id. */
  key: z.string().min(1).max(256),
  kind: ThreadKind,
  title: z.string().max(512).optional(),
});
export type Thread = z.infer<typeof Thread>;

export const AuthorKind = z.enum(['user', 'bot', 'agent', 'system']);

export const DeliveryState = z.enum(['queued', 'sent', 'failed']);

export const Message = z.object({
  /** `<conversationId>.<seq>`: seq counts from 1 in each conversation and fixes its order. */
  id: z.string(),
  conversationId: z.string(),
  seq: z.number().int().positive(),
  channel: ChannelName,
  direction: z.enum(['in', 'out']),
  author: z.object({
    kind: AuthorKind,
    id: z.string(),
    name: z.string().optional(),
  }),
  text: z.string(),
  attachments: z.array(Attachment),
  entities: z.array(Entity),
  platformMessageId: z.string().optional(),
  replyTo: z.string().optional(),
  edits: z.array(z.object({ text: z.string(), at: Timestamp })),
  redactions: z.array(Redaction),
  /** Private notes are visible to agents only and never delivered. */
  note: z.boolean().optional(),
  /** Shared by the messages a platform sent as one album (see InboundMessage). */
  album: z.string().max(128).optional(),
  buttons: ButtonRows.optional(),
  delivery: z
    .object({
      state: DeliveryState,
      error: z.string().optional(),
      at: Timestamp,
    })
    .optional(),
  createdAt: Timestamp,
});
export type Message = z.infer<typeof Message>;

export const ConversationStatus = z.enum(['open', 'pending', 'snoozed', 'resolved']);
export type ConversationStatus = z.infer<typeof ConversationStatus>;
export const Priority = z.enum(['low', 'normal', 'high', 'urgent']);
export type Priority = z.infer<typeof Priority>;
/** Who answers right now: the bot, a human agent, or nobody (waiting in the queue). */
export const Owner = z.enum(['bot', 'agent', 'none']);

export const Conversation = z.object({
  id: z.string(),
  channel: ChannelName,
  threadKey: z.string(),
  kind: ThreadKind,
  title: z.string().optional(),
  participant: Participant,
  status: ConversationStatus,
  snoozedUntil: Timestamp.optional(),
  assignee: z.string().optional(),
  owner: Owner,
  priority: Priority,
  tags: z.array(z.string()),
  ticket: z.string().optional(),
  language: Language.optional(),
  team: z.string().optional(),
  category: z.string().optional(),
  unreachable: z.string().optional(),
  messageCount: z.number().int().nonnegative(),
  unread: z.number().int().nonnegative(),
  version: z.number().int().nonnegative(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  lastMessageAt: Timestamp,
  lastInboundAt: Timestamp.optional(),
});
export type Conversation = z.infer<typeof Conversation>;

// ---- Inbound events: what adapters produce -------------------------------------------

const InboundBase = z.object({
  channel: ChannelName,
  /** Unique per channel for the platform event (e.g. `<chatId>:<messageId>`); duplicates are dropped by it. */
  eventId: z.string().min(1).max(256),
  thread: Thread,
  sender: Participant,
  /** When the platform says it happened. */
  at: Timestamp,
});

/** The longest text a message or edit may hold; an adapter refuses longer ones at its boundary. */
export const MAX_TEXT_LENGTH = 65_536;

export const InboundMessage = InboundBase.extend({
  type: z.literal('message'),
  platformMessageId: z.string().min(1).max(256),
  text: z.string().max(MAX_TEXT_LENGTH),
  attachments: z.array(Attachment).max(20).default([]),
  replyToPlatformId: z.string().max(256).optional(),
  /** The bot was mentioned, replied to or commanded (groups: only then is it a support turn). */
  addressedToBot: z.boolean().default(true),
  /** Forwarded from someone else (the trust layer checks who). */
  forwardedFrom: Participant.partial().optional(),
  /**
   * Shared by the parts of one album, which some platforms deliver as one message each
   * (Telegram's media groups): every part is stored, but only one is a support turn.
   */
  album: z.string().min(1).max(128).optional(),
});

export const InboundEdit = InboundBase.extend({
  type: z.literal('edit'),
  platformMessageId: z.string().min(1).max(256),
  text: z.string().max(MAX_TEXT_LENGTH),
});

export const InboundButton = InboundBase.extend({
  type: z.literal('button'),
  data: z.string().max(256),
  platformMessageId: z.string().max(256).optional(),
});

export const InboundMember = InboundBase.extend({
  type: z.literal('member'),
  change: z.enum(['joined', 'renamed', 'left']),
  previous: z.object({ handle: z.string().optional(), displayName: z.string().optional() }).optional(),
});

/**
 * Whether the bot can write to the thread changed, as the platform tells it: the user
 * blocked or unblocked the bot, a group removed it or took it back. Until now Verity
 * learnt that only from a refused send (or the user's next message).
 */
export const InboundReachability = InboundBase.extend({
  type: z.literal('reachability'),
  /** Why the bot cannot write there (the reasons delivery records), or null: it can again. */
  unreachable: z.string().min(1).max(64).nullable(),
});

export const InboundEvent = z.discriminatedUnion('type', [
  InboundMessage,
  InboundEdit,
  InboundButton,
  InboundMember,
  InboundReachability,
]);
export type InboundEvent = z.infer<typeof InboundEvent>;
export type InboundEventInput = z.input<typeof InboundEvent>;
export type InboundMessage = z.infer<typeof InboundMessage>;

// ---- Outbound commands: what the router and the inbox ask adapters to do ---------------

const OutboundBase = z.object({
  /** Unique per command; delivery uses it to never send the same command twice. */
  id: z.string().min(1).max(128),
  channel: ChannelName,
  threadKey: z.string().min(1),
  conversationId: z.string().optional(),
});

export const OutboundSend = OutboundBase.extend({
  type: z.literal('send'),
  text: z.string().min(1).max(16_384),
  buttons: ButtonRows.optional(),
  replyToPlatformId: z.string().optional(),
  /** The stored message this send delivers (its delivery state is updated). */
  messageId: z.string().optional(),
  /** Rendered as an embed/card where the platform has one (verification messages). */
  style: z.enum(['plain', 'verification', 'warning']).default('plain'),
});

export type OutboundSend = z.infer<typeof OutboundSend>;

export const OutboundEdit = OutboundBase.extend({
  type: z.literal('edit'),
  platformMessageId: z.string().min(1),
  text: z.string().min(1).max(16_384),
  buttons: ButtonRows.optional(),
});

export const OutboundDelete = OutboundBase.extend({
  type: z.literal('delete'),
  platformMessageId: z.string().min(1),
});

export const OutboundTyping = OutboundBase.extend({ type: z.literal('typing') });

export const OutboundTimeout = OutboundBase.extend({
  type: z.literal('timeout'),
  userId: z.string().min(1),
  seconds: z
    .number()
    .int()
    .positive()
    .max(28 * 24 * 3600),
});

export const OutboundCommand = z.discriminatedUnion('type', [
  OutboundSend,
  OutboundEdit,
  OutboundDelete,
  OutboundTyping,
  OutboundTimeout,
]);
export type OutboundCommand = z.infer<typeof OutboundCommand>;
export type OutboundCommandInput = z.input<typeof OutboundCommand>;
