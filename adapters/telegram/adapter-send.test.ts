import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/core/errors.ts';
import { TelegramAdapter } from './adapter.ts';
import { useEmulatorAdapter } from './testing.ts';

const h = useEmulatorAdapter();

const { send } = h;

describe('failing loudly, never leaking the token', () => {
  it('refuses to start with a wrong token and says why', async () => {
    const wrong = new TelegramAdapter({
      token: '1000001:a-wrong-token-value',
      logger: h.log.logger,
      settings: { apiRoot: h.emu.apiRoot },
    });
    const error = await wrong.start(h.sink).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TELEGRAM_START', message: expect.stringContaining('401') });
    expect(String(error)).not.toContain('a-wrong-token-value');
    expect(wrong.health().ok).toBe(false);
  });

  it('reports an unknown file id as a VerityError', async () => {
    await h.adapter.start(h.sink);
    const error = await h.adapter.fetchFile('no-such-file').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TELEGRAM_FILE', context: { fileId: 'no-such-file' } });
    expect(String(error)).not.toContain(h.emu.token);
  });

  it('explains invalid settings', () => {
    expect(() => h.makeAdapter({ mode: 'carrier-pigeon' })).toThrow(/mode/);
  });
});

describe('sending', () => {
  it('sends plain text, replies, splits long texts, edits, deletes, types and restricts', async () => {
    await h.adapter.start(h.sink);
    h.emu.setLimits(false);
    const user = h.emu.addUser();
    const { message } = h.emu.privateMessage(user, 'hi');
    const reply = await send(String(user.id), 'Hi *there* <b>', {
      replyToPlatformId: String(message.message_id),
    });
    expect(h.emu.sentMessages(user.id)[0]).toMatchObject({
      text: 'Hi *there* <b>',
      replyTo: message.message_id,
    });
    expect(h.emu.sentMessages(user.id)[0]?.parseMode).toBeUndefined();

    const long = `${'word '.repeat(1000)}\n${'x'.repeat(3000)}`;
    await h.adapter.send({
      id: 'long',
      channel: 'telegram',
      type: 'send',
      threadKey: String(user.id),
      text: long,
      style: 'plain',
    });
    const parts = h.emu
      .sentMessages(user.id)
      .slice(1)
      .map((m) => m.text);
    expect(parts.length).toBe(2);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);

    const id = reply.platformMessageId ?? '';
    const base = { channel: 'telegram', threadKey: String(user.id) } as const;
    await h.adapter.send({ ...base, id: 'e', type: 'edit', platformMessageId: id, text: 'Hi there' });
    await h.adapter.send({ ...base, id: 'e2', type: 'edit', platformMessageId: id, text: 'Hi there' });
    await h.adapter.send({ ...base, id: 't', type: 'typing' });
    await h.adapter.send({ ...base, id: 'd', type: 'delete', platformMessageId: id });
    await h.adapter.send({ ...base, id: 'd2', type: 'delete', platformMessageId: id });
    expect(
      h.emu
        .sent(user.id)
        .map((e) => e.kind)
        .slice(-3),
    ).toEqual(['edit', 'action', 'delete']);

    const group = h.emu.addGroup({ title: 'G' });
    await h.adapter.send({
      id: 'r',
      channel: 'telegram',
      type: 'timeout',
      threadKey: String(group.id),
      userId: String(user.id),
      seconds: 5,
    });
    const restrict = h.emu.sent(group.id).at(-1);
    expect(restrict).toMatchObject({ kind: 'restrict', userId: user.id });
    expect(h.adapter.limitScope({ ...base, id: 'x', type: 'typing', threadKey: `${group.id}:3` })).toEqual({
      chat: String(group.id),
      group: true,
    });
  });

  it('maps refusals to DeliveryError kinds', async () => {
    await h.adapter.start(h.sink);
    const user = h.emu.addUser();
    h.emu.privateMessage(user, 'hi');
    await send(String(user.id), 'one');
    const limited = await send(String(user.id), 'two').catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(DeliveryError);
    expect(limited).toMatchObject({ kind: 'rate-limited', retryAfterMs: 1000 });

    h.emu.setLimits(false);
    h.emu.blockBot(user.id);
    const blocked = await send(String(user.id), 'three').catch((e: unknown) => e);
    expect(blocked).toMatchObject({ kind: 'permanent', reason: 'blocked', unreachable: true });

    const gone = await send('424242', 'hello').catch((e: unknown) => e);
    expect(gone).toMatchObject({ kind: 'permanent', reason: 'chat-gone' });

    const other = h.emu.addUser();
    h.emu.privateMessage(other, 'hi');
    h.emu.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error' });
    expect(await send(String(other.id), 'x').catch((e: unknown) => e)).toMatchObject({ kind: 'transient' });
    const badButton = await send(String(other.id), 'x', {
      buttons: [[{ label: 'b', data: 'é'.repeat(40) }]],
    }).catch((e: unknown) => e);
    expect(badButton).toMatchObject({ kind: 'permanent', reason: 'invalid' });
    expect(String(badButton)).not.toContain(h.emu.token);
  });
});
