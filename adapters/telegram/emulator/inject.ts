/**
 * Builds what users do (messages, media, presses, edits, joins, renames) into the
 * updates Telegram would deliver, storing the messages so the bot can reply to them.
 */
import type { MemberStatus, TgChat, TgEntity, TgMessage, TgUser } from './types.ts';
import type { World } from './world.ts';

export type MediaKind = 'photo' | 'document' | 'voice' | 'video' | 'audio' | 'sticker';

export interface MediaInput {
  kind: MediaKind;
  bytes?: Buffer;
  mimeType?: string;
  name?: string;
}

export interface MessageInput {
  text?: string;
  caption?: string;
  media?: MediaInput;
  replyTo?: number;
  threadId?: number;
  forwardFrom?: TgUser;
  /** A forward from a user who hides their account: only a name is known. */
  forwardSenderName?: string;
  /** Makes the message one part of an album: Telegram sends each part as its own message. */
  mediaGroupId?: string;
}

const DEFAULT_MIME: Record<MediaKind, string> = {
  photo: 'image/jpeg',
  document: 'application/pdf',
  voice: 'audio/ogg',
  video: 'video/mp4',
  audio: 'audio/mpeg',
  sticker: 'image/webp',
};

/** Telegram's own entity detection for the two kinds a bot routes on. */
export function detectEntities(text: string): TgEntity[] {
  const entities: TgEntity[] = [];
  const command = /^\/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?/.exec(text);
  if (command) entities.push({ type: 'bot_command', offset: 0, length: command[0].length });
  for (const match of text.matchAll(/(^|[^\w@])(@[A-Za-z][A-Za-z0-9_]{3,31})/g)) {
    const offset = match.index + (match[1]?.length ?? 0);
    entities.push({ type: 'mention', offset, length: match[2]?.length ?? 0 });
  }
  return entities;
}

export function buildMessage(world: World, chat: TgChat, from: TgUser, input: MessageInput): TgMessage {
  const fields: Omit<TgMessage, 'message_id' | 'chat' | 'date'> = { from };
  if (input.text !== undefined) {
    fields.text = input.text;
    const entities = detectEntities(input.text);
    if (entities.length > 0) fields.entities = entities;
  }
  if (input.caption !== undefined) fields.caption = input.caption;
  if (input.media) attachMedia(world, fields, input.media);
  if (input.mediaGroupId !== undefined) fields.media_group_id = input.mediaGroupId;
  if (input.replyTo !== undefined) {
    const target = world.message(chat.id, input.replyTo);
    if (target) fields.reply_to_message = target;
  }
  if (input.threadId !== undefined) {
    fields.message_thread_id = input.threadId;
    fields.is_topic_message = true;
  }
  const date = Math.floor(Date.now() / 1000);
  if (input.forwardFrom) {
    fields.forward_origin = { type: 'user', date, sender_user: input.forwardFrom };
  } else if (input.forwardSenderName !== undefined) {
    fields.forward_origin = { type: 'hidden_user', date, sender_user_name: input.forwardSenderName };
  }
  return world.addMessage(chat, fields);
}

function attachMedia(
  world: World,
  fields: Omit<TgMessage, 'message_id' | 'chat' | 'date'>,
  media: MediaInput,
): void {
  const mimeType = media.mimeType ?? DEFAULT_MIME[media.kind];
  const file = world.addFile(media.bytes ?? Buffer.from(`${media.kind} bytes`), {
    mimeType,
    folder: media.kind === 'photo' ? 'photos' : `${media.kind}s`,
    ...(media.name !== undefined ? { name: media.name } : {}),
  });
  const object = world.fileObject(file);
  switch (media.kind) {
    case 'photo': {
      // Telegram sends every size it made; the last is the largest.
      const small = world.addFile(Buffer.from('thumbnail'), { mimeType, folder: 'photos' });
      fields.photo = [
        { ...world.fileObject(small), width: 90, height: 67 },
        { ...object, width: 1280, height: 960 },
      ];
      return;
    }
    case 'sticker':
      fields.sticker = { ...object, emoji: '🙂' };
      return;
    case 'voice':
    case 'video':
    case 'audio':
      fields[media.kind] = { ...object, duration: 3 };
      return;
    case 'document':
      fields.document = object;
      return;
  }
}

/** Telegram never repeats an edit_date for one message, so edits stay distinguishable. */
export function nextEditDate(previous: number | undefined): number {
  const now = Math.floor(Date.now() / 1000);
  return previous !== undefined && previous >= now ? previous + 1 : now;
}

/** The bot's own membership of `chat` changed, by `from`'s doing (my_chat_member). */
export function botMemberUpdate(
  chat: TgChat,
  from: TgUser,
  bot: TgUser,
  before: MemberStatus,
  after: MemberStatus,
): Record<string, unknown> {
  return {
    my_chat_member: {
      chat,
      from,
      date: Math.floor(Date.now() / 1000),
      old_chat_member: { status: before, user: bot },
      new_chat_member: { status: after, user: bot, ...(after === 'kicked' ? { until_date: 0 } : {}) },
    },
  };
}

export function chatMemberUpdate(chat: TgChat, before: TgUser, after: TgUser): Record<string, unknown> {
  return {
    chat_member: {
      chat,
      from: after,
      date: Math.floor(Date.now() / 1000),
      old_chat_member: { status: 'member', user: before },
      new_chat_member: { status: 'member', user: after },
    },
  };
}
