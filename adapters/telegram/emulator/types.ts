/**
 * The Bot API objects the emulator produces, as far as it produces them. Field names are
 * Telegram's own (snake_case) because these shapes go over the wire unchanged.
 */

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export type ChatType = 'private' | 'group' | 'supergroup';

export interface TgChat {
  id: number;
  type: ChatType;
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
  is_forum?: boolean;
}

export interface TgEntity {
  type: string;
  offset: number;
  length: number;
}

export interface TgInlineButton {
  text: string;
  callback_data?: string | undefined;
  url?: string | undefined;
}

export interface TgReplyMarkup {
  inline_keyboard: TgInlineButton[][];
}

export interface TgPhotoSize {
  file_id: string;
  file_unique_id: string;
  width: number;
  height: number;
  file_size?: number;
}

export interface TgFileObject {
  file_id: string;
  file_unique_id: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
  duration?: number;
}

/** A message as the emulator stores and serves it; media fields stay open-ended. */
export interface TgMessage {
  message_id: number;
  message_thread_id?: number;
  from?: TgUser;
  chat: TgChat;
  date: number;
  edit_date?: number;
  text?: string;
  caption?: string;
  entities?: TgEntity[];
  reply_markup?: TgReplyMarkup;
  reply_to_message?: TgMessage;
  forward_origin?: Record<string, unknown>;
  media_group_id?: string;
  photo?: TgPhotoSize[];
  document?: TgFileObject;
  voice?: TgFileObject;
  video?: TgFileObject;
  audio?: TgFileObject;
  sticker?: TgFileObject & { emoji?: string };
  new_chat_members?: TgUser[];
  is_topic_message?: boolean;
}

export type MemberStatus = 'creator' | 'administrator' | 'member' | 'restricted' | 'left' | 'kicked';

export interface TgChatMember {
  status: MemberStatus;
  user: TgUser;
}

/** An update is an id plus exactly one payload; `raw` updates (fuzzing) may be anything. */
export type TgUpdate = { update_id: number } & Record<string, unknown>;

export interface RateLimitRule {
  count: number;
  windowMs: number;
}

/** The same shape as Verity's `LimitConfig`, so one configuration can drive both. */
export interface EmulatorLimits {
  perSecond: number;
  perChat: RateLimitRule;
  perGroup?: RateLimitRule;
  /**
   * How much earlier than a full window a send may arrive and still count as spaced:
   * network jitter between a correctly paced sender and this server.
   */
  toleranceMs: number;
}

export type LimitKind = 'bot' | 'chat' | 'group';

/** What the bot did to a chat, in order; tests and the sandbox read this. */
export type SentEntry =
  | {
      kind: 'message';
      messageId: number;
      text: string;
      parseMode?: string;
      buttons?: TgInlineButton[][];
      replyTo?: number;
      threadId?: number;
      media?: 'photo' | 'document';
      at: number;
    }
  | { kind: 'edit'; messageId: number; text: string; buttons?: TgInlineButton[][]; at: number }
  | { kind: 'delete'; messageId: number; at: number }
  | { kind: 'action'; action: string; at: number }
  | { kind: 'restrict'; userId: number; untilDate: number; at: number };

export interface AnsweredCallback {
  callbackQueryId: string;
  text?: string;
  showAlert: boolean;
  at: number;
}

export interface ScriptedFailure {
  error_code: number;
  description: string;
  parameters?: Record<string, unknown>;
}
