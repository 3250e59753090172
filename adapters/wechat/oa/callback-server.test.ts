import { afterEach, describe, expect, it } from 'vitest';
import { quietLogger } from '../testing.ts';
import { OaCallbackServer } from './callback-server.ts';
import type { OaPush } from './push.ts';
import { sign } from './signature.ts';
import { buildFlatXml } from './xml.ts';

const TOKEN = 'verityToken1';
const servers: OaCallbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(handler?: (push: OaPush) => Promise<void>, answerBudgetMs = 0) {
  const pushes: OaPush[] = [];
  const server = new OaCallbackServer({
    appId: 'wx0000000000000001',
    token: TOKEN,
    host: '127.0.0.1',
    port: 0,
    maxSkewSeconds: 300,
    logger: quietLogger,
    answerBudgetMs,
    onPush: async (p) => {
      pushes.push(p);
      await handler?.(p);
    },
  });
  servers.push(server);
  const { port } = await server.listen();
  return { base: `http://127.0.0.1:${port}/`, pushes };
}

function signed(base: string, extra: Record<string, string> = {}) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = '12345';
  const url = new URL(base);
  for (const [k, v] of Object.entries({
    timestamp,
    nonce,
    signature: sign([TOKEN, timestamp, nonce]),
    ...extra,
  })) {
    url.searchParams.set(k, v);
  }
  return url;
}

describe('OaCallbackServer', () => {
  it('answers the GET handshake with echostr only when signed', async () => {
    const { base } = await start();
    const ok = await fetch(signed(base, { echostr: 'abc123' }));
    expect([ok.status, await ok.text()]).toEqual([200, 'abc123']);
    const forged = await fetch(`${base}?timestamp=1&nonce=2&signature=00&echostr=abc123`);
    expect(forged.status).toBe(403);
  });

  it('refuses a signed but malformed or incomplete push with 400', async () => {
    const { base, pushes } = await start();
    const malformed = await fetch(signed(base), { method: 'POST', body: '<xml><A>' });
    expect(malformed.status).toBe(400);
    const incomplete = await fetch(signed(base), {
      method: 'POST',
      body: buildFlatXml({ ToUserName: 'gh', FromUserName: 'o', CreateTime: 1, MsgType: 'text', MsgId: '1' }),
    });
    expect(incomplete.status).toBe(400);
    expect(pushes).toHaveLength(0);
  });

  it('keeps an unknown message type as "other" rather than dropping it', async () => {
    const { base, pushes } = await start();
    const res = await fetch(signed(base), {
      method: 'POST',
      body: buildFlatXml({
        ToUserName: 'gh',
        FromUserName: 'o',
        CreateTime: 1,
        MsgType: 'file',
        MsgId: '77',
      }),
    });
    expect(await res.text()).toBe('success');
    await new Promise((r) => setTimeout(r, 20));
    expect(pushes).toMatchObject([{ kind: 'other', push: { MsgType: 'file', MsgId: '77' } }]);
  });

  it('survives signed garbage: every body gets 200 or 400, never a crash', async () => {
    const { base } = await start();
    const pieces = [
      '<xml>',
      '</xml>',
      '<MsgType>',
      '</MsgType>',
      'text',
      '<![CDATA[',
      ']]>',
      '<MsgId>1</MsgId>',
      '&amp;',
      '<',
      '>',
      '客服',
      '\u0000',
      '<CreateTime>9</CreateTime>',
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 200; i++) {
      const body = Array.from({ length: random() % 12 }, () => pieces[random() % pieces.length]).join('');
      const res = await fetch(signed(base), { method: 'POST', body });
      expect([200, 400]).toContain(res.status);
    }
    const ok = await fetch(signed(base, { echostr: 'alive' }));
    expect(await ok.text()).toBe('alive');
  });

  it('answers 500 when the push could not be stored, and handles the retry', async () => {
    let failures = 1;
    const { base, pushes } = await start(async () => {
      if (failures-- > 0) throw new Error('storage down');
    }, 1000);
    const body = buildFlatXml({
      ToUserName: 'gh',
      FromUserName: 'o',
      CreateTime: 1,
      MsgType: 'text',
      Content: 'x',
      MsgId: '9',
    });
    const first = await fetch(signed(base), { method: 'POST', body });
    expect(first.status).toBe(500);
    const retry = await fetch(signed(base), { method: 'POST', body });
    expect([retry.status, await retry.text()]).toEqual([200, 'success']);
    const again = await fetch(signed(base), { method: 'POST', body });
    expect(again.status).toBe(200);
    expect(pushes).toHaveLength(2);
  });

  it('answers success at the budget when handling is slow, and a retry in flight waits with it', async () => {
    const { base, pushes } = await start(() => new Promise((r) => setTimeout(r, 400)), 100);
    const body = buildFlatXml({
      ToUserName: 'gh',
      FromUserName: 'o',
      CreateTime: 1,
      MsgType: 'text',
      Content: 'x',
      MsgId: '10',
    });
    const started = performance.now();
    const [a, b] = await Promise.all([
      fetch(signed(base), { method: 'POST', body }),
      fetch(signed(base), { method: 'POST', body }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(performance.now() - started).toBeLessThan(350);
    expect(pushes).toHaveLength(1);
  });
});
