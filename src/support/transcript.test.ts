import { describe, expect, it } from 'vitest';
import type { Message } from '../core/model.ts';
import { Templates } from './templates.ts';
import { transcriptChunks } from './transcript.ts';

const t = Templates.load('config/templates', { defaultLanguage: 'en' });
const at = Date.parse('2026-11-21T06:30:00Z');

function message(seq: number, kind: Message['author']['kind'], text: string, note = false): Message {
  return {
    id: `c1.${seq}`,
    conversationId: 'c1',
    seq,
    channel: 'telegram',
    direction: kind === 'user' ? 'in' : 'out',
    author: { kind, id: kind },
    text,
    attachments: [],
    entities: [],
    edits: [],
    redactions: [],
    ...(note ? { note: true } : {}),
    createdAt: at + seq * 60_000,
  };
}

const messages = [
  message(1, 'user', 'my withdrawal has not arrived'),
  message(2, 'bot', 'Here is what to check…'),
  message(3, 'system', 'assigned to Alice'),
  message(4, 'agent', 'internal: check the hot wallet', true),
  message(5, 'agent', 'It was sent, here is the hash.'),
];

describe('transcriptChunks', () => {
  it('lists user, bot and agent messages in the user language and zone, never notes', () => {
    const [text, ...rest] = transcriptChunks(
      t,
      { ticket: 'EX-000042', messages, timeZone: 'Asia/Singapore' },
      'en',
    );
    expect(rest).toEqual([]);
    expect(text).toContain('Transcript of ticket EX-000042 (3 messages)');
    expect(text).toContain('14:31] You: my withdrawal has not arrived');
    expect(text).toContain('Bot: Here is what to check…');
    expect(text).toContain('Agent: It was sent, here is the hash.');
    expect(text).not.toContain('hot wallet');
    expect(text).not.toContain('assigned');
    const zh = transcriptChunks(t, { ticket: 'EX-000042', messages, timeZone: 'Asia/Singapore' }, 'zh')[0];
    expect(zh).toContain('您：my withdrawal has not arrived');
  });

  it('splits long transcripts into chunks that fit', () => {
    const many = Array.from({ length: 200 }, (_, i) =>
      message(i + 1, 'user', `message number ${i} `.repeat(5)),
    );
    const chunks = transcriptChunks(
      t,
      { ticket: 'EX-1', messages: many, timeZone: 'UTC', maxChars: 1000 },
      'en',
    );
    expect(chunks.length).toBeGreaterThan(10);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(1000);
    expect(chunks.join('\n').match(/message number 199/g)?.length).toBe(5);
  });
});
