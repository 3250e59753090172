/**
 * Thousands of malformed, unexpected and merely odd updates through the real telegraf
 * client and the emulator. The adapter must not crash or stall, must log every bad update
 * with its reason, and must deliver every good and odd-but-valid update around them.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { TelegramAdapter } from './adapter.ts';
import { startTelegramEmulator, type TelegramEmulator } from './emulator/emulator.ts';
import { capturingLogger, RecordingSink } from './testing.ts';

const TOTAL = 3000;

/** mulberry32: a seeded generator, so a failure can be replayed. */
function rng(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(items.length)];
    if (item === undefined) throw new Error('empty choice');
    return item;
  };
  return { next, int, pick };
}

const ODD_TEXTS = [
  '\u202Eevil.com/\u202C moc.elpmaxe',
  'e\u0301'.repeat(500),
  'zero\u200Bwidth\u200Djoin\uFEFF',
  '👨‍👩‍👧‍👦🏳️‍🌈'.repeat(200),
  'nul\u0000byte',
  'lone \uD800 surrogate',
  'x'.repeat(4096),
  '𝓔𝔁𝓪𝓶𝓹𝓵𝓮 𝓢𝓾𝓹𝓹𝓸𝓻𝓽',
  '   ',
];

const GARBAGE: readonly unknown[] = [
  null,
  0,
  -1,
  1.5,
  '',
  'text',
  true,
  [],
  [null],
  {},
  { a: { b: { c: null } } },
  1e300,
];

let emu: TelegramEmulator;
let adapter: TelegramAdapter;
let sink: RecordingSink;
let log: ReturnType<typeof capturingLogger>;

beforeEach(async () => {
  emu = await startTelegramEmulator();
  log = capturingLogger('debug');
  sink = new RecordingSink();
  adapter = new TelegramAdapter({
    token: emu.token,
    logger: log.logger,
    settings: { apiRoot: emu.apiRoot, polling: { timeoutSeconds: 1 } },
  });
});
afterEach(async () => {
  await adapter.stop();
  await emu.close();
});

it('survives thousands of malformed updates, logs each with its reason, and loses no good one', async () => {
  const r = rng(0x5eed);
  const user = emu.addUser({ first_name: 'Fuzz', username: 'fuzzer' });
  const group = emu.addGroup({ title: 'Fuzz group' });
  const chat = { id: user.id, type: 'private', first_name: 'Fuzz' };
  const from = { id: user.id, is_bot: false, first_name: 'Fuzz' };
  let nextMessageId = 1_000_000;
  const baseMessage = () => ({ message_id: nextMessageId++, date: 1_700_000_000, chat, from, text: 'base' });

  const mutilate = (): Record<string, unknown> => {
    const m: Record<string, unknown> = baseMessage();
    const field = r.pick([
      'message_id',
      'date',
      'chat',
      'from',
      'text',
      'entities',
      'photo',
      'forward_origin',
    ]);
    const variant = r.int(3);
    if (variant === 0 && ['message_id', 'date', 'chat'].includes(field)) delete m[field];
    else if (field === 'chat')
      m.chat = r.pick([{ id: 'x', type: 'private' }, { id: 1, type: 'bogus' }, null, []]);
    else if (field === 'from')
      m.from = r.pick([{ id: '1' }, { id: 1, is_bot: 'no', first_name: 'a' }, 5, []]);
    else if (field === 'text') m.text = r.pick([42, null, ['a'], { t: 1 }, 'x'.repeat(70_000)]);
    else if (field === 'entities')
      m.entities = r.pick(['x', [{ type: 'mention', offset: -1, length: 2 }], [null]]);
    else if (field === 'photo')
      m.photo = r.pick([[{ file_id: 5 }], [{ file_id: 'a', width: 'w', height: 1 }], {}]);
    else if (field === 'forward_origin')
      m.forward_origin = r.pick([{ type: 'alien' }, { type: 'user' }, 'me']);
    else m[field] = r.pick([null, 'str', -5.5, { nested: [null] }]);
    return m;
  };

  const bad: ((i: number) => Record<string, unknown>)[] = [
    (i) => ({ [`kind_${i % 17}`]: r.pick(GARBAGE) }),
    () => ({}),
    () => ({ message: r.pick(GARBAGE) }),
    () => ({ message: mutilate() }),
    () => ({ edited_message: baseMessage() }),
    () => ({ callback_query: r.pick([{ id: 'q' }, { from, data: 'x' }, { id: 7, from, data: 'x' }]) }),
    () => ({
      chat_member: {
        chat: { id: group.id, type: 'supergroup' },
        from,
        date: 1,
        old_chat_member: { status: 'member' },
      },
    }),
    () => ({ message: { ...baseMessage(), chat: { id: -100, type: 'channel' } } }),
    () => ({ message: { ...baseMessage(), text: undefined, pinned_message: { message_id: 1 } } }),
    () => ({ message: { ...baseMessage(), new_chat_members: 'everyone' } }),
  ];

  /** Odd but valid: stored unless the text is blank (Telegram never sends those; nothing to store). */
  const odd: (() => { payload: Record<string, unknown>; messageId: number; text: string })[] = [
    () => {
      const m = { ...baseMessage(), text: r.pick(ODD_TEXTS) };
      return { payload: { message: m }, messageId: m.message_id, text: m.text };
    },
    () => {
      const m = {
        ...baseMessage(),
        unknown_field: r.pick(GARBAGE),
        from: { ...from, language_code: 'xx-INVALID_' },
      };
      return { payload: { message: m }, messageId: m.message_id, text: m.text };
    },
    () => {
      const m = { ...baseMessage(), from: { ...from, first_name: r.pick(ODD_TEXTS).slice(0, 64) } };
      return { payload: { message: m }, messageId: m.message_id, text: m.text };
    },
  ];

  const goodIds: string[] = [];
  const oddIds: string[] = [];
  const badUpdateIds: number[] = [];
  let good = 0;
  for (let i = 0; i < TOTAL; i++) {
    const roll = i % 10;
    if (roll === 0) {
      const { message } = emu.privateMessage(user, `good ${good++}`);
      goodIds.push(`${user.id}:${message.message_id}`);
    } else if (roll === 1) {
      const { payload, messageId, text } = r.pick(odd)();
      emu.injectRaw(payload);
      if (text.trim() !== '') oddIds.push(`${user.id}:${messageId}`);
    } else {
      badUpdateIds.push(emu.injectRaw(r.pick(bad)(i)).update_id);
    }
  }

  await adapter.start(sink);
  await sink.waitFor(
    (events) => (goodIds.every((id) => events.some((e) => e.eventId === id)) ? true : undefined),
    20_000,
  );
  await sink.waitFor(
    (events) => (oddIds.every((id) => events.some((e) => e.eventId === id)) ? true : undefined),
    5000,
  );
  await emu.waitFor(() => emu.stats().pendingUpdates === 0, 5000);

  const reasons = new Map<number, string>();
  for (const line of log.lines) {
    const { updateId, reason } = line;
    if (typeof updateId === 'number' && typeof reason === 'string' && reason !== '')
      reasons.set(updateId, reason);
  }
  const unexplained = badUpdateIds.filter((id) => !reasons.has(id));
  expect(unexplained).toEqual([]);
  expect(log.lines.filter((l) => l.level >= 50)).toEqual([]);
  expect(adapter.health().ok).toBe(true);

  const after = emu.privateMessage(user, 'still alive');
  await sink.waitForEvent(`${user.id}:${after.message.message_id}`);
});
