import { FileBox } from 'file-box';
import { afterEach, describe, expect, it } from 'vitest';
import { startWechatOaEmulator, type WechatOaEmulator } from './emulator/index.ts';
import { OaApiError } from './oa/api-client.ts';
import { HardenedOaPuppet } from './oa-puppet.ts';
import { quietLogger } from './testing.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startPuppet(): Promise<{ emulator: WechatOaEmulator; puppet: HardenedOaPuppet }> {
  const emulator = await startWechatOaEmulator();
  cleanups.push(() => emulator.close());
  const puppet = new HardenedOaPuppet({
    appId: emulator.appId,
    appSecret: emulator.appSecret,
    token: emulator.token,
    host: '127.0.0.1',
    port: 0,
    apiBase: emulator.apiBase,
    logger: quietLogger,
  });
  await puppet.start();
  cleanups.push(() => puppet.stop());
  const address = puppet.callbackAddress();
  emulator.setCallbackUrl(`http://${address?.host}:${address?.port}/`);
  return { emulator, puppet };
}

describe('HardenedOaPuppet', () => {
  it('logs in as gh_<appId> without touching HOME or the real API', async () => {
    const { emulator, puppet } = await startPuppet();
    expect(puppet.isLoggedIn).toBe(true);
    expect(puppet.currentUserId).toBe(`gh_${emulator.appId}`);
    expect(emulator.tokensIssued).toBe(1);
  });

  it('uploads media and sends image and news messages', async () => {
    const { emulator, puppet } = await startPuppet();
    await emulator.follow('o_1');
    await emulator.userSends('o_1', { type: 'text', content: 'show me' });
    const png = FileBox.fromBuffer(Buffer.from([0x89, 0x50, 0x4e, 0x47]), 'notice.png');
    await puppet.messageSendFile('o_1', png);
    await puppet.messageSendUrl('o_1', { title: 'Official notice', url: 'https://example.com/notice' });
    expect(emulator.sentTo('o_1').map((m) => m.msgtype)).toEqual(['image', 'news']);
  });

  it('keeps the errcode when WeChat refuses a send', async () => {
    const { emulator, puppet } = await startPuppet();
    await emulator.follow('o_2');
    await emulator.unfollow('o_2');
    const refused = await puppet.messageSendText('o_2', 'hello').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OaApiError);
    expect(refused).toMatchObject({ errcode: 45015 });
  });

  it('falls back to a bare contact when user/info fails, so messages are not lost', async () => {
    const { puppet } = await startPuppet();
    await expect(puppet.contactPayload('o_unknown')).resolves.toMatchObject({ id: 'o_unknown', name: '' });
  });

  it('publishes events on oaEvents, not as wechaty messages', async () => {
    const { emulator, puppet } = await startPuppet();
    const events: string[] = [];
    const messages: string[] = [];
    puppet.oaEvents.on('event', (e) => events.push(`${e.Event}:${e.EventKey ?? ''}`));
    puppet.on('message', (m) => {
      messages.push(m.messageId);
    });
    await emulator.follow('o_3', { scene: 'poster' });
    await emulator.click('o_3', 'MENU_HELP');
    await new Promise((r) => setTimeout(r, 30));
    expect(events).toEqual(['subscribe:qrscene_poster', 'CLICK:MENU_HELP']);
    expect(messages).toEqual([]);
  });
});
