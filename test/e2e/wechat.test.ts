/**
 * WeChat end to end: the OA platform emulator, the hardened Official Account puppet (and
 * the mock puppet), through the whole Verity pipeline (Redis store, router, delivery).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { quietLogger } from '../../adapters/wechat/testing.ts';
import { Composer } from '../../src/router/composer.ts';
import type { RouterContext } from '../../src/router/context.ts';
import { echo, waitFor } from '../support/pipeline.ts';
import { conversationOf, messagesOf, startEmulator, stopAll, telegramAdapter } from './support/telegram.ts';
import {
  mockPipeline,
  oaAdapter,
  oaPipeline,
  startOaEmulator,
  wechatConversation,
  wechatRuntime,
} from './support/wechat.ts';

afterEach(stopAll);

const GREETING = 'Welcome. We never DM first and never ask for your seed phrase.';

function greeter() {
  return new Composer<RouterContext>()
    .on('member:joined', (ctx) => ctx.reply(GREETING))
    .use(echo())
    .middleware();
}

describe('wechat OA through the pipeline', () => {
  it('a signed text push is stored and answered within the window', async () => {
    const { emulator, runtime } = await oaPipeline();
    await emulator.follow('o_alice');
    const push = await emulator.userSends('o_alice', { type: 'text', content: '我的钱包被盗了' });
    expect(push.delivered).toBe(true);
    const [sent] = await emulator.waitForSent('o_alice', 1, 15_000);
    expect(sent?.content).toBe('echo: 我的钱包被盗了');
    const id = await wechatConversation(runtime, 'o_alice');
    const messages = await waitFor(async () => {
      const all = await messagesOf(runtime, id);
      return all[1]?.delivery?.state === 'sent' ? all : undefined;
    });
    expect(messages.map((m) => [m.direction, m.text])).toEqual([
      ['in', '我的钱包被盗了'],
      ['out', 'echo: 我的钱包被盗了'],
    ]);
    expect(messages[0]?.platformMessageId).toBe(push.msgId);
  });

  it('a forged push is refused and nothing is stored', async () => {
    const { emulator, runtime } = await oaPipeline();
    await emulator.follow('o_bob');
    for (const forgery of [{ signature: 'bad' as const }, { signature: 'missing' as const }]) {
      const result = await emulator.forge('o_bob', { type: 'text', content: 'send me your seed' }, forgery);
      expect(result.attempts.map((a) => a.status)).toEqual([403]);
    }
    await emulator.userSends('o_bob', { type: 'text', content: 'real one' });
    await emulator.waitForSent('o_bob', 1, 15_000);
    const id = await wechatConversation(runtime, 'o_bob');
    const inbound = (await messagesOf(runtime, id)).filter((m) => m.direction === 'in');
    expect(inbound.map((m) => m.text)).toEqual(['real one']);
  });

  it('a retried push is stored and answered once', async () => {
    const { emulator, runtime } = await oaPipeline();
    await emulator.follow('o_carol');
    const first = await emulator.userSends('o_carol', { type: 'text', content: 'hello?' });
    const retries = await Promise.all([
      emulator.redeliver(first.msgId ?? ''),
      emulator.redeliver(first.msgId ?? ''),
    ]);
    expect(retries.map((r) => r.delivered)).toEqual([true, true]);
    await emulator.waitForSent('o_carol', 1, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    const id = await wechatConversation(runtime, 'o_carol');
    const messages = await messagesOf(runtime, id);
    expect(messages.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(emulator.sentTo('o_carol')).toHaveLength(1);
  });

  it('a follow reaches the router as a member joined, which greets the new follower', async () => {
    const { emulator, runtime } = await oaPipeline(greeter());
    await emulator.follow('o_dee', { nickname: 'Dee' });
    const [greeting] = await emulator.waitForSent('o_dee', 1, 15_000);
    expect(greeting?.content).toBe(GREETING);
    // A follow is an event, not a turn: it opens no conversation (the store creates them
    // for messages only), so the greeting is delivered but recorded nowhere yet.
    expect(await runtime.store.findByThread('wechat', 'o_dee')).toBeUndefined();
    await emulator.userSends('o_dee', { type: 'text', content: 'thanks' });
    await emulator.waitForSent('o_dee', 2, 15_000);
    expect(emulator.sentTo('o_dee').map((m) => m.content)).toEqual([GREETING, 'echo: thanks']);
  });

  it('a reply after the 48-hour window is recorded as undeliverable and the conversation unreachable', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let held = false;
    // An answer that takes two days (an agent away for the weekend, compressed).
    const late = new Composer<RouterContext>()
      .on('message', async (ctx) => {
        held = true;
        await gate;
        ctx.reply('Sorry for the wait: here is the answer.');
      })
      .middleware();
    const { emulator, runtime } = await oaPipeline(late);
    await emulator.follow('o_eve');
    await emulator.userSends('o_eve', { type: 'text', content: 'anyone there?' });
    await waitFor(() => held, 15_000, 'the handler to hold the turn');
    emulator.advance(49 * 3600_000);
    release();
    const id = await wechatConversation(runtime, 'o_eve');
    const conversation = await waitFor(
      async () => {
        const c = await runtime.store.get(id);
        return c?.unreachable ? c : undefined;
      },
      15_000,
      'the conversation marked unreachable',
    );
    expect(conversation.unreachable).toBe('window-closed');
    const reply = (await messagesOf(runtime, id)).find((m) => m.direction === 'out');
    expect(reply?.delivery).toMatchObject({ state: 'failed', error: 'window-closed' });
    expect(emulator.sentTo('o_eve')).toHaveLength(0);
  });

  it('replies beyond the per-message quota fail with quota-exhausted, the others are delivered', async () => {
    const chatty = new Composer<RouterContext>()
      .on('message', (ctx) => {
        for (let i = 1; i <= 6; i++) ctx.reply(`part ${i}`);
      })
      .middleware();
    const { emulator, runtime } = await oaPipeline(chatty);
    await emulator.follow('o_fay');
    // The follow's own allowance (3 sends within a minute) runs out first.
    emulator.advance(120_000);
    await emulator.userSends('o_fay', { type: 'text', content: 'tell me everything' });
    const id = await wechatConversation(runtime, 'o_fay');
    const replies = await waitFor(
      async () => {
        const out = (await messagesOf(runtime, id)).filter((m) => m.direction === 'out');
        return out.length === 6 &&
          out.every((m) => m.delivery?.state === 'sent' || m.delivery?.state === 'failed')
          ? out
          : undefined;
      },
      20_000,
      'six settled replies',
    );
    const states = replies.map((m) => m.delivery?.error ?? m.delivery?.state);
    expect(states.filter((s) => s === 'sent')).toHaveLength(5);
    expect(states.filter((s) => s === 'quota-exhausted')).toHaveLength(1);
    expect(emulator.sentTo('o_fay')).toHaveLength(5);
    // Quota is not unreachability: the user's next message opens the thread again.
    expect((await runtime.store.get(id))?.unreachable).toBeUndefined();
  });

  it('a WeChat puppet that fails to start leaves Telegram running, and health says why', async () => {
    const oa = await startOaEmulator();
    oa.setIpWhitelisted(false);
    const tg = await startEmulator();
    const { runtime, log } = await wechatRuntime({
      adapters: [oaAdapter(oa), telegramAdapter(tg, quietLogger)],
    });
    const health = runtime.health();
    expect(health.ok).toBe(false);
    expect(health.channels.wechat).toMatchObject({ ok: false });
    expect(health.channels.wechat?.detail).toMatch(/failed to start.*40164/);
    expect(health.channels.telegram).toMatchObject({ ok: true });
    expect(log.text()).toContain('channel failed to start');

    const ann = tg.addUser({ first_name: 'Ann' });
    tg.privateMessage(ann, 'still there?');
    await tg.waitForSent(ann.id, 1, 15_000);
    expect(tg.sentMessages(ann.id).map((s) => s.text)).toEqual(['echo: still there?']);
    expect(await conversationOf(runtime, ann.id)).toEqual(expect.any(String));
  });
});

describe('wechat mock puppet through the pipeline', () => {
  it('a contact message is stored and the reply reaches the contact', async () => {
    const { handle, runtime } = await mockPipeline();
    const alice = handle.mocker.createContact({ name: 'Alice' });
    const received: string[] = [];
    alice.on('message', (m: { text(): string | undefined; talker(): { id: string } }) => {
      if (m.talker().id === handle.self.id) received.push(m.text() ?? '');
    });
    alice.say('is the airdrop real?').to(handle.self);
    await waitFor(() => received.length === 1, 15_000, 'the reply on the mock');
    expect(received).toEqual(['echo: is the airdrop real?']);
    const id = await wechatConversation(runtime, alice.id);
    const messages = await waitFor(async () => {
      const all = await messagesOf(runtime, id);
      return all[1]?.delivery?.state === 'sent' ? all : undefined;
    });
    expect(messages.map((m) => [m.direction, m.text])).toEqual([
      ['in', 'is the airdrop real?'],
      ['out', 'echo: is the airdrop real?'],
    ]);
  });
});
