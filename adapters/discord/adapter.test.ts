import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AdapterStoppedError, DiscordAdapter } from './adapter.ts';
import { orgSettings, RecordingSink, useOrgAdapter } from './testing.ts';

const h = useOrgAdapter();

describe('DiscordAdapter against the emulator', () => {
  it('turns a DM into a private message event and delivers the reply', async () => {
    await h.boot();
    expect(h.adapter.health()).toMatchObject({ ok: true });
    const dm = h.org.emu.injectDm(h.org.alice.id, 'hello, is this the real support?');
    const event = await h.sink.waitFor((events) => events.find((e) => e.type === 'message'));
    expect(event).toMatchObject({
      type: 'message',
      eventId: dm.id,
      platformMessageId: dm.id,
      text: 'hello, is this the real support?',
      addressedToBot: true,
      thread: { key: dm.channelId, kind: 'private' },
      sender: { userId: h.org.alice.id, handle: 'alice', displayName: 'Alice', isBot: false },
    });
    const result = await h.adapter.send({
      type: 'send',
      id: 'out-1',
      channel: 'discord',
      threadKey: event.thread.key,
      text: 'Yes. @everyone [support](https://evil.example) never asks for your seed phrase.',
      style: 'plain',
      replyToPlatformId: dm.id,
      buttons: [
        [
          { label: 'Verify a link', data: 'verify' },
          { label: 'Help center', url: 'https://example.com/help' },
        ],
      ],
    });
    const [sent] = await h.org.emu.waitForBotMessage(dm.channelId);
    expect(result.platformMessageId).toBe(sent?.id);
    expect(sent?.referenceId).toBe(dm.id);
    expect(sent?.allowedMentions).toEqual({ parse: [] });
    // The masked link renders as plain text, so it cannot disguise where it points.
    expect(sent?.content).toContain('\\[support](https://evil.example)');
    expect(JSON.stringify(sent?.components)).toContain('"custom_id":"verify"');
    expect(JSON.stringify(sent?.components)).toContain('"url":"https://example.com/help"');
    // Our own message comes back over the gateway and is not ingested.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.sink.events.filter((e) => e.type === 'message')).toHaveLength(1);
  });

  it('marks guild messages addressed to the bot only in support channels or when mentioned', async () => {
    await h.boot();
    h.org.emu.injectGuildMessage(h.org.generalChannelId, h.org.alice.id, 'just chatting');
    h.org.emu.injectGuildMessage(h.org.generalChannelId, h.org.alice.id, {
      content: 'help me',
      mentionBot: true,
    });
    h.org.emu.injectGuildMessage(h.org.supportChannelId, h.org.alice.id, 'my withdrawal is stuck');
    const events = await h.sink.waitFor((all) => (all.length >= 3 ? all : undefined));
    const byText = Object.fromEntries(events.map((e) => [e.type === 'message' ? e.text : '', e]));
    expect(byText['just chatting']).toMatchObject({
      addressedToBot: false,
      thread: { kind: 'group', key: h.org.generalChannelId },
    });
    expect(byText[`<@${h.org.emu.bot.id}> help me`]).toMatchObject({ addressedToBot: true });
    expect(byText['my withdrawal is stuck']).toMatchObject({
      addressedToBot: true,
      thread: { key: h.org.supportChannelId },
    });
  });

  it('reports edits and attachments', async () => {
    await h.boot();
    const message = h.org.emu.injectDm(h.org.alice.id, {
      content: 'see screenshot',
      attachments: [{ filename: 'shot.png', size: 2048, contentType: 'image/png' }],
    });
    const first = await h.sink.waitFor((events) => events.find((e) => e.type === 'message'));
    if (first.type !== 'message') throw new Error('expected a message');
    expect(first.attachments).toHaveLength(1);
    expect(first.attachments[0]).toMatchObject({
      type: 'photo',
      name: 'shot.png',
      size: 2048,
      mimeType: 'image/png',
    });
    const file = await h.adapter.fetchFile(first.attachments[0]?.fileId ?? '');
    let bytes = 0;
    for await (const piece of file.stream) bytes += Buffer.byteLength(piece);
    expect(bytes).toBe(2048);
    expect(file.mimeType).toBe('image/png');
    await expect(h.adapter.fetchFile('https://evil.example/x.png')).rejects.toThrow(/refusing/);

    const edited = h.org.emu.injectEdit(message.id, 'see screenshot (edited)');
    const edit = await h.sink.waitFor((events) => events.find((e) => e.type === 'edit'));
    expect(edit).toMatchObject({
      eventId: `${message.id}:edit:${Date.parse(edited.editedTimestamp ?? '')}`,
      platformMessageId: message.id,
      text: 'see screenshot (edited)',
    });
  });

  it('reports edits of messages sent before the bot started', async () => {
    const dm = h.org.emu.dmChannel(h.org.alice.id);
    const old = h.org.emu.world.addMessage({
      channelId: dm.id,
      authorId: h.org.alice.id,
      content: 'old',
    });
    await h.boot();
    h.org.emu.injectEdit(old.id, 'old, edited');
    const later = h.org.emu.injectDm(h.org.alice.id, 'a new message');
    await h.sink.waitFor((events) => events.find((e) => e.eventId === later.id));
    const edit = await h.sink.waitFor((events) => events.find((e) => e.type === 'edit'));
    expect(edit).toMatchObject({
      platformMessageId: old.id,
      text: 'old, edited',
      thread: { key: dm.id, kind: 'private' },
    });
  });

  it('reports joins and renames with the previous names', async () => {
    await h.boot();
    const impostor = h.org.emu.createUser('examplesupport_', { globalName: 'Example Support' });
    h.org.emu.memberJoin(h.org.guildId, impostor.id, 'Support Team');
    const joined = await h.sink.waitFor((events) => events.find((e) => e.type === 'member'));
    expect(joined).toMatchObject({
      change: 'joined',
      thread: { key: h.org.guildId, kind: 'group' },
      sender: { userId: impostor.id, handle: 'examplesupport_', displayName: 'Support Team' },
    });
    h.org.emu.rename(h.org.guildId, h.org.alice.id, { nick: 'Alice Chen (Admin)' });
    const renamed = await h.sink.waitFor((events) =>
      events.find((e) => e.type === 'member' && e.change === 'renamed'),
    );
    expect(renamed).toMatchObject({
      sender: { userId: h.org.alice.id, displayName: 'Alice Chen (Admin)' },
      previous: { handle: 'alice', displayName: 'Alice' },
    });
    h.org.emu.rename(h.org.guildId, h.org.mod.id, { globalName: 'Example Wallet Official' });
    const globalRename = await h.sink.waitFor((events) =>
      events.find((e) => e.type === 'member' && e.change === 'renamed' && e.sender.userId === h.org.mod.id),
    );
    expect(globalRename).toMatchObject({
      sender: { displayName: 'Example Wallet Official' },
      previous: { displayName: 'Mod' },
    });
  });

  it('resumes a dropped gateway connection without losing what was said meanwhile', async () => {
    await h.boot();
    const client = h.adapter.client;
    if (!client) throw new Error('no client');
    const resumed = new Promise((resolve) => client.once('shardResume', resolve));
    h.org.emu.dropGateway();
    const missed = h.org.emu.injectDm(h.org.alice.id, 'sent while the bot was disconnected');
    await resumed;
    const event = await h.sink.waitFor((events) => events.find((e) => e.eventId === missed.id));
    expect(event).toMatchObject({ type: 'message', text: 'sent while the bot was disconnected' });
    expect(h.org.emu.gateway.resumes).toBe(1);
    expect(h.org.emu.gateway.identifies).toBe(1);
    expect(h.adapter.health().ok).toBe(true);
  });

  it('keeps retrying a failing sink without dropping or reordering', async () => {
    await h.boot();
    h.sink.failNext = 3;
    const first = h.org.emu.injectDm(h.org.alice.id, 'first');
    const second = h.org.emu.injectDm(h.org.alice.id, 'second');
    await h.sink.waitFor((events) => (events.length >= 2 ? events : undefined));
    expect(h.sink.events.map((e) => e.eventId)).toEqual([first.id, second.id]);
    expect(h.sink.calls).toBe(5);
  });

  it('deletes a message and times out a member when asked', async () => {
    await h.boot();
    const scam = h.org.emu.injectGuildMessage(h.org.generalChannelId, h.org.alice.id, 'DM me for a refund');
    await h.sink.waitFor((events) => events.find((e) => e.eventId === scam.id));
    await h.adapter.send({
      type: 'delete',
      id: 'del',
      channel: 'discord',
      threadKey: h.org.generalChannelId,
      platformMessageId: scam.id,
    });
    expect(h.org.emu.world.messages.get(scam.id)?.deleted).toBe(true);
    await h.adapter.send({
      type: 'timeout',
      id: 'to',
      channel: 'discord',
      threadKey: h.org.generalChannelId,
      userId: h.org.alice.id,
      seconds: 600,
    });
    const timeout = await h.org.emu.waitForAction('timeout');
    expect(timeout.userId).toBe(h.org.alice.id);
    expect(Date.parse(timeout.until ?? '') - Date.now()).toBeGreaterThan(590_000);
    await h.adapter.send({ type: 'typing', id: 'ty', channel: 'discord', threadKey: h.org.generalChannelId });
    await h.org.emu.waitForAction('typing');
  });

  it('ignores guilds it does not serve', async () => {
    const other = h.org.emu.createGuild('Somewhere else');
    const channel = h.org.emu.createTextChannel(other.id, 'chat');
    h.org.emu.addMember(other.id, h.org.alice.id);
    await h.boot();
    h.org.emu.injectGuildMessage(channel.id, h.org.alice.id, { content: 'hello bot', mentionBot: true });
    h.org.emu.memberJoin(other.id, h.org.mod.id, 'Support');
    const marker = h.org.emu.injectDm(h.org.alice.id, 'marker');
    await h.sink.waitFor((events) => events.find((e) => e.eventId === marker.id));
    expect(h.sink.events.map((e) => e.eventId)).toEqual([marker.id]);
  });

  it('finishes in-flight ingests before stopping and reports itself stopped', async () => {
    await h.boot();
    h.sink.failNext = 2;
    const dm = h.org.emu.injectDm(h.org.alice.id, 'last words');
    await h.org.emu.waitFor(() => h.sink.calls >= 1);
    await h.adapter.stop();
    expect(h.sink.events.map((e) => e.eventId)).toEqual([dm.id]);
    expect(h.adapter.health()).toMatchObject({ ok: false, detail: 'stopped' });
    await expect(
      h.adapter.send({ type: 'typing', id: 't', channel: 'discord', threadKey: dm.channelId }),
    ).rejects.toBeInstanceOf(AdapterStoppedError);
  });

  it('fails to start with a wrong token, without leaving anything behind', async () => {
    h.adapter = new DiscordAdapter({
      settings: orgSettings(h.org),
      credentials: { token: 'wrong', applicationId: h.org.emu.applicationId, apiBase: h.org.emu.apiBase },
      logger: pino({ level: 'silent' }),
      readyTimeoutMs: 2000,
    });
    await expect(h.adapter.start(new RecordingSink())).rejects.toThrow();
    expect(h.adapter.health()).toMatchObject({ ok: false, detail: 'stopped' });
  });
});
