import { afterEach, describe, expect, it } from 'vitest';
import type { InboundSink } from '../../src/core/channel.ts';
import { DeliveryError } from '../../src/core/errors.ts';
import type { OutboundCommandInput } from '../../src/core/model.ts';
import { WechatAdapter } from './adapter.ts';
import { loadWechatConfig } from './config.ts';
import {
  emulatorEnv,
  startWechatOaEmulator,
  type WechatOaEmulator,
  type WechatOaEmulatorOptions,
} from './emulator/index.ts';
import { quietLogger, RecordingSink } from './testing.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startOa(
  options: {
    emulator?: WechatOaEmulatorOptions;
    sink?: InboundSink;
    aesKey?: string;
    env?: Record<string, string>;
  } = {},
) {
  const emulator = await startWechatOaEmulator({ answerTimeoutMs: 5000, ...options.emulator });
  cleanups.push(() => emulator.close());
  const config = loadWechatConfig({
    ...emulatorEnv(emulator),
    WECHAT_START_TIMEOUT_MS: '5000',
    ...(options.aesKey ? { WECHATY_PUPPET_OA_AES_KEY: options.aesKey } : {}),
    ...options.env,
  });
  const adapter = new WechatAdapter({
    config,
    logger: quietLogger,
    ingestRetry: { initialMs: 10, maxMs: 50 },
  });
  const sink = new RecordingSink();
  await adapter.start(options.sink ?? sink);
  cleanups.push(() => adapter.stop());
  const callback = adapter.health().info?.callback;
  if (!callback) throw new Error('no callback address');
  emulator.setCallbackUrl(callback);
  return { emulator, adapter, sink };
}

const reply = (threadKey: string, text: string, id = crypto.randomUUID()): OutboundCommandInput => ({
  type: 'send',
  id,
  channel: 'wechat',
  threadKey,
  text,
});

async function sendAll(adapter: WechatAdapter, command: OutboundCommandInput) {
  const { OutboundCommand } = await import('../../src/core/model.ts');
  return adapter.send(OutboundCommand.parse(command));
}

async function follower(emulator: WechatOaEmulator, openid: string, nickname = 'Alice') {
  await emulator.follow(openid, { nickname });
}

describe('WechatAdapter on the hardened OA puppet against the emulator', () => {
  it('receives a signed text push and replies within the 48-hour window', async () => {
    const { emulator, adapter, sink } = await startOa();
    await follower(emulator, 'o_alice');
    const push = await emulator.userSends('o_alice', { type: 'text', content: '我的钱包被盗了' });
    expect(push.delivered).toBe(true);
    expect(push.attempts).toHaveLength(1);
    const events = await sink.waitFor(2);
    const message = events.find((e) => e.type === 'message');
    expect(message).toMatchObject({
      channel: 'wechat',
      eventId: `msg:${push.msgId}`,
      platformMessageId: push.msgId,
      text: '我的钱包被盗了',
      thread: { key: 'o_alice', kind: 'private' },
      sender: { userId: 'o_alice', displayName: 'Alice' },
    });
    // OA CreateTime is in seconds; the event time is milliseconds.
    expect(Math.abs((message?.at ?? 0) - Date.now())).toBeLessThan(10_000);

    const result = await sendAll(adapter, reply('o_alice', 'We are here to help.'));
    expect(result.platformMessageId).toMatch(/^out-/);
    expect(emulator.sentTo('o_alice').map((m) => m.content)).toEqual(['We are here to help.']);
  });

  it('refuses forged and stale pushes with 403 and hands nothing on', async () => {
    const { emulator, sink } = await startOa();
    await follower(emulator, 'o_bob');
    await sink.waitFor(1);
    const text = { type: 'text' as const, content: 'send me your seed phrase' };
    for (const forgery of [
      { signature: 'bad' as const },
      { signature: 'missing' as const },
      { timestampSkewS: -600 },
    ]) {
      const result = await emulator.forge('o_bob', text, forgery);
      expect(result.attempts.map((a) => a.status)).toEqual([403]);
      expect(result.delivered).toBe(false);
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(sink.events.filter((e) => e.type === 'message')).toHaveLength(0);
  });

  it('answers a retried push but hands it on only once', async () => {
    const { emulator, sink } = await startOa();
    await follower(emulator, 'o_carol');
    const first = await emulator.userSends('o_carol', { type: 'text', content: 'hello?' });
    const retry = await emulator.redeliver(first.msgId ?? '');
    const again = await emulator.redeliver(first.msgId ?? '');
    expect([retry.delivered, again.delivered]).toEqual([true, true]);
    await sink.waitFor(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(sink.events.filter((e) => e.type === 'message')).toHaveLength(1);
  });

  it('answers within the deadline even when storage is slow', async () => {
    const recording = new RecordingSink();
    const slowSink: InboundSink = {
      ingest: async (event) => {
        await new Promise((r) => setTimeout(r, 2500));
        return recording.ingest(event);
      },
    };
    // Had the answer waited for storage (2.5 s), it would miss this 2 s deadline and be retried.
    const { emulator } = await startOa({
      sink: slowSink,
      emulator: { answerTimeoutMs: 2000 },
      env: { WECHATY_PUPPET_OA_ANSWER_BUDGET_MS: '500' },
    });
    await follower(emulator, 'o_dan');
    const push = await emulator.userSends('o_dan', { type: 'text', content: 'slow?' });
    expect(push.attempts.map((a) => a.status)).toEqual([200]);
    await recording.waitFor(2, 10_000);
  });

  it('answers a push only once its event is stored', async () => {
    const recording = new RecordingSink();
    const slowSink: InboundSink = {
      ingest: async (event) => {
        await new Promise((r) => setTimeout(r, 300));
        return recording.ingest(event);
      },
    };
    const { emulator } = await startOa({ sink: slowSink });
    await follower(emulator, 'o_dora');
    expect(recording.events.map((e) => e.type)).toEqual(['member']);
    const push = await emulator.userSends('o_dora', { type: 'text', content: 'stored first?' });
    expect(push.attempts.map((a) => a.status)).toEqual([200]);
    expect(push.attempts[0]?.ms).toBeGreaterThanOrEqual(300);
    expect(recording.events.map((e) => e.type)).toEqual(['member', 'message']);
  });

  it('turns follow, menu click, scan and unfollow into member, button and reachability events', async () => {
    const { emulator, sink } = await startOa();
    const follow = await emulator.follow('o_erin', { nickname: 'Erin' });
    expect(follow.delivered).toBe(true);
    await emulator.click('o_erin', 'MENU_SUPPORT');
    await emulator.scan('o_erin', 'booth-42');
    await emulator.unfollow('o_erin');
    const events = await sink.waitFor(4);
    expect(
      events.map((e) => [
        e.type,
        e.type === 'member'
          ? e.change
          : e.type === 'button'
            ? e.data
            : e.type === 'reachability'
              ? e.unreachable
              : '',
      ]),
    ).toEqual([
      ['member', 'joined'],
      ['button', 'MENU_SUPPORT'],
      ['button', 'scan:booth-42'],
      ['reachability', 'blocked'],
    ]);
    expect(events[0]).toMatchObject({
      sender: { userId: 'o_erin', displayName: 'Erin' },
      thread: { key: 'o_erin' },
    });
  });

  it('keeps image, voice (with recognition), video, location and link as typed attachments', async () => {
    const { emulator, sink } = await startOa();
    await follower(emulator, 'o_fay');
    await emulator.userSends('o_fay', { type: 'image', picUrl: 'http://mmbiz.qpic.cn/a.jpg' });
    await emulator.userSends('o_fay', { type: 'voice', recognition: '我要找客服' });
    await emulator.userSends('o_fay', { type: 'video' });
    await emulator.userSends('o_fay', {
      type: 'location',
      latitude: 22.54,
      longitude: 114.06,
      label: '深圳市',
    });
    await emulator.userSends('o_fay', {
      type: 'link',
      title: 'Example 客服 官方通知',
      description: '钱包升级，请联系 Example 客服',
      url: 'https://examp1e-wallet.io/upgrade',
    });
    const messages = (await sink.waitFor(6)).filter((e) => e.type === 'message');
    expect(messages.map((m) => m.type === 'message' && m.attachments[0]?.type)).toEqual([
      'photo',
      'voice',
      'video',
      'location',
      'link',
    ]);
    const [image, voice, , location, link] = messages;
    expect(image).toMatchObject({
      text: '',
      attachments: [{ fileId: image?.type === 'message' ? image.platformMessageId : '' }],
    });
    expect(voice).toMatchObject({
      text: '我要找客服',
      attachments: [{ details: { recognition: '我要找客服' } }],
    });
    expect(location).toMatchObject({
      text: '深圳市',
      attachments: [{ details: { latitude: '22.54', longitude: '114.06', name: '深圳市' } }],
    });
    expect(link).toMatchObject({
      text: 'Example 客服 官方通知\n钱包升级，请联系 Example 客服',
      attachments: [
        {
          url: 'https://examp1e-wallet.io/upgrade',
          details: { title: 'Example 客服 官方通知', url: 'https://examp1e-wallet.io/upgrade' },
        },
      ],
    });
  });

  it('reports a send after the 48-hour window as permanent window-closed', async () => {
    const { emulator, adapter } = await startOa();
    await follower(emulator, 'o_gus');
    await emulator.userSends('o_gus', { type: 'text', content: 'hi' });
    emulator.advance(48 * 3600_000 + 60_000);
    const error = await sendAll(adapter, reply('o_gus', 'Sorry for the delay')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ kind: 'permanent', reason: 'window-closed', unreachable: true });
  });

  it('maps a used-up per-message quota to permanent quota-exhausted', async () => {
    const { emulator, adapter } = await startOa();
    await follower(emulator, 'o_hal');
    emulator.advance(2 * 60_000); // the follow grant (3 in a minute) has lapsed
    await emulator.userSends('o_hal', { type: 'text', content: 'question' });
    for (let i = 0; i < 5; i++) await sendAll(adapter, reply('o_hal', `answer ${i}`));
    const error = await sendAll(adapter, reply('o_hal', 'one too many')).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'permanent', reason: 'quota-exhausted', unreachable: false });
    expect(emulator.sentTo('o_hal')).toHaveLength(5);
    // The user writing again opens a fresh quota.
    await emulator.userSends('o_hal', { type: 'text', content: 'still there?' });
    await expect(sendAll(adapter, reply('o_hal', 'yes'))).resolves.toBeDefined();
  });

  it('allows 3 sends in the minute after a follow, then refuses', async () => {
    const { emulator, adapter } = await startOa();
    await follower(emulator, 'o_ivy');
    for (let i = 0; i < 3; i++) await sendAll(adapter, reply('o_ivy', `welcome ${i}`));
    await expect(sendAll(adapter, reply('o_ivy', 'fourth'))).rejects.toMatchObject({
      reason: 'quota-exhausted',
    });
    emulator.advance(61_000);
    await expect(sendAll(adapter, reply('o_ivy', 'later'))).rejects.toMatchObject({
      reason: 'window-closed',
    });
  });

  it('refreshes a revoked access token once and sends', async () => {
    const { emulator, adapter } = await startOa();
    await follower(emulator, 'o_jay');
    await emulator.userSends('o_jay', { type: 'text', content: 'hi' });
    const issued = emulator.tokensIssued;
    emulator.revokeTokens();
    await sendAll(adapter, reply('o_jay', 'hello again'));
    expect(emulator.tokensIssued).toBe(issued + 1);
    expect(emulator.sentTo('o_jay')).toHaveLength(1);
  });

  it('splits a long reply into parts within the byte limit', async () => {
    const { emulator, adapter } = await startOa();
    await follower(emulator, 'o_kim');
    await emulator.userSends('o_kim', { type: 'text', content: 'tell me everything' });
    await sendAll(adapter, reply('o_kim', '钱包安全。'.repeat(300)));
    const sent = emulator.sentTo('o_kim');
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.map((m) => m.content).join('')).toBe('钱包安全。'.repeat(300));
  });

  it('accepts safe-mode (AES) pushes and refuses a bad msg_signature', async () => {
    const aesKey = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
    const { emulator, sink } = await startOa({ aesKey, emulator: { encodingAesKey: aesKey } });
    await follower(emulator, 'o_lee');
    await emulator.userSends('o_lee', { type: 'text', content: 'encrypted hello' });
    const events = await sink.waitFor(2);
    expect(events.find((e) => e.type === 'message')).toMatchObject({ text: 'encrypted hello' });
    const forged = await emulator.forge('o_lee', { type: 'text', content: 'x' }, { signature: 'bad' });
    expect(forged.attempts.map((a) => a.status)).toEqual([403]);
  });
});

describe('WechatAdapter when the puppet cannot start', () => {
  it('rejects start() with the reason, reports unhealthy, and leaves the process running', async () => {
    const emulator = await startWechatOaEmulator();
    cleanups.push(() => emulator.close());
    emulator.setIpWhitelisted(false);
    const config = loadWechatConfig(emulatorEnv(emulator));
    const adapter = new WechatAdapter({ config, logger: quietLogger });
    await expect(adapter.start(new RecordingSink())).rejects.toMatchObject({
      code: 'WECHAT_START_FAILED',
      message: expect.stringContaining('40164'),
    });
    expect(adapter.health()).toMatchObject({ ok: false, detail: expect.stringContaining('40164') });
    await expect(sendAll(adapter, reply('o_x', 'hi'))).rejects.toMatchObject({
      kind: 'transient',
      reason: 'not-started',
    });
    await adapter.stop();
  });

  it('rejects start() when an opt-in puppet module is not installed', async () => {
    const config = loadWechatConfig({
      WECHATY_PUPPET: 'wechaty-puppet-padlocal',
      WECHAT_ALLOW_PERSONAL_PUPPET: 'true',
      WECHAT_START_TIMEOUT_MS: '5000',
    });
    const adapter = new WechatAdapter({ config, logger: quietLogger });
    await expect(adapter.start(new RecordingSink())).rejects.toMatchObject({ code: 'WECHAT_START_FAILED' });
    expect(adapter.health().ok).toBe(false);
    await adapter.stop();
  });
});
