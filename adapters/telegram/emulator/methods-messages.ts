/**
 * The Bot API methods that act on chats: sending, editing, deleting, chat actions,
 * callback answers and restrictions. Sends pass the flood limits first.
 */
import type { z } from 'zod';
import { BotApiError, badRequest } from './errors.ts';
import { checkKeyboard, checkText, MAX_CAPTION } from './formatting.ts';
import type { MethodCall, MethodContext, MethodHandler } from './method-context.ts';
import {
  AnswerCallbackQueryParams,
  type ChatIdParam,
  DeleteMessageParams,
  describeParamError,
  EditMessageTextParams,
  type ReplyMarkup,
  RestrictChatMemberParams,
  SendChatActionParams,
  SendMediaParams,
  SendMessageParams,
} from './params.ts';
import type { TgChat, TgInlineButton, TgMessage, TgReplyMarkup } from './types.ts';

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

export function parse<T extends z.ZodType>(schema: T, params: Record<string, unknown>): z.infer<T> {
  const result = schema.safeParse(params);
  if (!result.success) throw badRequest(describeParamError(result.error));
  return result.data;
}

export function messageMethods(ctx: MethodContext): Record<string, MethodHandler> {
  const { world } = ctx;

  const resolveChat = (chatId: z.infer<typeof ChatIdParam>): { chat: TgChat; botIsAdmin: boolean } => {
    const id = typeof chatId === 'number' ? chatId : world.chatByUsername(chatId)?.id;
    if (id === undefined) throw badRequest('chat not found');
    const reach = world.reachable(id);
    if ('error' in reach) throw new BotApiError(reach.error, reach.description);
    return reach;
  };

  const admitSend = (chat: TgChat): void => {
    const refusal = ctx.flood.admit(chat.id, ctx.now());
    if (refusal) {
      throw new BotApiError(429, `Too Many Requests: retry after ${refusal.retryAfterSeconds}`, {
        retry_after: refusal.retryAfterSeconds,
      });
    }
  };

  const keyboardOf = (markup: z.infer<typeof ReplyMarkup> | undefined): TgReplyMarkup | undefined =>
    markup?.inline_keyboard ? { inline_keyboard: checkKeyboard(markup.inline_keyboard) } : undefined;

  const replyTarget = (chat: TgChat, p: z.infer<typeof SendMessageParams>): TgMessage | undefined => {
    const id = p.reply_parameters?.message_id ?? p.reply_to_message_id;
    if (id === undefined) return undefined;
    const target = world.message(chat.id, id);
    const lenient = p.reply_parameters?.allow_sending_without_reply ?? p.allow_sending_without_reply ?? false;
    if (!target && !lenient) throw badRequest('message to be replied not found');
    return target;
  };

  const deliver = (
    chat: TgChat,
    p: z.infer<typeof SendMediaParams>,
    content: Pick<TgMessage, 'text' | 'caption' | 'photo' | 'document'>,
  ): TgMessage => {
    const markup = keyboardOf(p.reply_markup);
    const replyTo = replyTarget(chat, p);
    admitSend(chat);
    const message = world.addMessage(chat, { from: world.bot, ...content });
    if (markup) message.reply_markup = markup;
    if (replyTo) message.reply_to_message = replyTo;
    if (p.message_thread_id !== undefined) message.message_thread_id = p.message_thread_id;
    const buttons: TgInlineButton[][] | undefined = markup?.inline_keyboard;
    world.record(chat.id, {
      kind: 'message',
      messageId: message.message_id,
      text: content.text ?? content.caption ?? '',
      ...(p.parse_mode !== undefined ? { parseMode: p.parse_mode } : {}),
      ...(buttons ? { buttons } : {}),
      ...(replyTo ? { replyTo: replyTo.message_id } : {}),
      ...(p.message_thread_id !== undefined ? { threadId: p.message_thread_id } : {}),
      ...(content.photo
        ? { media: 'photo' as const }
        : content.document
          ? { media: 'document' as const }
          : {}),
      at: ctx.now(),
    });
    return message;
  };

  const sendMedia = (field: 'photo' | 'document') => (call: MethodCall) => {
    const p = parse(SendMediaParams, call.params);
    const { chat } = resolveChat(p.chat_id);
    const caption = p.caption === undefined ? undefined : checkText(p.caption, p.parse_mode, MAX_CAPTION);
    const upload = call.uploads.get(field);
    const ref = call.params[field];
    let file = typeof ref === 'string' ? world.file(ref) : undefined;
    if (upload) {
      file = world.addFile(upload.bytes, {
        folder: field === 'photo' ? 'photos' : 'documents',
        ...(upload.mimeType !== undefined ? { mimeType: upload.mimeType } : {}),
        ...(upload.name !== undefined ? { name: upload.name } : {}),
      });
    }
    if (!file) throw badRequest('wrong file identifier/HTTP URL specified');
    const object = world.fileObject(file);
    const content =
      field === 'photo' ? { photo: [{ ...object, width: 800, height: 600 }] } : { document: object };
    return deliver(chat, p, { ...content, ...(caption !== undefined ? { caption } : {}) });
  };

  return {
    sendMessage(call) {
      const p = parse(SendMessageParams, call.params);
      const { chat } = resolveChat(p.chat_id);
      const text = checkText(p.text, p.parse_mode);
      return deliver(chat, p, { text });
    },

    sendPhoto: sendMedia('photo'),
    sendDocument: sendMedia('document'),

    editMessageText(call) {
      const p = parse(EditMessageTextParams, call.params);
      const { chat } = resolveChat(p.chat_id);
      const text = checkText(p.text, p.parse_mode);
      const markup = keyboardOf(p.reply_markup);
      const current = world.message(chat.id, p.message_id);
      if (!current) throw badRequest('message to edit not found');
      if (current.from?.id !== world.bot.id) throw badRequest("message can't be edited");
      if (current.text === text && JSON.stringify(current.reply_markup) === JSON.stringify(markup)) {
        throw badRequest(
          'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
        );
      }
      const edited: TgMessage = { ...current, text, edit_date: Math.floor(ctx.now() / 1000) };
      if (markup) edited.reply_markup = markup;
      else delete edited.reply_markup;
      world.replaceMessage(edited);
      world.record(chat.id, {
        kind: 'edit',
        messageId: edited.message_id,
        text,
        ...(markup ? { buttons: markup.inline_keyboard } : {}),
        at: ctx.now(),
      });
      return edited;
    },

    deleteMessage(call) {
      const p = parse(DeleteMessageParams, call.params);
      const { chat } = resolveChat(p.chat_id);
      if (!world.deleteMessage(chat.id, p.message_id)) throw badRequest('message to delete not found');
      world.record(chat.id, { kind: 'delete', messageId: p.message_id, at: ctx.now() });
      return true;
    },

    sendChatAction(call) {
      const p = parse(SendChatActionParams, call.params);
      const { chat } = resolveChat(p.chat_id);
      if (!CHAT_ACTIONS.has(p.action)) throw badRequest('wrong parameter action in request');
      world.record(chat.id, { kind: 'action', action: p.action, at: ctx.now() });
      return true;
    },

    answerCallbackQuery(call) {
      const p = parse(AnswerCallbackQueryParams, call.params);
      const query = world.callbacks.get(p.callback_query_id);
      if (!query || query.answered) {
        throw badRequest('query is too old and response timeout expired or query ID is invalid');
      }
      query.answered = {
        callbackQueryId: p.callback_query_id,
        showAlert: p.show_alert ?? false,
        at: ctx.now(),
        ...(p.text !== undefined ? { text: p.text } : {}),
      };
      world.answeredCallbacks.push(query.answered);
      world.changed();
      return true;
    },

    restrictChatMember(call) {
      const p = parse(RestrictChatMemberParams, call.params);
      const { chat, botIsAdmin } = resolveChat(p.chat_id);
      if (chat.type !== 'supergroup') throw badRequest('method is available only for supergroups');
      if (!botIsAdmin) throw badRequest('not enough rights to restrict/unrestrict chat member');
      if (!world.users.has(p.user_id)) throw badRequest('user not found');
      world.record(chat.id, {
        kind: 'restrict',
        userId: p.user_id,
        untilDate: p.until_date ?? 0,
        at: ctx.now(),
      });
      return true;
    },
  };
}
