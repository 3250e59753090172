import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DiscordAdapter } from './adapter.ts';
import { type Org, orgAdapter, RecordingSink, startOrg } from './testing.ts';
import { TICKET_BUTTON_ID } from './tickets.ts';

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

describe('Discord interactions through the adapter', () => {
  it('opens a private ticket thread with the user from the support channel button', async () => {
    await boot();
    const [prompt] = await org.emu.waitForBotMessage(org.supportChannelId);
    expect(JSON.stringify(prompt?.components)).toContain(TICKET_BUTTON_ID);
    org.emu.injectButton(org.supportChannelId, org.alice.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    const thread = await org.emu.waitForAction('thread');
    expect(thread.parentId).toBe(org.supportChannelId);
    const channel = org.emu.world.channels.get(thread.channelId);
    expect(channel?.type).toBe(12);
    await org.emu.waitForAction('thread-member', (a) => a.userId === org.alice.id);
    const [intro] = await org.emu.waitForBotMessage(thread.channelId);
    expect(intro?.content).toContain(`<@&${org.staffRoleId}>`);
    expect(intro?.allowedMentions).toMatchObject({ users: [org.alice.id], roles: [org.staffRoleId] });
    const opened = await sink.waitFor((events) =>
      events.find((e) => e.type === 'button' && e.data === 'ticket:open'),
    );
    expect(opened.thread).toMatchObject({ key: thread.channelId, kind: 'thread' });
    const reply = await org.emu.waitForAction('edit', (a) => a.channelId === org.supportChannelId);
    expect(org.emu.world.messages.get(reply.messageId)?.content).toContain(`<#${thread.channelId}>`);

    // A second click points to the same thread instead of opening another.
    org.emu.injectButton(org.supportChannelId, org.alice.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    await org.emu.waitFor(() => org.emu.actions.filter((a) => a.kind === 'edit').length >= 2);
    expect(org.emu.actions.filter((a) => a.kind === 'thread')).toHaveLength(1);

    // Messages in the ticket thread are addressed to the bot.
    org.emu.injectGuildMessage(thread.channelId, org.alice.id, 'I sent funds to a fake support account');
    const inThread = await sink.waitFor((events) =>
      events.find((e) => e.type === 'message' && e.thread.key === thread.channelId),
    );
    expect(inThread).toMatchObject({ addressedToBot: true, thread: { kind: 'thread' } });
  });

  it('keeps one ticket per user across a restart: a new process finds the open thread', async () => {
    await boot();
    const [prompt] = await org.emu.waitForBotMessage(org.supportChannelId);
    org.emu.injectButton(org.supportChannelId, org.alice.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    const thread = await org.emu.waitForAction('thread');
    await org.emu.waitForAction('edit', (a) => a.channelId === org.supportChannelId);

    await adapter.stop();
    await boot();
    org.emu.injectButton(org.supportChannelId, org.alice.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    await org.emu.waitFor(() => org.emu.actions.filter((a) => a.kind === 'edit').length >= 2);
    expect(org.emu.actions.filter((a) => a.kind === 'thread')).toHaveLength(1);
    const edits = org.emu.actions.filter((a) => a.kind === 'edit');
    const answer = org.emu.world.messages.get(edits.at(-1)?.messageId ?? '');
    expect(answer?.content).toContain(`<#${thread.channelId}>`);

    // Another user with a thread of their own is not sent to Alice's.
    org.emu.injectButton(org.supportChannelId, org.mod.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    await org.emu.waitFor(() => org.emu.actions.filter((a) => a.kind === 'thread').length === 2);
  });

  it('registers slash commands, defers them and answers through the interaction', async () => {
    await boot();
    await org.emu.waitForAction('commands');
    expect(org.emu.world.commands.get(org.guildId)?.length).toBe(6);
    const interaction = org.emu.injectSlash(org.supportChannelId, org.alice.id, 'verify', {
      what: 'examp1e-wallet.com',
    });
    const deferred = await org.emu.waitForAction('interaction-response');
    expect(deferred.callbackType).toBe(5);
    const event = await sink.waitFor((events) => events.find((e) => e.type === 'button'));
    expect(event).toMatchObject({
      eventId: interaction.id,
      data: 'cmd:/verify examp1e-wallet.com',
      platformMessageId: `interaction:${interaction.id}`,
    });
    await adapter.send({
      type: 'send',
      id: 'out-verify',
      channel: 'discord',
      threadKey: org.supportChannelId,
      text: 'examp1e-wallet.com is NOT ours.',
      style: 'warning',
      replyToPlatformId: `interaction:${interaction.id}`,
    });
    const answered = org.emu.world.interactions.get(interaction.id);
    const answer = org.emu.world.messages.get(answered?.originalMessageId ?? '');
    expect(answer?.flags).toBe(64);
    expect(JSON.stringify(answer?.embeds)).toContain('is NOT ours');
    // Nothing was posted publicly in the support channel apart from the ticket prompt.
    expect(org.emu.botMessagesIn(org.supportChannelId).filter((m) => m.flags !== 64)).toHaveLength(1);
  });

  it('refuses moderator commands to non-moderators and accepts them from moderators', async () => {
    await boot();
    org.emu.injectSlash(org.generalChannelId, org.alice.id, 'flag', { what: 'scam.example' });
    const refused = await org.emu.waitForAction('interaction-response');
    expect(refused).toMatchObject({ callbackType: 4 });
    expect(JSON.stringify(refused.data)).toContain('Only moderators');
    org.emu.injectSlash(org.generalChannelId, org.mod.id, 'flag', {
      what: 'scam.example',
      reason: 'phishing kit',
    });
    const flagged = await sink.waitFor((events) => events.find((e) => e.type === 'button'));
    expect(flagged).toMatchObject({ data: 'cmd:/flag scam.example', sender: { userId: org.mod.id } });
    const reason = await sink.waitFor((events) => events.find((e) => e.type === 'message'));
    expect(reason).toMatchObject({ text: 'phishing kit', eventId: `${flagged.eventId}:text` });
    expect(sink.events.filter((e) => e.sender.userId === org.alice.id)).toHaveLength(0);
  });

  it('acknowledges a deferred command the router has not answered', async () => {
    await boot({ interactionFallbackMs: 100 });
    const dm = org.emu.dmChannel(org.alice.id);
    const interaction = org.emu.injectSlash(dm.id, org.alice.id, 'support', {
      question: 'how do I reset 2FA?',
    });
    await org.emu.waitFor(
      () => org.emu.world.interactions.get(interaction.id)?.originalMessageId,
      3000,
      'the fallback answer',
    );
    const question = await sink.waitFor((events) => events.find((e) => e.type === 'message'));
    expect(question).toMatchObject({ text: 'how do I reset 2FA?', thread: { key: dm.id, kind: 'private' } });
  });

  it('answers clicks at once and hands them to the router', async () => {
    await boot();
    const dm = org.emu.dmChannel(org.alice.id);
    await adapter.send({
      type: 'send',
      id: 'menu',
      channel: 'discord',
      threadKey: dm.id,
      text: 'What do you need?',
      style: 'plain',
      buttons: [[{ label: 'Verify', data: 'menu:verify' }]],
    });
    const [menu] = await org.emu.waitForBotMessage(dm.id);
    const click = org.emu.injectButton(dm.id, org.alice.id, menu?.id ?? '', 'menu:verify');
    const pick = org.emu.injectSelect(dm.id, org.alice.id, menu?.id ?? '', 'lang', ['zh']);
    const events = await sink.waitFor((all) =>
      all.filter((e) => e.type === 'button').length >= 2 ? all : undefined,
    );
    expect(events.find((e) => e.eventId === click.id)).toMatchObject({
      data: 'menu:verify',
      platformMessageId: menu?.id,
    });
    expect(events.find((e) => e.eventId === pick.id)).toMatchObject({ data: 'lang:zh' });
    expect(org.emu.world.interactions.get(click.id)?.callbackType).toBe(6);
  });

  it('still hands an interaction to the router when Discord refused the late acknowledgement', async () => {
    await boot();
    org.emu.setInteractionDeadline(-1);
    const dm = org.emu.dmChannel(org.alice.id);
    const late = org.emu.injectSlash(dm.id, org.alice.id, 'verify', { what: 'example.com' });
    const event = await sink.waitFor((events) => events.find((e) => e.eventId === late.id));
    expect(event).toMatchObject({ type: 'button', data: 'cmd:/verify example.com' });
    await adapter.send({
      type: 'send',
      id: 'late',
      channel: 'discord',
      threadKey: dm.id,
      text: 'It is ours.',
      style: 'plain',
    });
    expect(org.emu.botMessagesIn(dm.id).map((m) => m.content)).toEqual(['It is ours.']);
  });
});
