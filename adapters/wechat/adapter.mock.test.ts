import { afterEach, describe, expect, it } from 'vitest';
import { types } from 'wechaty';
import { WechatAdapter } from './adapter.ts';
import { loadWechatConfig } from './config.ts';
import { createMockPuppet } from './puppets.ts';
import { quietLogger, RecordingSink } from './testing.ts';

const config = loadWechatConfig({ WECHATY_PUPPET: 'mock', WECHAT_START_TIMEOUT_MS: '5000' });
const adapters: WechatAdapter[] = [];

async function startMock() {
  const handle = createMockPuppet();
  const adapter = new WechatAdapter({
    config,
    logger: quietLogger,
    puppet: handle,
    ingestRetry: { initialMs: 10, maxMs: 50 },
  });
  adapters.push(adapter);
  const sink = new RecordingSink();
  await adapter.start(sink);
  return { handle, adapter, sink };
}

afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.stop()));
});

describe('WechatAdapter on the mock puppet', () => {
  it('turns a direct text into a message event and reports healthy', async () => {
    const { handle, adapter, sink } = await startMock();
    expect(adapter.health()).toMatchObject({ ok: true, info: { puppet: 'mock' } });
    const alice = handle.mocker.createContact({ name: 'Alice' });
    alice.say('hello support').to(handle.self);
    const [event] = await sink.waitFor(1);
    expect(event).toMatchObject({
      type: 'message',
      channel: 'wechat',
      text: 'hello support',
      thread: { key: alice.id, kind: 'private' },
      sender: { userId: alice.id, displayName: 'Alice' },
      addressedToBot: true,
    });
    // Mock timestamps are milliseconds: the event time must be "now", not year 50000.
    expect(Math.abs((event?.at ?? 0) - Date.now())).toBeLessThan(10_000);
  });

  it('delivers a send to the mock contact and ignores its own echo', async () => {
    const { handle, adapter, sink } = await startMock();
    const alice = handle.mocker.createContact({ name: 'Alice' });
    const received = new Promise<string | undefined>((resolve) => {
      alice.on('message', (m: { text(): string | undefined; talker(): { id: string } }) => {
        if (m.talker().id === handle.self.id) resolve(m.text());
      });
    });
    await adapter.send({
      type: 'send',
      id: 'cmd-1',
      channel: 'wechat',
      threadKey: alice.id,
      text: 'How can we help?',
      style: 'plain',
      buttons: [[{ label: 'Account', data: 'account' }], [{ label: 'Other', data: 'other' }]],
    });
    expect(await received).toBe('How can we help?\n\n1. Account\n2. Other');
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.events).toHaveLength(0);
  });

  it('marks group messages addressed to the bot only when it is mentioned', async () => {
    const { handle, sink } = await startMock();
    const alice = handle.mocker.createContact({ name: 'Alice' });
    const room = handle.mocker.createRoom({
      topic: 'Example users',
      memberIdList: [alice.id, handle.self.id],
    });
    alice.say('just chatting').to(room);
    alice.say('@Verity help please', [handle.self]).to(room);
    const events = await sink.waitFor(2);
    expect(
      events.map((e) => e.type === 'message' && [e.thread.kind, e.thread.key, e.addressedToBot]),
    ).toEqual([
      ['group', room.id, false],
      ['group', room.id, true],
    ]);
  });

  it('carries a shared contact card name for the trust layer', async () => {
    const { handle, sink } = await startMock();
    const alice = handle.mocker.createContact({ name: 'Alice' });
    const card = handle.mocker.MessageMock.create({
      id: 'card-1',
      talkerId: alice.id,
      listenerId: handle.self.id,
      timestamp: Date.now(),
      type: types.Message.Contact,
      text: '<msg username="wxid_fake01" nickname="Example 客服" />',
    });
    handle.puppet.emit('message', { messageId: card.id });
    const [event] = await sink.waitFor(1);
    expect(event).toMatchObject({
      type: 'message',
      text: 'Example 客服',
      attachments: [
        { type: 'contact', name: 'Example 客服', details: { name: 'Example 客服', id: 'wxid_fake01' } },
      ],
    });
  });

  it('keeps retrying a failing sink instead of dropping the message', async () => {
    const { handle, sink } = await startMock();
    sink.failNext = 3;
    const alice = handle.mocker.createContact({ name: 'Alice' });
    alice.say('are you there?').to(handle.self);
    const [event] = await sink.waitFor(1);
    expect(event).toMatchObject({ text: 'are you there?' });
    expect(sink.calls).toBe(4);
  });

  it('refuses edits, which WeChat cannot do', async () => {
    const { adapter } = await startMock();
    await expect(
      adapter.send({
        type: 'edit',
        id: 'c',
        channel: 'wechat',
        threadKey: 'x',
        platformMessageId: 'm',
        text: 't',
      }),
    ).rejects.toMatchObject({ kind: 'permanent', reason: 'unsupported' });
  });

  it('turns a bare-number reply to numbered options into the button press', async () => {
    const { handle, adapter, sink } = await startMock();
    const alice = handle.mocker.createContact({ name: 'Alice' });
    await adapter.send({
      type: 'send',
      id: 'cmd-2',
      channel: 'wechat',
      threadKey: alice.id,
      text: 'What happened?',
      style: 'plain',
      buttons: [[{ label: 'Lost funds', data: 'topic:funds' }], [{ label: 'Other', data: 'topic:other' }]],
    });
    alice.say('2').to(handle.self);
    alice.say('2').to(handle.self);
    const [choice, text] = await sink.waitFor(2);
    expect(choice).toMatchObject({ type: 'button', data: 'topic:other', thread: { key: alice.id } });
    expect(text).toMatchObject({ type: 'message', text: '2' });
  });
});
