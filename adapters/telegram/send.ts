/**
 * Outbound commands → Bot API calls. Texts go out as plain text (no parse_mode), so
 * nothing a user typed and an agent quoted can break formatting or inject links.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Telegram, TelegramError } from 'telegraf';
import type { z } from 'zod';
import type { SendResult } from '../../src/core/channel.ts';
import { DeliveryError } from '../../src/core/errors.ts';
import type { ButtonRows, OutboundCommand } from '../../src/core/model.ts';
import { toDeliveryError } from './errors.ts';

export const MAX_MESSAGE = 4096;
/** Telegram reads an until_date under 30 s away as "forever"; never send one. */
const MIN_RESTRICT_SECONDS = 35;
const LATER_PART_ATTEMPTS = 3;

export interface SendContext {
  telegram: Telegram;
  token: string;
  splitIntervalMs: number;
}

export interface ChatTarget {
  chatId: number;
  topicId?: number;
}

/** Thread keys are `<chat id>` or `<chat id>:<forum topic id>` (see normalize.ts). */
export function parseThreadKey(key: string): ChatTarget {
  const match = /^(-?\d{1,20})(?::(\d{1,20}))?$/.exec(key);
  const chatId = Number(match?.[1]);
  if (!match || !Number.isSafeInteger(chatId)) {
    throw new DeliveryError(
      'permanent',
      'invalid',
      `telegram: thread key ${JSON.stringify(key)} is not a chat id`,
    );
  }
  return match[2] === undefined ? { chatId } : { chatId, topicId: Number(match[2]) };
}

/** Splits at a line or word break where one is near the limit, never inside a surrogate pair. */
export function splitText(text: string, max = MAX_MESSAGE): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = rest.lastIndexOf(' ', max);
    if (cut < max / 2) cut = max;
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut).replace(/^[\n ]/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts;
}

function keyboard(rows: z.infer<typeof ButtonRows> | undefined) {
  if (!rows) return undefined;
  return {
    inline_keyboard: rows.map((row) =>
      row.map((b) =>
        'data' in b ? { text: b.label, callback_data: b.data } : { text: b.label, url: b.url },
      ),
    ),
  };
}

function messageId(id: string): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new DeliveryError('permanent', 'invalid', `telegram: ${JSON.stringify(id)} is not a message id`);
  }
  return n;
}

export async function perform(ctx: SendContext, command: OutboundCommand): Promise<SendResult> {
  const target = parseThreadKey(command.threadKey);
  const tg = ctx.telegram;
  const call = async <T>(method: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toDeliveryError(error, method, ctx.token);
    }
  };
  const topic = target.topicId === undefined ? {} : { message_thread_id: target.topicId };

  switch (command.type) {
    case 'send':
      return await sendText(ctx, target, command);
    case 'edit': {
      const markup = keyboard(command.buttons);
      try {
        await tg.editMessageText(
          target.chatId,
          messageId(command.platformMessageId),
          undefined,
          // A message holds one part; an edit cannot add more, so it keeps the first.
          splitText(command.text)[0] ?? command.text,
          markup ? { reply_markup: markup } : {},
        );
      } catch (error) {
        // A retried edit that already landed is a success, not a failure.
        if (!isTelegramDescription(error, 'message is not modified'))
          throw toDeliveryError(error, 'editMessageText', ctx.token);
      }
      return { platformMessageId: command.platformMessageId };
    }
    case 'delete':
      try {
        await tg.deleteMessage(target.chatId, messageId(command.platformMessageId));
      } catch (error) {
        if (!isTelegramDescription(error, 'message to delete not found'))
          throw toDeliveryError(error, 'deleteMessage', ctx.token);
      }
      return {};
    case 'typing':
      await call('sendChatAction', () => tg.sendChatAction(target.chatId, 'typing', topic));
      return {};
    case 'timeout': {
      const userId = Number(command.userId);
      if (!Number.isSafeInteger(userId)) {
        throw new DeliveryError(
          'permanent',
          'invalid',
          `telegram: ${JSON.stringify(command.userId)} is not a user id`,
        );
      }
      const seconds = Math.max(command.seconds, MIN_RESTRICT_SECONDS);
      await call('restrictChatMember', () =>
        tg.restrictChatMember(target.chatId, userId, {
          permissions: { can_send_messages: false },
          until_date: Math.floor(Date.now() / 1000) + seconds,
        }),
      );
      return {};
    }
  }
}

async function sendText(
  ctx: SendContext,
  target: ChatTarget,
  command: Extract<OutboundCommand, { type: 'send' }>,
): Promise<SendResult> {
  const parts = splitText(command.text);
  const markup = keyboard(command.buttons);
  let lastId: number | undefined;
  for (const [index, part] of parts.entries()) {
    const last = index === parts.length - 1;
    const extra = {
      ...(target.topicId === undefined ? {} : { message_thread_id: target.topicId }),
      ...(index === 0 && command.replyToPlatformId !== undefined
        ? {
            reply_parameters: {
              message_id: messageId(command.replyToPlatformId),
              allow_sending_without_reply: true,
            },
          }
        : {}),
      ...(last && markup ? { reply_markup: markup } : {}),
    };
    if (index > 0) await sleep(ctx.splitIntervalMs);
    lastId = await sendPart(ctx, target.chatId, part, extra, index > 0);
  }
  return lastId === undefined ? {} : { platformMessageId: String(lastId) };
}

/**
 * The first part fails like any command (delivery retries it). Later parts follow parts
 * already delivered, so a retry of the whole command would duplicate them: a flood wait
 * there is waited out here instead.
 */
async function sendPart(
  ctx: SendContext,
  chatId: number,
  text: string,
  extra: Parameters<Telegram['sendMessage']>[2],
  continuation: boolean,
): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const sent = await ctx.telegram.sendMessage(chatId, text, extra);
      return sent.message_id;
    } catch (error) {
      const mapped = toDeliveryError(error, 'sendMessage', ctx.token);
      if (!continuation || mapped.kind !== 'rate-limited' || attempt >= LATER_PART_ATTEMPTS) throw mapped;
      await sleep(mapped.retryAfterMs ?? 1000);
    }
  }
}

function isTelegramDescription(error: unknown, fragment: string): boolean {
  return error instanceof TelegramError && (error.description ?? '').includes(fragment);
}
