import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sign } from '../oa/signature.ts';
import { parseFlatXml } from '../oa/xml.ts';
import { startWechatOaEmulator, type WechatOaEmulator } from './index.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function emulator(
  options: Parameters<typeof startWechatOaEmulator>[0] = {},
): Promise<WechatOaEmulator> {
  const e = await startWechatOaEmulator(options);
  cleanups.push(() => e.close());
  return e;
}

interface Received {
  query: URLSearchParams;
  body: string;
}

/** A stand-in callback receiver that answers after `delayMs` (or never answers when null). */
async function receiver(delayMs: number | null): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      received.push({ query: new URL(req.url ?? '/', 'http://x').searchParams, body });
      if (delayMs !== null) setTimeout(() => res.end('success'), delayMs);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/wechat`, received };
}

async function api(e: WechatOaEmulator, path: string, init?: RequestInit): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(path, e.apiBase), init);
  const json: unknown = await response.json();
  if (typeof json !== 'object' || json === null) throw new Error('not an object');
  return Object.fromEntries(Object.entries(json));
}

async function token(e: WechatOaEmulator): Promise<string> {
  const answer = await api(e, `token?grant_type=client_credential&appid=${e.appId}&secret=${e.appSecret}`);
  return String(answer.access_token);
}

const send = (e: WechatOaEmulator, accessToken: string, body: unknown) =>
  api(e, `message/custom/send?access_token=${accessToken}`, { method: 'POST', body: JSON.stringify(body) });

describe('WeChat OA emulator', () => {
  it('pushes signed XML with the query WeChat uses', async () => {
    const e = await emulator();
    const r = await receiver(0);
    e.setCallbackUrl(r.url);
    await e.follow('o_1');
    const push = await e.userSends('o_1', { type: 'voice', recognition: '你好' });
    expect(push.delivered).toBe(true);
    const last = r.received.at(-1);
    const q = last?.query ?? new URLSearchParams();
    expect(q.get('signature')).toBe(sign([e.token, q.get('timestamp') ?? '', q.get('nonce') ?? '']));
    expect(q.get('openid')).toBe('o_1');
    expect(parseFlatXml(last?.body ?? '')).toMatchObject({
      ToUserName: e.accountId,
      FromUserName: 'o_1',
      MsgType: 'voice',
      Recognition: '你好',
      MsgId: push.msgId,
    });
  });

  it('retries the same MsgId up to 3 times when the answer is late', async () => {
    const e = await emulator({ answerTimeoutMs: 100 });
    const r = await receiver(300);
    e.setCallbackUrl(r.url);
    await e.follow('o_2');
    const push = await e.userSends('o_2', { type: 'text', content: 'hi' });
    expect(push.delivered).toBe(false);
    expect(push.attempts.map((a) => a.status)).toEqual(['timeout', 'timeout', 'timeout', 'timeout']);
    const msgIds = r.received
      .map((x) => parseFlatXml(x.body))
      .flatMap((f) => (f.MsgType === 'text' ? [f.MsgId] : []));
    expect(msgIds).toEqual([push.msgId, push.msgId, push.msgId, push.msgId]);
  });

  it('issues tokens that expire, and retires a superseded one after the grace period', async () => {
    const e = await emulator({ tokenGraceMs: 60_000 });
    const r = await receiver(0);
    e.setCallbackUrl(r.url);
    await e.follow('o_3');
    await e.userSends('o_3', { type: 'text', content: 'hi' });
    const first = await token(e);
    const second = await token(e);
    const text = (content: string) => ({ touser: 'o_3', msgtype: 'text', text: { content } });
    expect(await send(e, first, text('a'))).toMatchObject({ errcode: 0 });
    e.advance(61_000);
    expect(await send(e, first, text('b'))).toMatchObject({ errcode: 40001 });
    expect(await send(e, second, text('c'))).toMatchObject({ errcode: 0 });
    e.advance(7200_000);
    expect(await send(e, second, text('d'))).toMatchObject({ errcode: 42001 });
    expect(await send(e, 'made-up', text('e'))).toMatchObject({ errcode: 40001 });
    expect(e.sentTo('o_3').map((m) => m.content)).toEqual(['a', 'c']);
  });

  it('answers 40164 to every call when the IP whitelist excludes us', async () => {
    const e = await emulator();
    e.setIpWhitelisted(false);
    expect(
      await api(e, `token?grant_type=client_credential&appid=${e.appId}&secret=${e.appSecret}`),
    ).toMatchObject({
      errcode: 40164,
    });
  });

  it('validates send bodies and accepts uploaded media', async () => {
    const e = await emulator();
    const r = await receiver(0);
    e.setCallbackUrl(r.url);
    await e.follow('o_4');
    await e.userSends('o_4', { type: 'text', content: 'hi' });
    const t = await token(e);
    expect(await send(e, t, { touser: 'o_4', msgtype: 'sticker', sticker: {} })).toMatchObject({
      errcode: 40008,
    });
    expect(
      await send(e, t, { touser: 'o_4', msgtype: 'text', text: { content: 'x'.repeat(2049) } }),
    ).toMatchObject({
      errcode: 45002,
    });
    expect(await send(e, t, { touser: 'o_4', msgtype: 'image', image: { media_id: 'nope' } })).toMatchObject({
      errcode: 40007,
    });
    const form = new FormData();
    form.append('media', new Blob([new Uint8Array([1, 2, 3])], { type: 'image/png' }), 'a.png');
    const upload = await api(e, `media/upload?access_token=${t}&type=image`, { method: 'POST', body: form });
    expect(upload).toMatchObject({ type: 'image' });
    expect(
      await send(e, t, { touser: 'o_4', msgtype: 'image', image: { media_id: upload.media_id } }),
    ).toMatchObject({
      errcode: 0,
    });
    expect(await api(e, `user/info?access_token=${t}&openid=o_4`)).toMatchObject({
      subscribe: 1,
      openid: 'o_4',
    });
    expect(await api(e, `user/info?access_token=${t}&openid=o_none`)).toMatchObject({ errcode: 40003 });
  });

  it('closes the window when the user unfollows', async () => {
    const e = await emulator();
    const r = await receiver(0);
    e.setCallbackUrl(r.url);
    await e.follow('o_5');
    await e.userSends('o_5', { type: 'text', content: 'hi' });
    await e.unfollow('o_5');
    const t = await token(e);
    expect(await send(e, t, { touser: 'o_5', msgtype: 'text', text: { content: 'bye' } })).toMatchObject({
      errcode: 45015,
    });
  });
});
