/**
 * One Telegram update → Verity inbound events. Pure: no I/O, never throws. The outcome is
 * events, or `ignored` (kinds Verity does not handle, service messages), or `invalid`
 * (a payload that is not what the Bot API promises), each with a reason for the log.
 */
import { z } from 'zod';
import {
  type Attachment,
  type InboundEventInput,
  Language,
  type Participant,
  type Thread,
} from '../../src/core/model.ts';
import {
  TgCallbackQuery,
  type TgChat,
  TgChatMemberUpdated,
  TgEditedMessage,
  type TgEntity,
  type TgForwardOrigin,
  TgMessage,
  type TgUser,
  UpdateEnvelope,
} from './schemas.ts';

const CHANNEL = 'telegram';

export interface BotIdentity {
  id: number;
  username: string;
}

export type Normalized =
  | { events: InboundEventInput[]; updateId: number; callbackQueryId?: string }
  | { ignored: string; updateId?: number }
  | { invalid: string; updateId?: number };

const HANDLED = ['message', 'edited_message', 'callback_query', 'chat_member', 'my_chat_member'] as const;

export function normalizeUpdate(raw: unknown, bot: BotIdentity): Normalized {
  const envelope = UpdateEnvelope.safeParse(raw);
  if (!envelope.success) return { invalid: `update: ${z.prettifyError(envelope.error)}` };
  const update = envelope.data;
  const updateId = update.update_id;
  const kind = HANDLED.find((k) => update[k] !== undefined);
  if (kind === undefined) {
    const kinds = Object.keys(update).filter((k) => k !== 'update_id');
    return { ignored: `update kind not handled: ${kinds.slice(0, 3).join(', ') || '(empty)'}`, updateId };
  }
  let outcome: Outcome;
  try {
    outcome = fromPayload(kind, update[kind], updateId, bot);
  } catch (error) {
    // A bug here must cost one update, not the adapter.
    return {
      invalid: `${kind}: normalizer failed: ${error instanceof Error ? error.message : String(error)}`,
      updateId,
    };
  }
  if ('ignored' in outcome || 'invalid' in outcome) return { ...outcome, updateId };
  // Not checked against the model here: the sink checks every adapter's events, and says why.
  return outcome.callbackQueryId === undefined
    ? { events: outcome.events, updateId }
    : { events: outcome.events, updateId, callbackQueryId: outcome.callbackQueryId };
}

type Outcome =
  | { events: InboundEventInput[]; callbackQueryId?: string }
  | { ignored: string }
  | { invalid: string };

function fromPayload(
  kind: (typeof HANDLED)[number],
  payload: unknown,
  updateId: number,
  bot: BotIdentity,
): Outcome {
  switch (kind) {
    case 'message': {
      const parsed = TgMessage.safeParse(payload);
      return parsed.success
        ? fromMessage(parsed.data, bot)
        : { invalid: `message: ${z.prettifyError(parsed.error)}` };
    }
    case 'edited_message': {
      const parsed = TgEditedMessage.safeParse(payload);
      if (!parsed.success) return { invalid: `edited_message: ${z.prettifyError(parsed.error)}` };
      const m = parsed.data;
      const sender = senderOf(m);
      if (!sender) return { invalid: 'edited_message: no sender' };
      return {
        events: [
          {
            type: 'edit',
            channel: CHANNEL,
            eventId: `${m.chat.id}:${m.message_id}:edit:${m.edit_date}`,
            thread: threadOf(m.chat, m.is_topic_message ? m.message_thread_id : undefined),
            sender,
            at: m.edit_date * 1000,
            platformMessageId: String(m.message_id),
            text: m.text ?? m.caption ?? '',
          },
        ],
      };
    }
    case 'callback_query': {
      const parsed = TgCallbackQuery.safeParse(payload);
      if (!parsed.success) return { invalid: `callback_query: ${z.prettifyError(parsed.error)}` };
      return fromCallback(parsed.data);
    }
    case 'chat_member': {
      const parsed = TgChatMemberUpdated.safeParse(payload);
      if (!parsed.success) return { invalid: `chat_member: ${z.prettifyError(parsed.error)}` };
      return fromMemberChange(parsed.data, updateId);
    }
    case 'my_chat_member': {
      const parsed = TgChatMemberUpdated.safeParse(payload);
      if (!parsed.success) return { invalid: `my_chat_member: ${z.prettifyError(parsed.error)}` };
      return fromBotStanding(parsed.data, updateId, bot);
    }
  }
}

function fromMessage(m: TgMessage, bot: BotIdentity): Outcome {
  const thread = threadOf(m.chat, m.is_topic_message ? m.message_thread_id : undefined);
  const at = m.date * 1000;
  if (m.new_chat_members && m.new_chat_members.length > 0) {
    return {
      events: m.new_chat_members.map((user) => ({
        type: 'member',
        channel: CHANNEL,
        eventId: `${m.chat.id}:${m.message_id}:join:${user.id}`,
        thread,
        sender: participantOf(user),
        at,
        change: 'joined',
      })),
    };
  }
  if (m.left_chat_member) {
    return {
      events: [
        {
          type: 'member',
          channel: CHANNEL,
          eventId: `${m.chat.id}:${m.message_id}:left:${m.left_chat_member.id}`,
          thread,
          sender: participantOf(m.left_chat_member),
          at,
          change: 'left',
        },
      ],
    };
  }
  if (m.chat.type === 'channel') return { ignored: 'channel post' };
  const attachments = attachmentsOf(m);
  const text = m.text ?? m.caption ?? '';
  if (text === '' && attachments.length === 0) return { ignored: 'service or unsupported message' };
  const sender = senderOf(m);
  if (!sender) return { invalid: 'message: no sender' };
  const event: InboundEventInput = {
    type: 'message',
    channel: CHANNEL,
    eventId: `${m.chat.id}:${m.message_id}`,
    thread,
    sender,
    at,
    platformMessageId: String(m.message_id),
    text,
    attachments,
    addressedToBot: m.chat.type === 'private' || isAddressedToBot(m, bot),
  };
  if (m.reply_to_message) event.replyToPlatformId = String(m.reply_to_message.message_id);
  if (m.forward_origin) event.forwardedFrom = forwardedFrom(m.forward_origin);
  // An album arrives as one message per photo or file; the core gives it one turn.
  if (m.media_group_id) event.album = m.media_group_id.slice(0, 128);
  return { events: [event] };
}

function fromCallback(q: TgCallbackQuery): Outcome {
  if (!q.message) return { ignored: 'callback_query on an inline-mode message' };
  if (q.data === undefined) return { ignored: 'callback_query without data (game)' };
  return {
    callbackQueryId: q.id,
    events: [
      {
        type: 'button',
        channel: CHANNEL,
        eventId: `cb:${q.id}`,
        thread: threadOf(q.message.chat, q.message.message_thread_id),
        sender: participantOf(q.from),
        at: Date.now(),
        data: q.data,
        platformMessageId: String(q.message.message_id),
      },
    ],
  };
}

/**
 * Joins and leaves arrive as service messages too, so only renames are taken from
 * chat_member; taking both would report every join twice.
 */
function fromMemberChange(u: TgChatMemberUpdated, updateId: number): Outcome {
  const before = u.old_chat_member.user;
  const after = u.new_chat_member.user;
  const renamed =
    before.username !== after.username ||
    before.first_name !== after.first_name ||
    before.last_name !== after.last_name;
  if (!renamed) return { ignored: 'chat_member status change (joins and leaves come as messages)' };
  const previous: { handle?: string; displayName?: string } = { displayName: displayNameOf(before) };
  if (before.username !== undefined) previous.handle = `@${before.username}`;
  return {
    events: [
      {
        type: 'member',
        channel: CHANNEL,
        eventId: `member:${updateId}`,
        thread: threadOf(u.chat, undefined),
        sender: participantOf(after),
        at: u.date * 1000,
        change: 'renamed',
        previous,
      },
    ],
  };
}

/**
 * The bot's own membership changed. In a private chat, "kicked" is the user blocking the
 * bot and "member" the user restarting it; in a group, "left" or "kicked" is the bot
 * removed. The reasons are those delivery records when a send is refused for the same cause.
 */
function fromBotStanding(u: TgChatMemberUpdated, updateId: number, bot: BotIdentity): Outcome {
  if (u.new_chat_member.user.id !== bot.id) return { ignored: 'my_chat_member about another bot' };
  const status = u.new_chat_member.status;
  if (status === 'restricted') return { ignored: 'bot restricted (a refused send will tell)' };
  const gone = status === 'left' || status === 'kicked';
  return {
    events: [
      {
        type: 'reachability',
        channel: CHANNEL,
        eventId: `standing:${updateId}`,
        thread: threadOf(u.chat, undefined),
        sender: participantOf(u.from),
        at: u.date * 1000,
        unreachable: gone ? (u.chat.type === 'private' ? 'blocked' : 'chat-gone') : null,
      },
    ],
  };
}

function threadOf(chat: TgChat, topicId: number | undefined): Thread {
  const thread: Thread = {
    key: topicId === undefined ? String(chat.id) : `${chat.id}:${topicId}`,
    kind: chat.type === 'private' ? 'private' : topicId === undefined ? 'group' : 'thread',
  };
  if (chat.title !== undefined) thread.title = chat.title;
  return thread;
}

function displayNameOf(user: TgUser): string {
  return [user.first_name, user.last_name].filter((p) => p !== undefined && p !== '').join(' ');
}

function participantOf(user: TgUser): Participant {
  const participant: Participant = {
    channel: CHANNEL,
    userId: String(user.id),
    displayName: displayNameOf(user),
  };
  if (user.username !== undefined) participant.handle = `@${user.username}`;
  const language = Language.safeParse(user.language_code);
  if (language.success) participant.language = language.data;
  if (user.is_bot) participant.isBot = true;
  return participant;
}

/** Anonymous admins and channels speak as a chat rather than a user. */
function senderOf(m: TgMessage): Participant | undefined {
  if (m.sender_chat) {
    const participant: Participant = { channel: CHANNEL, userId: String(m.sender_chat.id) };
    if (m.sender_chat.title !== undefined) participant.displayName = m.sender_chat.title;
    if (m.sender_chat.username !== undefined) participant.handle = `@${m.sender_chat.username}`;
    return participant;
  }
  return m.from ? participantOf(m.from) : undefined;
}

function forwardedFrom(origin: TgForwardOrigin): Partial<Participant> {
  switch (origin.type) {
    case 'user':
      return participantOf(origin.sender_user);
    case 'hidden_user':
      return { channel: CHANNEL, displayName: origin.sender_user_name };
    case 'chat':
    case 'channel': {
      const chat = origin.type === 'chat' ? origin.sender_chat : origin.chat;
      const from: Partial<Participant> = { channel: CHANNEL, userId: String(chat.id) };
      if (chat.title !== undefined) from.displayName = chat.title;
      if (chat.username !== undefined) from.handle = `@${chat.username}`;
      return from;
    }
  }
}

function isAddressedToBot(m: TgMessage, bot: BotIdentity): boolean {
  if (m.reply_to_message?.from?.id === bot.id) return true;
  const text = m.text ?? m.caption ?? '';
  const entities: TgEntity[] = m.entities ?? m.caption_entities ?? [];
  const name = bot.username.toLowerCase();
  return entities.some((e) => {
    const value = text.slice(e.offset, e.offset + e.length).toLowerCase();
    if (e.type === 'mention') return value === `@${name}`;
    if (e.type === 'text_mention') return e.user?.id === bot.id;
    if (e.type === 'bot_command' && e.offset === 0) {
      const at = value.indexOf('@');
      return at === -1 || value.slice(at + 1) === name;
    }
    return false;
  });
}

function attachmentsOf(m: TgMessage): Attachment[] {
  const out: Attachment[] = [];
  const file = (
    type: Attachment['type'],
    f: {
      file_id: string;
      file_size?: number | undefined;
      mime_type?: string | undefined;
      file_name?: string | undefined;
    },
    fallbackMime?: string,
  ): Attachment => {
    const a: Attachment = { type, fileId: f.file_id };
    if (f.file_size !== undefined) a.size = f.file_size;
    const mime = f.mime_type ?? fallbackMime;
    if (mime !== undefined) a.mimeType = mime;
    if (f.file_name !== undefined) a.name = f.file_name;
    return a;
  };
  if (m.photo && m.photo.length > 0) {
    const largest = m.photo.reduce((best, p) => (p.width * p.height > best.width * best.height ? p : best));
    // Telegram re-encodes every photo as JPEG and sends no mime type for them.
    out.push(file('photo', largest, 'image/jpeg'));
  }
  if (m.document) out.push(file('document', m.document));
  if (m.voice) out.push(file('voice', m.voice));
  if (m.video) out.push(file('video', m.video));
  if (m.audio) out.push(file('audio', m.audio));
  if (m.sticker) {
    const sticker = file('sticker', m.sticker);
    if (m.sticker.emoji !== undefined) sticker.details = { emoji: m.sticker.emoji };
    out.push(sticker);
  }
  if (m.location) {
    out.push({
      type: 'location',
      details: { latitude: String(m.location.latitude), longitude: String(m.location.longitude) },
    });
  }
  if (m.contact) {
    const details: Record<string, string> = { phone: m.contact.phone_number, name: m.contact.first_name };
    if (m.contact.user_id !== undefined) details.userId = String(m.contact.user_id);
    out.push({ type: 'contact', details });
  }
  return out;
}
