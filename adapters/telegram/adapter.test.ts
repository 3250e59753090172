import { describe, expect, it, vi } from 'vitest';
import { ofType, RecordingSink, useEmulatorAdapter } from './testing.ts';

const h = useEmulatorAdapter();

const { send } = h;

describe('receiving', () => {
  it('turns a private message into an addressed message event', async () => {
    await h.adapter.start(h.sink);
    const user = h.emu.addUser({
      first_name: 'Ann',
      last_name: 'Lee',
      username: 'ann',
      language_code: 'zh-hans',
    });
    const { message } = h.emu.privateMessage(user, 'hello, is this the real support?');
    const event = ofType(await h.sink.waitForEvent(`${user.id}:${message.message_id}`), 'message');
    expect(event).toMatchObject({
      channel: 'telegram',
      thread: { key: String(user.id), kind: 'private' },
      sender: { userId: String(user.id), handle: '@ann', displayName: 'Ann Lee', language: 'zh-hans' },
      text: 'hello, is this the real support?',
      addressedToBot: true,
      platformMessageId: String(message.message_id),
    });
    expect(h.adapter.health()).toMatchObject({
      ok: true,
      info: { bot: '@ExampleWalletBot', mode: 'polling' },
    });
  });

  it('marks group messages addressed only on a mention, a reply to the bot or a command', async () => {
    await h.adapter.start(h.sink);
    const group = h.emu.addGroup({ title: 'Example Wallet Community' });
    const user = h.emu.addUser({ first_name: 'Bo' });
    const plain = h.emu.message(group, user, 'gm everyone');
    const mention = h.emu.mentionBot(group, user, 'is this link legit?');
    const command = h.emu.command(group, user, 'verify', '@ExampleSupport', true);
    const otherBot = h.emu.message(group, user, '/start@SomeOtherBot');
    h.emu.setLimits(false);
    const botMessage = await send(String(group.id), 'Hello group');
    const reply = h.emu.message(group, user, {
      text: 'thanks',
      replyTo: Number(botMessage.platformMessageId),
    });
    await h.sink.waitFor((events) => (events.length >= 5 ? events : undefined));
    const addressed = (m: { message_id: number }) =>
      ofType(
        h.sink.events.find((e) => e.eventId === `${group.id}:${m.message_id}`),
        'message',
      ).addressedToBot;
    expect(addressed(plain.message)).toBe(false);
    expect(addressed(mention.message)).toBe(true);
    expect(addressed(command.message)).toBe(true);
    expect(addressed(otherBot.message)).toBe(false);
    expect(addressed(reply.message)).toBe(true);
    expect(h.sink.events[0]?.thread).toEqual({
      key: String(group.id),
      kind: 'group',
      title: 'Example Wallet Community',
    });
  });

  it('keys forum topics by chat and topic, and reports forwards', async () => {
    await h.adapter.start(h.sink);
    const forum = h.emu.addGroup({ title: 'Forum', isForum: true });
    const user = h.emu.addUser();
    const impostor = h.emu.addUser({ first_name: 'Example Support', username: 'examp1e_support' });
    const { message } = h.emu.message(forum, user, {
      text: 'look what I got',
      threadId: 7,
      forwardFrom: impostor,
    });
    const event = ofType(await h.sink.waitForEvent(`${forum.id}:${message.message_id}`), 'message');
    expect(event.thread).toMatchObject({ key: `${forum.id}:7`, kind: 'thread' });
    expect(event.forwardedFrom).toMatchObject({ userId: String(impostor.id), handle: '@examp1e_support' });
  });

  it('turns a button press into a button event and answers the callback at once', async () => {
    await h.adapter.start(h.sink);
    const user = h.emu.addUser();
    h.emu.privateMessage(user, 'hi');
    const sent = await send(String(user.id), 'Was this helpful?', {
      buttons: [
        [
          { label: 'Yes', data: 'csat:yes' },
          { label: 'Docs', url: 'https://example.com/help' },
        ],
      ],
    });
    expect(h.emu.sentMessages(user.id)[0]?.buttons).toEqual([
      [
        { text: 'Yes', callback_data: 'csat:yes' },
        { text: 'Docs', url: 'https://example.com/help' },
      ],
    ]);
    const { queryId } = h.emu.pressButton(user.id, Number(sent.platformMessageId), user);
    const event = ofType(await h.sink.waitForEvent(`cb:${queryId}`), 'button');
    expect(event).toMatchObject({ data: 'csat:yes', platformMessageId: sent.platformMessageId });
    await h.emu.waitFor(() => h.emu.answeredCallbacks.find((c) => c.callbackQueryId === queryId));
  });

  it('reports edits with a stable event id per edit', async () => {
    await h.adapter.start(h.sink);
    const user = h.emu.addUser();
    const { message } = h.emu.privateMessage(user, 'my addres is 0xabc');
    const edited = h.emu.editMessage(user.id, message.message_id, 'my address is 0xabc').message;
    const editDate = edited.edit_date;
    const event = ofType(
      await h.sink.waitForEvent(`${user.id}:${message.message_id}:edit:${editDate}`),
      'edit',
    );
    expect(event).toMatchObject({
      text: 'my address is 0xabc',
      platformMessageId: String(message.message_id),
    });
  });

  it('carries attachments with file ids, and fetches the file', async () => {
    await h.adapter.start(h.sink);
    const user = h.emu.addUser();
    const bytes = Buffer.from('a screenshot of a fake airdrop');
    const { message } = h.emu.privateMessage(user, {
      caption: 'is this real?',
      media: { kind: 'photo', bytes },
    });
    const event = ofType(await h.sink.waitForEvent(`${user.id}:${message.message_id}`), 'message');
    expect(event.text).toBe('is this real?');
    const [photo] = event.attachments;
    expect(photo).toMatchObject({ type: 'photo', mimeType: 'image/jpeg', size: bytes.length });
    expect(photo?.fileId).toBe(message.photo?.at(-1)?.file_id);
    const fetched = await h.adapter.fetchFile(photo?.fileId ?? '');
    const chunks: Buffer[] = [];
    for await (const chunk of fetched.stream) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString()).toBe(bytes.toString());

    const doc = h.emu.privateMessage(user, {
      media: { kind: 'document', name: 'wallet.pdf', mimeType: 'application/pdf' },
    });
    const voice = h.emu.privateMessage(user, { media: { kind: 'voice' } });
    const docEvent = ofType(await h.sink.waitForEvent(`${user.id}:${doc.message.message_id}`), 'message');
    expect(docEvent.attachments[0]).toMatchObject({
      type: 'document',
      name: 'wallet.pdf',
      mimeType: 'application/pdf',
    });
    const voiceEvent = ofType(await h.sink.waitForEvent(`${user.id}:${voice.message.message_id}`), 'message');
    expect(voiceEvent.attachments[0]).toMatchObject({ type: 'voice', mimeType: 'audio/ogg' });
  });

  it('reports joins and renames as member events', async () => {
    await h.adapter.start(h.sink);
    const group = h.emu.addGroup({ title: 'G' });
    const a = h.emu.addUser({ first_name: 'Al' });
    const b = h.emu.addUser({ first_name: 'Bea', username: 'bea' });
    const joinId = h.emu.joinMembers(group, [a, b]).message.message_id;
    const joined = await h.sink.waitForEvent(`${group.id}:${joinId}:join:${b.id}`);
    expect(joined).toMatchObject({ type: 'member', change: 'joined', sender: { handle: '@bea' } });
    const rename = h.emu.renameMember(group, b.id, {
      first_name: 'Example',
      last_name: 'Support',
      username: 'examplesupp0rt',
    });
    const renamed = await h.sink.waitForEvent(`member:${rename.update_id}`);
    expect(renamed).toMatchObject({
      type: 'member',
      change: 'renamed',
      sender: { handle: '@examplesupp0rt', displayName: 'Example Support' },
      previous: { handle: '@bea', displayName: 'Bea' },
    });
  });

  it('registers the command menu for each language', async () => {
    await h.adapter.start(h.sink);
    const names = h.emu.commandsFor('zh').map((c) => c.command);
    expect(names).toEqual(
      expect.arrayContaining(['start', 'help', 'verify', 'human', 'ticket', 'report', 'lang']),
    );
    expect(h.emu.commandsFor('zh').find((c) => c.command === 'human')?.description).toBe('转人工客服');
    expect(h.emu.commandsFor('en')).toHaveLength(names.length);
    expect(h.emu.commandsFor()).toEqual(h.emu.commandsFor('en'));
  });
});

describe('never losing an update', () => {
  it('holds the offset while the sink fails, then stores the update once', async () => {
    h.sink.failures = 2;
    const offsetsWhileFailing: number[] = [];
    h.sink.onAttempt = () => offsetsWhileFailing.push(h.emu.stats().confirmedOffset);
    await h.adapter.start(h.sink);
    const user = h.emu.addUser();
    const { update, message } = h.emu.privateMessage(user, 'my funds are gone');
    await vi.waitFor(() => expect(h.sink.attempts).toBeGreaterThanOrEqual(3));
    expect(offsetsWhileFailing.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...offsetsWhileFailing)).toBeLessThanOrEqual(update.update_id);
    const later = h.emu.privateMessage(user, 'hello?');
    await h.sink.waitForEvent(`${user.id}:${later.message.message_id}`);
    expect(h.sink.events.filter((e) => e.eventId === `${user.id}:${message.message_id}`)).toHaveLength(1);
    expect(h.sink.attempts).toBeGreaterThanOrEqual(4);
    expect(h.log.lines.filter((l) => l.msg?.includes('not stored yet'))).toHaveLength(2);
  });

  it('does not confirm an update abandoned at stop; the next run gets it again', async () => {
    h.sink.failures = Number.POSITIVE_INFINITY;
    await h.adapter.start(h.sink);
    const user = h.emu.addUser();
    const { update, message } = h.emu.privateMessage(user, 'please help');
    await vi.waitFor(() => expect(h.sink.attempts).toBeGreaterThanOrEqual(2));
    await h.adapter.stop();
    expect(h.emu.stats().confirmedOffset).toBeLessThanOrEqual(update.update_id);
    expect(h.emu.stats().pendingUpdates).toBe(1);

    const healthy = new RecordingSink();
    h.adapter = h.makeAdapter();
    await h.adapter.start(healthy);
    await healthy.waitForEvent(`${user.id}:${message.message_id}`);
  });

  it("stores a chat's messages in order even when the store answers out of order", async () => {
    h.sink.latencyMs = () => Math.floor(Math.random() * 15);
    const users = [h.emu.addUser(), h.emu.addUser()];
    const sent: string[] = [];
    for (let i = 0; i < 60; i++) {
      const user = users[i % 2];
      if (user) sent.push(`${user.id}:${h.emu.privateMessage(user, `m${i}`).message.message_id}`);
    }
    await h.adapter.start(h.sink);
    await h.sink.waitFor((events) => (events.length === sent.length ? true : undefined), 10_000);
    for (const user of users) {
      const mine = (ids: string[]) => ids.filter((id) => id.startsWith(`${user.id}:`));
      expect(mine(h.sink.events.map((e) => e.eventId))).toEqual(mine(sent));
    }
  });

  it('can be stopped and started again', async () => {
    await h.adapter.start(h.sink);
    await h.adapter.stop();
    const user = h.emu.addUser();
    const { message } = h.emu.privateMessage(user, 'after restart');
    await h.adapter.start(h.sink);
    await h.sink.waitForEvent(`${user.id}:${message.message_id}`);
  });

  it('keeps polling through server errors', async () => {
    h.emu.failNext('getUpdates', { error_code: 502, description: 'Bad Gateway' });
    await h.adapter.start(h.sink);
    const user = h.emu.addUser();
    const { message } = h.emu.privateMessage(user, 'still there?');
    await h.sink.waitForEvent(`${user.id}:${message.message_id}`, 8000);
  });
});
