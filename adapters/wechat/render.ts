/**
 * Outbound text for WeChat: customer-service messages have no inline buttons, so buttons
 * become numbered options (URL buttons show their link), and texts over WeChat's byte
 * limit are split at paragraph, line or word boundaries, never inside a character.
 */
import type { OutboundCommand } from '../../src/core/model.ts';

type OutboundSend = Extract<OutboundCommand, { type: 'send' }>;

const STYLE_PREFIX: Record<OutboundSend['style'], string> = {
  plain: '',
  verification: '✅ ',
  warning: '⚠️ ',
};

export function renderSend(command: OutboundSend): string {
  const lines = [`${STYLE_PREFIX[command.style]}${command.text}`];
  const buttons = (command.buttons ?? []).flat();
  if (buttons.length > 0) {
    lines.push('');
    let n = 0;
    for (const button of buttons) {
      lines.push('url' in button ? `${button.label}: ${button.url}` : `${++n}. ${button.label}`);
    }
  }
  return lines.join('\n');
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export function splitByBytes(text: string, maxBytes: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (bytes(rest) > maxBytes) {
    const chars = Array.from(rest);
    let size = 0;
    let fit = 0;
    while (fit < chars.length && size + bytes(chars[fit] ?? '') <= maxBytes)
      size += bytes(chars[fit++] ?? '');
    const head = chars.slice(0, fit).join('');
    const minCut = Math.floor(head.length / 2);
    const cut = [head.lastIndexOf('\n\n'), head.lastIndexOf('\n'), head.lastIndexOf(' ')].find(
      (i) => i >= minCut,
    );
    const piece = cut === undefined ? head : head.slice(0, cut);
    parts.push(piece.trimEnd());
    rest = rest.slice(piece.length).replace(/^\s+/, '');
  }
  if (rest.length > 0 || parts.length === 0) parts.push(rest);
  return parts.filter((p) => p.length > 0);
}
