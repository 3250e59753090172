/**
 * Method parameters as the Bot API accepts them: JSON bodies, or form fields where numbers
 * and objects arrive as strings. Each schema coerces the way Telegram does.
 */
import { z } from 'zod';

const fromString = (value: unknown): unknown => {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (/^-?\d+$/.test(trimmed)) return Number(trimmed);
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
};

/** A field that may arrive JSON-typed or as a form string. */
const form = <T extends z.ZodType>(schema: T) => z.preprocess(fromString, schema);

const int = form(z.number().int());
const bool = form(z.boolean());
export const ChatIdParam = form(z.union([z.number().int(), z.string().regex(/^@\w{1,64}$/)]));

export const InlineButton = z.object({
  text: z.string(),
  callback_data: z.string().optional(),
  url: z.string().optional(),
});

/** Only inline keyboards are modelled; other markups (reply keyboards) pass through. */
export const ReplyMarkup = form(
  z.object({ inline_keyboard: z.array(z.array(InlineButton)).optional() }).loose(),
);

const ReplyParameters = form(
  z.object({
    message_id: z.number().int(),
    chat_id: z.union([z.number().int(), z.string()]).optional(),
    allow_sending_without_reply: z.boolean().optional(),
  }),
);

const SendBase = {
  chat_id: ChatIdParam,
  message_thread_id: int.optional(),
  reply_markup: ReplyMarkup.optional(),
  reply_parameters: ReplyParameters.optional(),
  reply_to_message_id: int.optional(),
  allow_sending_without_reply: bool.optional(),
  parse_mode: z.string().optional(),
  disable_notification: bool.optional(),
};

export const SendMessageParams = z.object({ ...SendBase, text: z.string().optional() });
export const SendMediaParams = z.object({ ...SendBase, caption: z.string().optional() });

export const GetUpdatesParams = z.object({
  offset: int.default(0),
  limit: int.default(100),
  timeout: int.default(0),
  allowed_updates: form(z.array(z.string())).optional(),
});

export const SetWebhookParams = z.object({
  url: z.string(),
  secret_token: z.string().optional(),
  max_connections: int.optional(),
  allowed_updates: form(z.array(z.string())).optional(),
  drop_pending_updates: bool.optional(),
});

export const DeleteWebhookParams = z.object({ drop_pending_updates: bool.optional() });

export const EditMessageTextParams = z.object({
  chat_id: ChatIdParam,
  message_id: int,
  text: z.string().optional(),
  parse_mode: z.string().optional(),
  reply_markup: ReplyMarkup.optional(),
});

export const DeleteMessageParams = z.object({ chat_id: ChatIdParam, message_id: int });

export const AnswerCallbackQueryParams = z.object({
  callback_query_id: z.string(),
  text: z.string().optional(),
  show_alert: bool.optional(),
});

export const SendChatActionParams = z.object({
  chat_id: ChatIdParam,
  action: z.string(),
  message_thread_id: int.optional(),
});

const CommandScope = form(z.object({ type: z.string() }).loose());

export const SetMyCommandsParams = z.object({
  commands: form(z.array(z.object({ command: z.string(), description: z.string() }))),
  scope: CommandScope.optional(),
  language_code: z.string().optional(),
});

export const GetMyCommandsParams = z.object({
  scope: CommandScope.optional(),
  language_code: z.string().optional(),
});

export const GetFileParams = z.object({ file_id: z.string() });

export const RestrictChatMemberParams = z.object({
  chat_id: ChatIdParam,
  user_id: int,
  permissions: form(z.object({}).loose()),
  until_date: int.optional(),
});

/** The first problem of a failed parse, worded like Telegram's own parameter errors. */
export function describeParamError(error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue?.path[0];
  if (typeof field !== 'string') return 'invalid parameters';
  if (issue?.code === 'invalid_type' && issue.input === undefined) return `${field} is empty`;
  return `field "${field}" is invalid`;
}
