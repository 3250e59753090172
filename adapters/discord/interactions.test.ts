import { describe, expect, it } from 'vitest';
import { useOrgAdapter } from './testing.ts';
import { TICKET_BUTTON_ID } from './tickets.ts';

const h = useOrgAdapter();

describe('Discord interactions through the adapter', () => {
  it('opens a private ticket thread with the user from the support channel button', async () => {
    await h.boot();
    const [prompt] = await h.org.emu.waitForBotMessage(h.org.supportChannelId);
    expect(JSON.stringify(prompt?.components)).toContain(TICKET_BUTTON_ID);
    h.org.emu.injectButton(h.org.supportChannelId, h.org.alice.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    const thread = await h.org.emu.waitForAction('thread');
    expect(thread.parentId).toBe(h.org.supportChannelId);
    const channel = h.org.emu.world.channels.get(thread.channelId);
    expect(channel?.type).toBe(12);
    await h.org.emu.waitForAction('thread-member', (a) => a.userId === h.org.alice.id);
    const [intro] = await h.org.emu.waitForBotMessage(thread.channelId);
    expect(intro?.content).toContain(`<@&${h.org.staffRoleId}>`);
    expect(intro?.allowedMentions).toMatchObject({ users: [h.org.alice.id], roles: [h.org.staffRoleId] });
    const opened = await h.sink.waitFor((events) =>
      events.find((e) => e.type === 'button' && e.data === 'ticket:open'),
    );
    expect(opened.thread).toMatchObject({ key: thread.channelId, kind: 'thread' });
    const reply = await h.org.emu.waitForAction('edit', (a) => a.channelId === h.org.supportChannelId);
    expect(h.org.emu.world.messages.get(reply.messageId)?.content).toContain(`<#${thread.channelId}>`);

    // A second click points to the same thread instead of opening another.
    h.org.emu.injectButton(h.org.supportChannelId, h.org.alice.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    await h.org.emu.waitFor(() => h.org.emu.actions.filter((a) => a.kind === 'edit').length >= 2);
    expect(h.org.emu.actions.filter((a) => a.kind === 'thread')).toHaveLength(1);

    // Messages in the ticket thread are addressed to the bot.
    h.org.emu.injectGuildMessage(thread.channelId, h.org.alice.id, 'I sent funds to a fake support account');
    const inThread = await h.sink.waitFor((events) =>
      events.find((e) => e.type === 'message' && e.thread.key === thread.channelId),
    );
    expect(inThread).toMatchObject({ addressedToBot: true, thread: { kind: 'thread' } });
  });

  it('keeps one ticket per user across a restart: a new process finds the open thread', async () => {
    await h.boot();
    const [prompt] = await h.org.emu.waitForBotMessage(h.org.supportChannelId);
    h.org.emu.injectButton(h.org.supportChannelId, h.org.alice.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    const thread = await h.org.emu.waitForAction('thread');
    await h.org.emu.waitForAction('edit', (a) => a.channelId === h.org.supportChannelId);

    await h.adapter.stop();
    await h.boot();
    h.org.emu.injectButton(h.org.supportChannelId, h.org.alice.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    await h.org.emu.waitFor(() => h.org.emu.actions.filter((a) => a.kind === 'edit').length >= 2);
    expect(h.org.emu.actions.filter((a) => a.kind === 'thread')).toHaveLength(1);
    const edits = h.org.emu.actions.filter((a) => a.kind === 'edit');
    const answer = h.org.emu.world.messages.get(edits.at(-1)?.messageId ?? '');
    expect(answer?.content).toContain(`<#${thread.channelId}>`);

    // Another user with a thread of their own is not sent to Alice's.
    h.org.emu.injectButton(h.org.supportChannelId, h.org.mod.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    await h.org.emu.waitFor(() => h.org.emu.actions.filter((a) => a.kind === 'thread').length === 2);
  });

  it('registers slash commands, defers them and answers through the interaction', async () => {
    await h.boot();
    await h.org.emu.waitForAction('commands');
    expect(h.org.emu.world.commands.get(h.org.guildId)?.length).toBe(6);
    const interaction = h.org.emu.injectSlash(h.org.supportChannelId, h.org.alice.id, 'verify', {
      what: 'examp1e-wallet.com',
    });
    const deferred = await h.org.emu.waitForAction('interaction-response');
    expect(deferred.callbackType).toBe(5);
    const event = await h.sink.waitFor((events) => events.find((e) => e.type === 'button'));
    expect(event).toMatchObject({
      eventId: interaction.id,
      data: 'cmd:/verify examp1e-wallet.com',
      platformMessageId: `interaction:${interaction.id}`,
    });
    await h.adapter.send({
      type: 'send',
      id: 'out-verify',
      channel: 'discord',
      threadKey: h.org.supportChannelId,
      text: 'examp1e-wallet.com is NOT ours.',
      style: 'warning',
      replyToPlatformId: `interaction:${interaction.id}`,
    });
    const answered = h.org.emu.world.interactions.get(interaction.id);
    const answer = h.org.emu.world.messages.get(answered?.originalMessageId ?? '');
    expect(answer?.flags).toBe(64);
    expect(JSON.stringify(answer?.embeds)).toContain('is NOT ours');
    // Nothing was posted publicly in the support channel apart from the ticket prompt.
    expect(h.org.emu.botMessagesIn(h.org.supportChannelId).filter((m) => m.flags !== 64)).toHaveLength(1);
  });

  it('refuses moderator commands to non-moderators and accepts them from moderators', async () => {
    await h.boot();
    h.org.emu.injectSlash(h.org.generalChannelId, h.org.alice.id, 'flag', { what: 'scam.example' });
    const refused = await h.org.emu.waitForAction('interaction-response');
    expect(refused).toMatchObject({ callbackType: 4 });
    expect(JSON.stringify(refused.data)).toContain('Only moderators');
    h.org.emu.injectSlash(h.org.generalChannelId, h.org.mod.id, 'flag', {
      what: 'scam.example',
      reason: 'phishing kit',
    });
    const flagged = await h.sink.waitFor((events) => events.find((e) => e.type === 'button'));
    expect(flagged).toMatchObject({ data: 'cmd:/flag scam.example', sender: { userId: h.org.mod.id } });
    const reason = await h.sink.waitFor((events) => events.find((e) => e.type === 'message'));
    expect(reason).toMatchObject({ text: 'phishing kit', eventId: `${flagged.eventId}:text` });
    expect(h.sink.events.filter((e) => e.sender.userId === h.org.alice.id)).toHaveLength(0);
  });

  it('acknowledges a deferred command the router has not answered', async () => {
    await h.boot({ interactionFallbackMs: 100 });
    const dm = h.org.emu.dmChannel(h.org.alice.id);
    const interaction = h.org.emu.injectSlash(dm.id, h.org.alice.id, 'support', {
      question: 'how do I reset 2FA?',
    });
    await h.org.emu.waitFor(
      () => h.org.emu.world.interactions.get(interaction.id)?.originalMessageId,
      3000,
      'the fallback answer',
    );
    const question = await h.sink.waitFor((events) => events.find((e) => e.type === 'message'));
    expect(question).toMatchObject({ text: 'how do I reset 2FA?', thread: { key: dm.id, kind: 'private' } });
  });

  it('answers clicks at once and hands them to the router', async () => {
    await h.boot();
    const dm = h.org.emu.dmChannel(h.org.alice.id);
    await h.adapter.send({
      type: 'send',
      id: 'menu',
      channel: 'discord',
      threadKey: dm.id,
      text: 'What do you need?',
      style: 'plain',
      buttons: [[{ label: 'Verify', data: 'menu:verify' }]],
    });
    const [menu] = await h.org.emu.waitForBotMessage(dm.id);
    const click = h.org.emu.injectButton(dm.id, h.org.alice.id, menu?.id ?? '', 'menu:verify');
    const pick = h.org.emu.injectSelect(dm.id, h.org.alice.id, menu?.id ?? '', 'lang', ['zh']);
    const events = await h.sink.waitFor((all) =>
      all.filter((e) => e.type === 'button').length >= 2 ? all : undefined,
    );
    expect(events.find((e) => e.eventId === click.id)).toMatchObject({
      data: 'menu:verify',
      platformMessageId: menu?.id,
    });
    expect(events.find((e) => e.eventId === pick.id)).toMatchObject({ data: 'lang:zh' });
    expect(h.org.emu.world.interactions.get(click.id)?.callbackType).toBe(6);
  });

  it('still hands an interaction to the router when Discord refused the late acknowledgement', async () => {
    await h.boot();
    h.org.emu.setInteractionDeadline(-1);
    const dm = h.org.emu.dmChannel(h.org.alice.id);
    const late = h.org.emu.injectSlash(dm.id, h.org.alice.id, 'verify', { what: 'example.com' });
    const event = await h.sink.waitFor((events) => events.find((e) => e.eventId === late.id));
    expect(event).toMatchObject({ type: 'button', data: 'cmd:/verify example.com' });
    await h.adapter.send({
      type: 'send',
      id: 'late',
      channel: 'discord',
      threadKey: dm.id,
      text: 'It is ours.',
      style: 'plain',
    });
    expect(h.org.emu.botMessagesIn(dm.id).map((m) => m.content)).toEqual(['It is ours.']);
  });
});
