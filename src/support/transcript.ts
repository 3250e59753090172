/**
 * `/transcript`: the user's copy of their conversation, from stored messages (already
 * redacted by the trust layer when they were stored), in their language and time zone.
 * Agents' private notes and system entries are never included. Long transcripts are
 * split into chunks that fit a platform message.
 */
import type { Message } from '../core/model.ts';
import type { Templates } from './templates.ts';

export interface TranscriptInput {
  ticket: string;
  messages: readonly Message[];
  timeZone: string;
  /** Largest chunk to send (Telegram allows 4096 characters per message). */
  maxChars?: number;
}

export function transcriptChunks(t: Templates, input: TranscriptInput, language: string): string[] {
  const time = new Intl.DateTimeFormat(language, {
    timeZone: input.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const shown = input.messages.filter((m) => !m.note && m.author.kind !== 'system');
  const lines = shown.map((m) =>
    t.render('transcript.line', language, {
      time: time.format(m.createdAt),
      author: t.render(
        m.author.kind === 'user'
          ? 'transcript.author.user'
          : m.author.kind === 'agent'
            ? 'transcript.author.agent'
            : 'transcript.author.bot',
        language,
      ),
      text: m.text,
    }),
  );
  const max = input.maxChars ?? 4000;
  const chunks: string[] = [];
  let current = t.render('transcript.intro', language, { ticket: input.ticket, count: shown.length });
  for (const line of lines) {
    for (const piece of splitLong(line, max)) {
      if (current.length + 1 + piece.length > max) {
        chunks.push(current);
        current = piece;
      } else {
        current = current ? `${current}\n${piece}` : piece;
      }
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

function splitLong(line: string, max: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < line.length; i += max) out.push(line.slice(i, i + max));
  return out;
}
