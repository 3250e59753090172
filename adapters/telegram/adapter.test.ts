import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeliveryError } from '../../src/core/errors.ts';
import type { InboundEvent, OutboundCommand } from '../../src/core/model.ts';
import { TelegramAdapter } from './adapter.ts';
import { startTelegramEmulator, type TelegramEmulator } from './emulator/emulator.ts';
import { capturingLogger, RecordingSink } from './testing.ts';

let emu: TelegramEmulator;
let adapter: TelegramAdapter;
let sink: RecordingSink;
let log: ReturnType<typeof capturingLogger>;

function makeAdapter(extra: Record<string, unknown> = {}): TelegramAdapter {
  return new TelegramAdapter({
    token: emu.token,
    logger: log.logger,
    settings: {
      apiRoot: emu.apiRoot,
      polling: { timeoutSeconds: 2 },
      ingestRetry: { initialMs: 20, maxMs: 100 },
      splitIntervalMs: 1000,
      ...extra,
    },
  });
}

beforeEach(async () => {
  emu = await startTelegramEmulator();
  log = capturingLogger();
  sink = new RecordingSink();
  adapter = makeAdapter();
});
afterEach(async () => {
  await adapter.stop();
  await emu.close();
});

const isType = <T extends InboundEvent['type']>(
  e: InboundEvent | undefined,
  type: T,
): e is Extract<InboundEvent, { type: T }> => e?.type === type;

const ofType = <T extends InboundEvent['type']>(e: InboundEvent | undefined, type: T) => {
  if (!isType(e, type)) throw new Error(`expected a ${type} event, got ${e?.type}`);
  return e;
};

const send = (
  threadKey: string,
  text: string,
  more: Partial<Extract<OutboundCommand, { type: 'send' }>> = {},
) =>
  adapter.send({
    id: `c-${Math.random()}`,
    channel: 'telegram',
    type: 'send',
    threadKey,
    text,
    style: 'plain',
    ...more,
  });

describe('receiving', () => {
  it('turns a private message into an addressed message event', async () => {
    await adapter.start(sink);
    const user = emu.addUser({
      first_name: 'Ann',
      last_name: 'Lee',
      username: 'ann',
      language_code: 'zh-hans',
    });
    const { message } = emu.privateMessage(user, 'hello, is this the real support?');
    const event = ofType(await sink.waitForEvent(`${user.id}:${message.message_id}`), 'message');
    expect(event).toMatchObject({
      channel: 'telegram',
      thread: { key: String(user.id), kind: 'private' },
      sender: { userId: String(user.id), handle: '@ann', displayName: 'Ann Lee', language: 'zh-hans' },
      text: 'hello, is this the real support?',
      addressedToBot: true,
      platformMessageId: String(message.message_id),
    });
    expect(adapter.health()).toMatchObject({ ok: true, info: { bot: '@ExampleWalletBot', mode: 'polling' } });
  });

  it('marks group messages addressed only on a mention, a reply to the bot or a command', async () => {
    await adapter.start(sink);
    const group = emu.addGroup({ title: 'Example Wallet Community' });
    const user = emu.addUser({ first_name: 'Bo' });
    const plain = emu.message(group, user, 'gm everyone');
    const mention = emu.mentionBot(group, user, 'is this link legit?');
    const command = emu.command(group, user, 'verify', '@ExampleSupport', true);
    const otherBot = emu.message(group, user, '/start@SomeOtherBot');
    emu.setLimits(false);
    const botMessage = await send(String(group.id), 'Hello group');
    const reply = emu.message(group, user, { text: 'thanks', replyTo: Number(botMessage.platformMessageId) });
    await sink.waitFor((events) => (events.length >= 5 ? events : undefined));
    const addressed = (m: { message_id: number }) =>
      ofType(
        sink.events.find((e) => e.eventId === `${group.id}:${m.message_id}`),
        'message',
      ).addressedToBot;
    expect(addressed(plain.message)).toBe(false);
    expect(addressed(mention.message)).toBe(true);
    expect(addressed(command.message)).toBe(true);
    expect(addressed(otherBot.message)).toBe(false);
    expect(addressed(reply.message)).toBe(true);
    expect(sink.events[0]?.thread).toEqual({
      key: String(group.id),
      kind: 'group',
      title: 'Example Wallet Community',
    });
  });

  it('keys forum topics by chat and topic, and reports forwards', async () => {
    await adapter.start(sink);
    const forum = emu.addGroup({ title: 'Forum', isForum: true });
    const user = emu.addUser();
    const impostor = emu.addUser({ first_name: 'Example Support', username: 'examp1e_support' });
    const { message } = emu.message(forum, user, {
      text: 'look what I got',
      threadId: 7,
      forwardFrom: impostor,
    });
    const event = ofType(await sink.waitForEvent(`${forum.id}:${message.message_id}`), 'message');
    expect(event.thread).toMatchObject({ key: `${forum.id}:7`, kind: 'thread' });
    expect(event.forwardedFrom).toMatchObject({ userId: String(impostor.id), handle: '@examp1e_support' });
  });

  it('turns a button press into a button event and answers the callback at once', async () => {
    await adapter.start(sink);
    const user = emu.addUser();
    emu.privateMessage(user, 'hi');
    const sent = await send(String(user.id), 'Was this helpful?', {
      buttons: [
        [
          { label: 'Yes', data: 'csat:yes' },
          { label: 'Docs', url: 'https://example.com/help' },
        ],
      ],
    });
    expect(emu.sentMessages(user.id)[0]?.buttons).toEqual([
      [
        { text: 'Yes', callback_data: 'csat:yes' },
        { text: 'Docs', url: 'https://example.com/help' },
      ],
    ]);
    const { queryId } = emu.pressButton(user.id, Number(sent.platformMessageId), user);
    const event = ofType(await sink.waitForEvent(`cb:${queryId}`), 'button');
    expect(event).toMatchObject({ data: 'csat:yes', platformMessageId: sent.platformMessageId });
    await emu.waitFor(() => emu.answeredCallbacks.find((c) => c.callbackQueryId === queryId));
  });

  it('reports edits with a stable event id per edit', async () => {
    await adapter.start(sink);
    const user = emu.addUser();
    const { message } = emu.privateMessage(user, 'my addres is 0xabc');
    const edited = emu.editMessage(user.id, message.message_id, 'my address is 0xabc').message;
    const editDate = edited.edit_date;
    const event = ofType(
      await sink.waitForEvent(`${user.id}:${message.message_id}:edit:${editDate}`),
      'edit',
    );
    expect(event).toMatchObject({
      text: 'my address is 0xabc',
      platformMessageId: String(message.message_id),
    });
  });

  it('carries attachments with file ids, and fetches the file', async () => {
    await adapter.start(sink);
    const user = emu.addUser();
    const bytes = Buffer.from('a screenshot of a fake airdrop');
    const { message } = emu.privateMessage(user, {
      caption: 'is this real?',
      media: { kind: 'photo', bytes },
    });
    const event = ofType(await sink.waitForEvent(`${user.id}:${message.message_id}`), 'message');
    expect(event.text).toBe('is this real?');
    const [photo] = event.attachments;
    expect(photo).toMatchObject({ type: 'photo', mimeType: 'image/jpeg', size: bytes.length });
    expect(photo?.fileId).toBe(message.photo?.at(-1)?.file_id);
    const fetched = await adapter.fetchFile(photo?.fileId ?? '');
    const chunks: Buffer[] = [];
    for await (const chunk of fetched.stream) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString()).toBe(bytes.toString());

    const doc = emu.privateMessage(user, {
      media: { kind: 'document', name: 'wallet.pdf', mimeType: 'application/pdf' },
    });
    const voice = emu.privateMessage(user, { media: { kind: 'voice' } });
    const docEvent = ofType(await sink.waitForEvent(`${user.id}:${doc.message.message_id}`), 'message');
    expect(docEvent.attachments[0]).toMatchObject({
      type: 'document',
      name: 'wallet.pdf',
      mimeType: 'application/pdf',
    });
    const voiceEvent = ofType(await sink.waitForEvent(`${user.id}:${voice.message.message_id}`), 'message');
    expect(voiceEvent.attachments[0]).toMatchObject({ type: 'voice', mimeType: 'audio/ogg' });
  });

  it('reports joins and renames as member events', async () => {
    await adapter.start(sink);
    const group = emu.addGroup({ title: 'G' });
    const a = emu.addUser({ first_name: 'Al' });
    const b = emu.addUser({ first_name: 'Bea', username: 'bea' });
    const joinId = emu.joinMembers(group, [a, b]).message.message_id;
    const joined = await sink.waitForEvent(`${group.id}:${joinId}:join:${b.id}`);
    expect(joined).toMatchObject({ type: 'member', change: 'joined', sender: { handle: '@bea' } });
    const rename = emu.renameMember(group, b.id, {
      first_name: 'Example',
      last_name: 'Support',
      username: 'examplesupp0rt',
    });
    const renamed = await sink.waitForEvent(`member:${rename.update_id}`);
    expect(renamed).toMatchObject({
      type: 'member',
      change: 'renamed',
      sender: { handle: '@examplesupp0rt', displayName: 'Example Support' },
      previous: { handle: '@bea', displayName: 'Bea' },
    });
  });

  it('registers the command menu for each language', async () => {
    await adapter.start(sink);
    const names = emu.commandsFor('zh').map((c) => c.command);
    expect(names).toEqual(
      expect.arrayContaining(['start', 'help', 'verify', 'human', 'ticket', 'report', 'lang']),
    );
    expect(emu.commandsFor('zh').find((c) => c.command === 'human')?.description).toBe('转人工客服');
    expect(emu.commandsFor('en')).toHaveLength(names.length);
    expect(emu.commandsFor()).toEqual(emu.commandsFor('en'));
  });
});

describe('failing loudly, never leaking the token', () => {
  it('refuses to start with a wrong token and says why', async () => {
    const wrong = new TelegramAdapter({
      token: '1000001:a-wrong-token-value',
      logger: log.logger,
      settings: { apiRoot: emu.apiRoot },
    });
    const error = await wrong.start(sink).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TELEGRAM_START', message: expect.stringContaining('401') });
    expect(String(error)).not.toContain('a-wrong-token-value');
    expect(wrong.health().ok).toBe(false);
  });

  it('reports an unknown file id as a VerityError', async () => {
    await adapter.start(sink);
    const error = await adapter.fetchFile('no-such-file').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TELEGRAM_FILE', context: { fileId: 'no-such-file' } });
    expect(String(error)).not.toContain(emu.token);
  });

  it('explains invalid settings', () => {
    expect(() => makeAdapter({ mode: 'carrier-pigeon' })).toThrow(/mode/);
  });
});

describe('never losing an update', () => {
  it('holds the offset while the sink fails, then stores the update once', async () => {
    sink.failures = 2;
    const offsetsWhileFailing: number[] = [];
    sink.onAttempt = () => offsetsWhileFailing.push(emu.stats().confirmedOffset);
    await adapter.start(sink);
    const user = emu.addUser();
    const { update, message } = emu.privateMessage(user, 'my funds are gone');
    await vi.waitFor(() => expect(sink.attempts).toBeGreaterThanOrEqual(3));
    expect(offsetsWhileFailing.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...offsetsWhileFailing)).toBeLessThanOrEqual(update.update_id);
    const later = emu.privateMessage(user, 'hello?');
    await sink.waitForEvent(`${user.id}:${later.message.message_id}`);
    expect(sink.events.filter((e) => e.eventId === `${user.id}:${message.message_id}`)).toHaveLength(1);
    expect(sink.attempts).toBeGreaterThanOrEqual(4);
    expect(log.lines.filter((l) => l.msg?.includes('not stored yet'))).toHaveLength(2);
  });

  it('does not confirm an update abandoned at stop; the next run gets it again', async () => {
    sink.failures = Number.POSITIVE_INFINITY;
    await adapter.start(sink);
    const user = emu.addUser();
    const { update, message } = emu.privateMessage(user, 'please help');
    await vi.waitFor(() => expect(sink.attempts).toBeGreaterThanOrEqual(2));
    await adapter.stop();
    expect(emu.stats().confirmedOffset).toBeLessThanOrEqual(update.update_id);
    expect(emu.stats().pendingUpdates).toBe(1);

    const healthy = new RecordingSink();
    adapter = makeAdapter();
    await adapter.start(healthy);
    await healthy.waitForEvent(`${user.id}:${message.message_id}`);
  });

  it("stores a chat's messages in order even when the store answers out of order", async () => {
    sink.latencyMs = () => Math.floor(Math.random() * 15);
    const users = [emu.addUser(), emu.addUser()];
    const sent: string[] = [];
    for (let i = 0; i < 60; i++) {
      const user = users[i % 2];
      if (user) sent.push(`${user.id}:${emu.privateMessage(user, `m${i}`).message.message_id}`);
    }
    await adapter.start(sink);
    await sink.waitFor((events) => (events.length === sent.length ? true : undefined), 10_000);
    for (const user of users) {
      const mine = (ids: string[]) => ids.filter((id) => id.startsWith(`${user.id}:`));
      expect(mine(sink.events.map((e) => e.eventId))).toEqual(mine(sent));
    }
  });

  it('can be stopped and started again', async () => {
    await adapter.start(sink);
    await adapter.stop();
    const user = emu.addUser();
    const { message } = emu.privateMessage(user, 'after restart');
    await adapter.start(sink);
    await sink.waitForEvent(`${user.id}:${message.message_id}`);
  });

  it('keeps polling through server errors', async () => {
    emu.failNext('getUpdates', { error_code: 502, description: 'Bad Gateway' });
    await adapter.start(sink);
    const user = emu.addUser();
    const { message } = emu.privateMessage(user, 'still there?');
    await sink.waitForEvent(`${user.id}:${message.message_id}`, 8000);
  });
});

describe('sending', () => {
  it('sends plain text, replies, splits long texts, edits, deletes, types and restricts', async () => {
    await adapter.start(sink);
    emu.setLimits(false);
    const user = emu.addUser();
    const { message } = emu.privateMessage(user, 'hi');
    const reply = await send(String(user.id), 'Hi *there* <b>', {
      replyToPlatformId: String(message.message_id),
    });
    expect(emu.sentMessages(user.id)[0]).toMatchObject({
      text: 'Hi *there* <b>',
      replyTo: message.message_id,
    });
    expect(emu.sentMessages(user.id)[0]?.parseMode).toBeUndefined();

    const long = `${'word '.repeat(1000)}\n${'x'.repeat(3000)}`;
    await adapter.send({
      id: 'long',
      channel: 'telegram',
      type: 'send',
      threadKey: String(user.id),
      text: long,
      style: 'plain',
    });
    const parts = emu
      .sentMessages(user.id)
      .slice(1)
      .map((m) => m.text);
    expect(parts.length).toBe(2);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);

    const id = reply.platformMessageId ?? '';
    const base = { channel: 'telegram', threadKey: String(user.id) } as const;
    await adapter.send({ ...base, id: 'e', type: 'edit', platformMessageId: id, text: 'Hi there' });
    await adapter.send({ ...base, id: 'e2', type: 'edit', platformMessageId: id, text: 'Hi there' });
    await adapter.send({ ...base, id: 't', type: 'typing' });
    await adapter.send({ ...base, id: 'd', type: 'delete', platformMessageId: id });
    await adapter.send({ ...base, id: 'd2', type: 'delete', platformMessageId: id });
    expect(
      emu
        .sent(user.id)
        .map((e) => e.kind)
        .slice(-3),
    ).toEqual(['edit', 'action', 'delete']);

    const group = emu.addGroup({ title: 'G' });
    await adapter.send({
      id: 'r',
      channel: 'telegram',
      type: 'timeout',
      threadKey: String(group.id),
      userId: String(user.id),
      seconds: 5,
    });
    const restrict = emu.sent(group.id).at(-1);
    expect(restrict).toMatchObject({ kind: 'restrict', userId: user.id });
    expect(adapter.limitScope({ ...base, id: 'x', type: 'typing', threadKey: `${group.id}:3` })).toEqual({
      chat: String(group.id),
      group: true,
    });
  });

  it('maps refusals to DeliveryError kinds', async () => {
    await adapter.start(sink);
    const user = emu.addUser();
    emu.privateMessage(user, 'hi');
    await send(String(user.id), 'one');
    const limited = await send(String(user.id), 'two').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(DeliveryError);
    expect(limited).toMatchObject({ kind: 'rate-limited', retryAfterMs: 1000 });

    emu.setLimits(false);
    emu.blockBot(user.id);
    const blocked = await send(String(user.id), 'three').catch((e: unknown) => e);
    expect(blocked).toMatchObject({ kind: 'permanent', reason: 'blocked', unreachable: true });

    const gone = await send('424242', 'hello').catch((e: unknown) => e);
    expect(gone).toMatchObject({ kind: 'permanent', reason: 'chat-gone' });

    const other = emu.addUser();
    emu.privateMessage(other, 'hi');
    emu.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' });
    expect(await send(String(other.id), 'x').catch((e: unknown) => e)).toMatchObject({ kind: 'transient' });
    const badButton = await send(String(other.id), 'x', {
      buttons: [[{ label: 'b', data: 'é'.repeat(40) }]],
    }).catch((e: unknown) => e);
    expect(badButton).toMatchObject({ kind: 'permanent', reason: 'invalid' });
    expect(String(badButton)).not.toContain(emu.token);
  });
});
