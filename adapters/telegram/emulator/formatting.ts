/**
 * The checks Telegram makes on a text and its keyboard before accepting them, with its
 * own error descriptions, so a formatting mistake fails here as it would in production.
 */
import { badRequest } from './errors.ts';
import type { TgInlineButton } from './types.ts';

export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;

const HTML_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'span',
  'tg-spoiler',
  'tg-emoji',
  'blockquote',
]);

/** Characters MarkdownV2 reserves that never open an entity, so an unescaped one is always an error. */
const MARKDOWN_V2_LONE = new Set(['.', '!', '-', '#', '+', '=', '|', '{', '}', '>']);

export function checkText(text: string | undefined, parseMode: string | undefined, max = MAX_TEXT): string {
  if (text === undefined || text.trim().length === 0) throw badRequest('message text is empty');
  if (text.length > max)
    throw badRequest(max === MAX_TEXT ? 'message is too long' : 'message caption is too long');
  if (parseMode !== undefined && parseMode !== '') checkEntities(text, parseMode);
  return text;
}

function checkEntities(text: string, parseMode: string): void {
  switch (parseMode) {
    case 'HTML':
      for (const match of text.matchAll(/<\/?([A-Za-z][\w-]*)/g)) {
        const tag = (match[1] ?? '').toLowerCase();
        if (!HTML_TAGS.has(tag)) {
          throw badRequest(
            `can't parse entities: Unsupported start tag "${tag}" at byte offset ${byteOffset(text, match.index)}`,
          );
        }
      }
      return;
    case 'MarkdownV2':
      for (let i = 0; i < text.length; i++) {
        const ch = text[i] ?? '';
        if (ch === '\\') {
          i++;
          continue;
        }
        if (MARKDOWN_V2_LONE.has(ch)) {
          throw badRequest(
            `can't parse entities: Character '${ch}' is reserved and must be escaped with the preceding '\\'`,
          );
        }
      }
      return;
    case 'Markdown':
      for (const marker of ['*', '_', '`']) {
        const positions = [...text].flatMap((ch, i) => (ch === marker ? [i] : []));
        const last = positions[positions.length - 1];
        if (positions.length % 2 === 1 && last !== undefined) {
          throw badRequest(
            `can't parse entities: Can't find end of the entity starting at byte offset ${last}`,
          );
        }
      }
      return;
    default:
      throw badRequest('unsupported parse_mode');
  }
}

function byteOffset(text: string, index: number): number {
  return Buffer.byteLength(text.slice(0, index), 'utf8');
}

export function checkKeyboard(rows: TgInlineButton[][]): TgInlineButton[][] {
  for (const row of rows) {
    for (const button of row) {
      if (button.text.length === 0) throw badRequest('text buttons are unallowed in the inline keyboard');
      if (button.callback_data !== undefined) {
        const bytes = Buffer.byteLength(button.callback_data, 'utf8');
        if (bytes === 0 || bytes > 64) throw badRequest('BUTTON_DATA_INVALID');
      } else if (button.url !== undefined) {
        if (!/^(https?|tg):\/\/\S+$/.test(button.url)) {
          throw badRequest(`inline keyboard button URL '${button.url}' is invalid: Wrong HTTP URL`);
        }
      } else {
        throw badRequest(
          "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard",
        );
      }
    }
  }
  return rows;
}
