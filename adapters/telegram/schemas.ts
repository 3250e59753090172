/**
 * The subset of the Bot API's Update that Verity reads, as zod schemas. Unknown fields are
 * stripped; a field we read that has the wrong shape fails the parse, so nothing
 * downstream ever sees a cast.
 */
import { z } from 'zod';
import { MAX_TEXT_LENGTH } from '../../src/core/model.ts';

const Id = z.number().int();

export const TgUser = z.object({
  id: Id,
  is_bot: z.boolean(),
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});
export type TgUser = z.infer<typeof TgUser>;

export const TgChat = z.object({
  id: Id,
  type: z.enum(['private', 'group', 'supergroup', 'channel']),
  title: z.string().optional(),
  username: z.string().optional(),
  is_forum: z.boolean().optional(),
});
export type TgChat = z.infer<typeof TgChat>;

const Entity = z.object({
  type: z.string(),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  user: TgUser.optional(),
});
export type TgEntity = z.infer<typeof Entity>;

const FileFields = {
  file_id: z.string().min(1),
  file_size: z.number().int().nonnegative().optional(),
  mime_type: z.string().optional(),
  file_name: z.string().optional(),
};
const TgFile = z.object(FileFields);
const PhotoSize = z.object({ ...FileFields, width: z.number().int(), height: z.number().int() });

const ForwardOrigin = z.discriminatedUnion('type', [
  z.object({ type: z.literal('user'), sender_user: TgUser }),
  z.object({ type: z.literal('hidden_user'), sender_user_name: z.string() }),
  z.object({ type: z.literal('chat'), sender_chat: TgChat }),
  z.object({ type: z.literal('channel'), chat: TgChat }),
]);
export type TgForwardOrigin = z.infer<typeof ForwardOrigin>;

export const TgMessage = z.object({
  message_id: Id,
  message_thread_id: Id.optional(),
  is_topic_message: z.boolean().optional(),
  from: TgUser.optional(),
  sender_chat: TgChat.optional(),
  chat: TgChat,
  date: z.number().int().nonnegative(),
  edit_date: z.number().int().nonnegative().optional(),
  text: z.string().max(MAX_TEXT_LENGTH).optional(),
  caption: z.string().max(MAX_TEXT_LENGTH).optional(),
  entities: z.array(Entity).optional(),
  caption_entities: z.array(Entity).optional(),
  reply_to_message: z.object({ message_id: Id, from: TgUser.optional() }).optional(),
  forward_origin: ForwardOrigin.optional(),
  media_group_id: z.string().optional(),
  photo: z.array(PhotoSize).optional(),
  document: TgFile.optional(),
  voice: TgFile.optional(),
  video: TgFile.optional(),
  audio: TgFile.optional(),
  sticker: TgFile.extend({ emoji: z.string().optional() }).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number() }).optional(),
  contact: z.object({ phone_number: z.string(), first_name: z.string(), user_id: Id.optional() }).optional(),
  new_chat_members: z.array(TgUser).optional(),
  left_chat_member: TgUser.optional(),
});
export type TgMessage = z.infer<typeof TgMessage>;

export const TgEditedMessage = TgMessage.extend({ edit_date: z.number().int().nonnegative() });

export const TgCallbackQuery = z.object({
  id: z.string().min(1),
  from: TgUser,
  /** Absent for presses on inline-mode messages, which Verity does not send. */
  message: z.object({ message_id: Id, chat: TgChat, message_thread_id: Id.optional() }).optional(),
  data: z.string().optional(),
});
export type TgCallbackQuery = z.infer<typeof TgCallbackQuery>;

const MemberState = z.object({
  status: z.enum(['creator', 'administrator', 'member', 'restricted', 'left', 'kicked']),
  user: TgUser,
});

export const TgChatMemberUpdated = z.object({
  chat: TgChat,
  from: TgUser,
  date: z.number().int().nonnegative(),
  old_chat_member: MemberState,
  new_chat_member: MemberState,
});
export type TgChatMemberUpdated = z.infer<typeof TgChatMemberUpdated>;

/** Just enough to know which update this is; the payload is parsed by kind. */
export const UpdateEnvelope = z.object({ update_id: z.number().int().nonnegative() }).loose();
