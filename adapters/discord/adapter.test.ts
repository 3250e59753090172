import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdapterStoppedError, DiscordAdapter } from './adapter.ts';
import { type Org, orgAdapter, orgSettings, RecordingSink, startOrg } from './testing.ts';

let org: Org;
let adapter: DiscordAdapter;
let sink: RecordingSink;

async function boot(opts: Parameters<typeof orgAdapter>[1] = {}): Promise<void> {
  adapter = orgAdapter(org, opts);
  sink = new RecordingSink();
  await adapter.start(sink);
}

beforeEach(async () => {
  org = await startOrg();
});

afterEach(async () => {
  // The client goes first: an emulator closed under a live client makes it reconnect in a loop.
  await adapter?.stop();
  await org.emu.close();
});

describe('DiscordAdapter against the emulator', () => {
  it('turns a DM into a private message event and delivers the reply', async () => {
    await boot();
    expect(adapter.health()).toMatchObject({ ok: true });
    const dm = org.emu.injectDm(org.alice.id, 'hello, is this the real support?');
    const event = await sink.waitFor((events) => events.find((e) => e.type === 'message'));
    expect(event).toMatchObject({
      type: 'message',
      eventId: dm.id,
      platformMessageId: dm.id,
      text: 'hello, is this the real support?',
      addressedToBot: true,
      thread: { key: dm.channelId, kind: 'private' },
      sender: { userId: org.alice.id, handle: 'alice', displayName: 'Alice', isBot: false },
    });
    const result = await adapter.send({
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
    const [sent] = await org.emu.waitForBotMessage(dm.channelId);
    expect(result.platformMessageId).toBe(sent?.id);
    expect(sent?.referenceId).toBe(dm.id);
    expect(sent?.allowedMentions).toEqual({ parse: [] });
    // The masked link renders as plain text, so it cannot disguise where it points.
    expect(sent?.content).toContain('\\[support](https://evil.example)');
    expect(JSON.stringify(sent?.components)).toContain('"custom_id":"verify"');
    expect(JSON.stringify(sent?.components)).toContain('"url":"https://example.com/help"');
    // Our own message comes back over the gateway and is not ingested.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sink.events.filter((e) => e.type === 'message')).toHaveLength(1);
  });

  it('marks guild messages addressed to the bot only in support channels or when mentioned', async () => {
    await boot();
    org.emu.injectGuildMessage(org.generalChannelId, org.alice.id, 'just chatting');
    org.emu.injectGuildMessage(org.generalChannelId, org.alice.id, { content: 'help me', mentionBot: true });
    org.emu.injectGuildMessage(org.supportChannelId, org.alice.id, 'my withdrawal is stuck');
    const events = await sink.waitFor((all) => (all.length >= 3 ? all : undefined));
    const byText = Object.fromEntries(events.map((e) => [e.type === 'message' ? e.text : '', e]));
    expect(byText['just chatting']).toMatchObject({
      addressedToBot: false,
      thread: { kind: 'group', key: org.generalChannelId },
    });
    expect(byText[`<@${org.emu.bot.id}> help me`]).toMatchObject({ addressedToBot: true });
    expect(byText['my withdrawal is stuck']).toMatchObject({
      addressedToBot: true,
      thread: { key: org.supportChannelId },
    });
  });

  it('reports edits and attachments', async () => {
    await boot();
    const message = org.emu.injectDm(org.alice.id, {
      content: 'see screenshot',
      attachments: [{ filename: 'shot.png', size: 2048, contentType: 'image/png' }],
    });
    const first = await sink.waitFor((events) => events.find((e) => e.type === 'message'));
    if (first.type !== 'message') throw new Error('expected a message');
    expect(first.attachments).toHaveLength(1);
    expect(first.attachments[0]).toMatchObject({
      type: 'photo',
      name: 'shot.png',
      size: 2048,
      mimeType: 'image/png',
    });
    const file = await adapter.fetchFile(first.attachments[0]?.fileId ?? '');
    let bytes = 0;
    for await (const piece of file.stream) bytes += Buffer.byteLength(piece);
    expect(bytes).toBe(2048);
    expect(file.mimeType).toBe('image/png');
    await expect(adapter.fetchFile('https://evil.example/x.png')).rejects.toThrow(/refusing/);

    const edited = org.emu.injectEdit(message.id, 'see screenshot (edited)');
    const edit = await sink.waitFor((events) => events.find((e) => e.type === 'edit'));
    expect(edit).toMatchObject({
      eventId: `${message.id}:edit:${Date.parse(edited.editedTimestamp ?? '')}`,
      platformMessageId: message.id,
      text: 'see screenshot (edited)',
    });
  });

  it('reports edits of messages sent before the bot started', async () => {
    const dm = org.emu.dmChannel(org.alice.id);
    const old = org.emu.world.addMessage({
      channelId: dm.id,
      authorId: org.alice.id,
      content: 'old',
      embeds: [],
      components: [],
      attachments: [],
      mentionIds: [],
      referenceId: null,
      allowedMentions: null,
      flags: 0,
    });
    await boot();
    org.emu.injectEdit(old.id, 'old, edited');
    const later = org.emu.injectDm(org.alice.id, 'a new message');
    await sink.waitFor((events) => events.find((e) => e.eventId === later.id));
    const edit = await sink.waitFor((events) => events.find((e) => e.type === 'edit'));
    expect(edit).toMatchObject({
      platformMessageId: old.id,
      text: 'old, edited',
      thread: { key: dm.id, kind: 'private' },
    });
  });

  it('reports joins and renames with the previous names', async () => {
    await boot();
    const impostor = org.emu.createUser('examplesupport_', { globalName: 'Example Support' });
    org.emu.memberJoin(org.guildId, impostor.id, 'Support Team');
    const joined = await sink.waitFor((events) => events.find((e) => e.type === 'member'));
    expect(joined).toMatchObject({
      change: 'joined',
      thread: { key: org.guildId, kind: 'group' },
      sender: { userId: impostor.id, handle: 'examplesupport_', displayName: 'Support Team' },
    });
    org.emu.rename(org.guildId, org.alice.id, { nick: 'Alice Chen (Admin)' });
    const renamed = await sink.waitFor((events) =>
      events.find((e) => e.type === 'member' && e.change === 'renamed'),
    );
    expect(renamed).toMatchObject({
      sender: { userId: org.alice.id, displayName: 'Alice Chen (Admin)' },
      previous: { handle: 'alice', displayName: 'Alice' },
    });
    org.emu.rename(org.guildId, org.mod.id, { globalName: 'Example Wallet Official' });
    const globalRename = await sink.waitFor((events) =>
      events.find((e) => e.type === 'member' && e.change === 'renamed' && e.sender.userId === org.mod.id),
    );
    expect(globalRename).toMatchObject({
      sender: { displayName: 'Example Wallet Official' },
      previous: { displayName: 'Mod' },
    });
  });

  it('resumes a dropped gateway connection without losing what was said meanwhile', async () => {
    await boot();
    const client = adapter.client;
    if (!client) throw new Error('no client');
    const resumed = new Promise((resolve) => client.once('shardResume', resolve));
    org.emu.dropGateway();
    const missed = org.emu.injectDm(org.alice.id, 'sent while the bot was disconnected');
    await resumed;
    const event = await sink.waitFor((events) => events.find((e) => e.eventId === missed.id));
    expect(event).toMatchObject({ type: 'message', text: 'sent while the bot was disconnected' });
    expect(org.emu.gateway.resumes).toBe(1);
    expect(org.emu.gateway.identifies).toBe(1);
    expect(adapter.health().ok).toBe(true);
  });

  it('keeps retrying a failing sink without dropping or reordering', async () => {
    await boot();
    sink.failNext = 3;
    const first = org.emu.injectDm(org.alice.id, 'first');
    const second = org.emu.injectDm(org.alice.id, 'second');
    await sink.waitFor((events) => (events.length >= 2 ? events : undefined));
    expect(sink.events.map((e) => e.eventId)).toEqual([first.id, second.id]);
    expect(sink.calls).toBe(5);
  });

  it('deletes a message and times out a member when asked', async () => {
    await boot();
    const scam = org.emu.injectGuildMessage(org.generalChannelId, org.alice.id, 'DM me for a refund');
    await sink.waitFor((events) => events.find((e) => e.eventId === scam.id));
    await adapter.send({
      type: 'delete',
      id: 'del',
      channel: 'discord',
      threadKey: org.generalChannelId,
      platformMessageId: scam.id,
    });
    expect(org.emu.world.messages.get(scam.id)?.deleted).toBe(true);
    await adapter.send({
      type: 'timeout',
      id: 'to',
      channel: 'discord',
      threadKey: org.generalChannelId,
      userId: org.alice.id,
      seconds: 600,
    });
    const timeout = await org.emu.waitForAction('timeout');
    expect(timeout.userId).toBe(org.alice.id);
    expect(Date.parse(timeout.until ?? '') - Date.now()).toBeGreaterThan(590_000);
    await adapter.send({ type: 'typing', id: 'ty', channel: 'discord', threadKey: org.generalChannelId });
    await org.emu.waitForAction('typing');
  });

  it('ignores guilds it does not serve', async () => {
    const other = org.emu.createGuild('Somewhere else');
    const channel = org.emu.createTextChannel(other.id, 'chat');
    org.emu.addMember(other.id, org.alice.id);
    await boot();
    org.emu.injectGuildMessage(channel.id, org.alice.id, { content: 'hello bot', mentionBot: true });
    org.emu.memberJoin(other.id, org.mod.id, 'Support');
    const marker = org.emu.injectDm(org.alice.id, 'marker');
    await sink.waitFor((events) => events.find((e) => e.eventId === marker.id));
    expect(sink.events.map((e) => e.eventId)).toEqual([marker.id]);
  });

  it('finishes in-flight ingests before stopping and reports itself stopped', async () => {
    await boot();
    sink.failNext = 2;
    const dm = org.emu.injectDm(org.alice.id, 'last words');
    await org.emu.waitFor(() => sink.calls >= 1);
    await adapter.stop();
    expect(sink.events.map((e) => e.eventId)).toEqual([dm.id]);
    expect(adapter.health()).toMatchObject({ ok: false, detail: 'stopped' });
    await expect(
      adapter.send({ type: 'typing', id: 't', channel: 'discord', threadKey: dm.channelId }),
    ).rejects.toBeInstanceOf(AdapterStoppedError);
  });

  it('fails to start with a wrong token, without leaving anything behind', async () => {
    adapter = new DiscordAdapter({
      settings: orgSettings(org),
      credentials: { token: 'wrong', applicationId: org.emu.applicationId, apiBase: org.emu.apiBase },
      logger: pino({ level: 'silent' }),
      readyTimeoutMs: 2000,
    });
    await expect(adapter.start(new RecordingSink())).rejects.toThrow();
    expect(adapter.health()).toMatchObject({ ok: false, detail: 'stopped' });
  });
});
