/**
 * Telegram end to end: the Bot API emulator, the real telegraf adapter and the whole
 * Verity pipeline (Redis store, router, rate-limited delivery). Outcomes and counts are
 * asserted, never durations: the machine running this may be busy.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TelegramEmulator } from '../../adapters/telegram/emulator/emulator.ts';
import { createTelegramChannel } from '../../adapters/telegram/index.ts';
import { decodeLiveEntry } from '../../src/bus/live.ts';
import { Composer } from '../../src/router/composer.ts';
import type { RouterContext } from '../../src/router/context.ts';
import { freePort } from '../../src/store/local-redis.ts';
import { captureLog, echo, testRuntime, waitFor } from '../support/pipeline.ts';
import { startFixture, stopFixture } from '../support/processes.ts';
import { dropPrefix, testRedis } from '../support/redis.ts';
import {
  conversationOf,
  messagesOf,
  onCleanup,
  startEmulator,
  stopAll,
  TELEGRAM_LIMITS,
  telegramAdapter,
  telegramPipeline,
} from './support/telegram.ts';

afterEach(stopAll);

/** Echoes addressed messages, offers a button on "menu", and answers presses. */
function assistant() {
  return new Composer<RouterContext>()
    .on('button', (ctx) => {
      if (ctx.event.type === 'button') ctx.reply(`pressed: ${ctx.event.data}`);
    })
    .on('message:addressed', (ctx, next) => {
      if (!ctx.text.endsWith('menu')) return next();
      ctx.reply({ text: 'Pick one', buttons: [[{ label: 'Verify a link', data: 'verify' }]] });
    })
    .use(echo())
    .middleware();
}

const sentTexts = (emu: TelegramEmulator, chat: number) => emu.sentMessages(chat).map((s) => s.text);

describe('telegram through the pipeline', () => {
  it('a DM becomes a stored conversation and gets a reply', async () => {
    const { emu, runtime } = await telegramPipeline();
    const ann = emu.addUser({ first_name: 'Ann', username: 'ann_t' });
    const { message } = emu.privateMessage(ann, 'is this wallet site real?');
    await emu.waitForSent(ann.id, 1, 15_000);
    expect(sentTexts(emu, ann.id)).toEqual(['echo: is this wallet site real?']);

    const id = await conversationOf(runtime, ann.id);
    const conversation = await runtime.store.get(id);
    expect(conversation).toMatchObject({ channel: 'telegram', status: 'open' });
    const messages = await waitFor(async () => {
      const all = await messagesOf(runtime, id);
      return all[1]?.delivery?.state === 'sent' ? all : undefined;
    });
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatchObject({
      direction: 'in',
      text: 'is this wallet site real?',
      platformMessageId: String(message.message_id),
      author: { kind: 'user', id: String(ann.id) },
    });
    expect(messages[1]).toMatchObject({ direction: 'out', text: 'echo: is this wallet site real?' });
    expect(emu.stats().totalViolations).toBe(0);
  });

  it('answers a group mention, stores a plain group message without answering it', async () => {
    const { emu, runtime } = await telegramPipeline();
    const group = emu.addGroup({ title: 'Holders', type: 'supergroup' });
    const bo = emu.addUser({ first_name: 'Bo' });
    emu.message(group, bo, 'gm everyone');
    emu.mentionBot(group, bo, 'how do I stake?');
    await emu.waitForSent(group.id, 1, 15_000);
    expect(sentTexts(emu, group.id)).toEqual([`echo: @${emu.bot.username} how do I stake?`]);

    const id = await conversationOf(runtime, group.id);
    const messages = await waitFor(async () => {
      const all = await messagesOf(runtime, id);
      return all.length >= 3 ? all : undefined;
    });
    expect(messages.map((m) => [m.direction, m.text])).toEqual([
      ['in', 'gm everyone'],
      ['in', `@${emu.bot.username} how do I stake?`],
      ['out', `echo: @${emu.bot.username} how do I stake?`],
    ]);
    // Nothing more goes out for the plain message, even given time.
    await new Promise((r) => setTimeout(r, 500));
    expect(emu.sentMessages(group.id)).toHaveLength(1);
  });

  it('a button press reaches the router, which answers it', async () => {
    const { emu, runtime } = await telegramPipeline({ middleware: assistant() });
    const cy = emu.addUser({ first_name: 'Cy' });
    emu.privateMessage(cy, 'menu');
    const [offer] = await emu.waitForSent(cy.id, 1, 15_000);
    if (offer?.kind !== 'message') throw new Error('expected the menu message');
    expect(offer.buttons?.[0]?.[0]?.callback_data).toBe('verify');

    const { queryId } = emu.pressButton(cy.id, offer.messageId, cy);
    await emu.waitForSent(cy.id, 2, 15_000);
    expect(sentTexts(emu, cy.id)).toEqual(['Pick one', 'pressed: verify']);
    expect(emu.answeredCallbacks.map((c) => c.callbackQueryId)).toContain(queryId);
    const id = await conversationOf(runtime, cy.id);
    expect((await messagesOf(runtime, id)).map((m) => m.text)).toContain('pressed: verify');
  });

  it('an edit updates the stored message and keeps what it said before', async () => {
    const { emu, runtime } = await telegramPipeline();
    const dee = emu.addUser({ first_name: 'Dee' });
    const { message } = emu.privateMessage(dee, 'my adress is 0xabc');
    await emu.waitForSent(dee.id, 1, 15_000);
    emu.editMessage(dee.id, message.message_id, 'my address is 0xabc');
    const id = await conversationOf(runtime, dee.id);
    const edited = await waitFor(
      async () => {
        const [first] = await messagesOf(runtime, id);
        return first && first.edits.length > 0 ? first : undefined;
      },
      15_000,
      'the edit',
    );
    expect(edited.platformMessageId).toBe(String(message.message_id));
    expect(edited.text).toBe('my address is 0xabc');
    expect(edited.edits.map((e) => e.text)).toEqual(['my adress is 0xabc']);
    // An edit is not a new turn: the conversation holds the message and the one reply.
    expect(await messagesOf(runtime, id)).toHaveLength(2);
  });

  it('a photo is stored as an attachment with its file id', async () => {
    const { emu, runtime } = await telegramPipeline();
    const eve = emu.addUser({ first_name: 'Eve' });
    emu.privateMessage(eve, {
      caption: 'this popup asked for my seed',
      media: { kind: 'photo', bytes: Buffer.from('jpeg bytes') },
    });
    await emu.waitForSent(eve.id, 1, 15_000);
    const id = await conversationOf(runtime, eve.id);
    const [stored] = await messagesOf(runtime, id);
    expect(stored?.attachments).toHaveLength(1);
    expect(stored?.attachments[0]).toMatchObject({ type: 'photo', mimeType: 'image/jpeg' });
    expect(stored?.attachments[0]?.fileId).toEqual(expect.any(String));
  });

  it('an album is one turn: every photo is stored, the bot answers once', async () => {
    const { emu, runtime } = await telegramPipeline();
    const flo = emu.addUser({ first_name: 'Flo' });
    for (const n of [1, 2, 3]) {
      emu.privateMessage(flo, {
        mediaGroupId: 'album-1',
        media: { kind: 'photo', bytes: Buffer.from(`jpeg ${n}`) },
      });
    }
    emu.privateMessage(flo, 'that is all');
    await emu.waitForSent(flo.id, 2, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(sentTexts(emu, flo.id)).toEqual(['echo: ', 'echo: that is all']);
    const id = await conversationOf(runtime, flo.id);
    const photos = (await messagesOf(runtime, id)).filter((m) => m.album === 'album-1');
    expect(photos.map((m) => m.attachments[0]?.type)).toEqual(['photo', 'photo', 'photo']);
  });
});

describe('telegram through the pipeline: webhook, limits, failures', () => {
  it('webhook mode: the right secret is accepted end to end, a wrong one refused with 401', async () => {
    const secret = 'e2e-webhook-secret-0123456789';
    const port = await freePort();
    const hookUrl = `http://127.0.0.1:${port}/telegram/hook`;
    const { emu, runtime, adapterLog } = await telegramPipeline({
      emulator: { webhookRetryMs: 50 },
      webhookSecret: secret,
      settings: { mode: 'webhook', webhook: { publicUrl: hookUrl, listen: { host: '127.0.0.1', port } } },
    });
    const fay = emu.addUser({ first_name: 'Fay' });
    emu.privateMessage(fay, 'via the webhook');
    await emu.waitForSent(fay.id, 1, 15_000);
    expect(sentTexts(emu, fay.id)).toEqual(['echo: via the webhook']);
    expect(emu.stats().webhook.delivered).toBeGreaterThanOrEqual(1);

    const forged = {
      update_id: 999_999,
      message: {
        message_id: 1,
        date: 1,
        chat: { id: fay.id, type: 'private' },
        from: { id: fay.id, is_bot: false, first_name: 'Fay' },
        text: 'forged',
      },
    };
    for (const headers of [{ 'x-telegram-bot-api-secret-token': 'not-the-secret-0000000' }, {}]) {
      const res = await fetch(hookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(forged),
      });
      expect(res.status).toBe(401);
    }
    expect(adapterLog.text()).not.toContain('not-the-secret');
    const id = await conversationOf(runtime, fay.id);
    await new Promise((r) => setTimeout(r, 300));
    expect((await messagesOf(runtime, id)).map((m) => m.text)).not.toContain('forged');
  });

  it('a 429 storm ends with every message delivered and no limit violated', async () => {
    // Tight platform limits, and Verity configured to the same numbers.
    const limits = {
      perSecond: 8,
      perChat: { count: 1, windowMs: 1000 },
      perGroup: { count: 5, windowMs: 3000 },
    };
    const { emu, runtime } = await telegramPipeline({
      emulator: { limits },
      limits:
        '{ perSecond: 8, perChat: { count: 1, windowMs: 1000 }, perGroup: { count: 5, windowMs: 3000 } }',
    });
    // On top of the limits, the platform throws flood waits at the first sends.
    emu.failNext(
      'sendMessage',
      { error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
      4,
    );
    const users = Array.from({ length: 6 }, (_, i) => emu.addUser({ first_name: `storm${i}` }));
    const group = emu.addGroup({ title: 'Storm' });
    const expected = new Map<number, string[]>();
    const expect1 = (chat: number, text: string) => expected.set(chat, [...(expected.get(chat) ?? []), text]);
    for (let round = 0; round < 3; round++) {
      for (const user of users) {
        emu.privateMessage(user, `q${round} from ${user.first_name}`);
        expect1(user.id, `echo: q${round} from ${user.first_name}`);
      }
      const mention = `@${emu.bot.username} group q${round}`;
      emu.message(group, users[0]!, mention);
      expect1(group.id, `echo: ${mention}`);
    }
    for (const [chat, texts] of expected) {
      await emu.waitForSent(chat, texts.length, 60_000);
    }
    for (const [chat, texts] of expected) expect(sentTexts(emu, chat)).toEqual(texts);
    expect(emu.stats().totalViolations).toBe(0);
    // The four refused sends were retried: 21 replies took 25 calls.
    expect(emu.stats().calls.sendmessage).toBe(25);
    // Every reply's delivery is recorded as sent.
    for (const chat of expected.keys()) {
      const id = await conversationOf(runtime, chat);
      const out = await waitFor(async () => {
        const replies = (await messagesOf(runtime, id)).filter((m) => m.direction === 'out');
        return replies.every((m) => m.delivery?.state === 'sent') ? replies : undefined;
      });
      expect(out).toHaveLength(3);
    }
  });

  it('one receiving process and two delivering ones: every reply goes out once, inside the shared limits', async () => {
    const emu = await startEmulator({
      limits: {
        perSecond: 30,
        perChat: { count: 1, windowMs: 1000 },
        perGroup: { count: 20, windowMs: 60_000 },
      },
    });
    const config = `  telegram: { limits: ${TELEGRAM_LIMITS} }`;
    const receiverLog = captureLog();
    const receiverAdapter = telegramAdapter(emu, receiverLog.logger);
    const receiver = testRuntime({
      adapters: [receiverAdapter],
      roles: ['router', 'receive:telegram'],
      config,
    });
    const senders = [1, 2].map((n) => {
      const adapter = telegramAdapter(emu, captureLog().logger);
      const sent = vi.spyOn(adapter, 'send');
      const { runtime } = testRuntime({
        adapters: [adapter],
        roles: ['deliver:telegram'],
        prefix: receiver.prefix,
        consumerName: `sender-${n}`,
        config,
      });
      return { adapter, runtime, sent };
    });
    const receiverSent = vi.spyOn(receiverAdapter, 'send');
    onCleanup(async () => {
      await Promise.all([receiver.runtime.stop(), ...senders.map((s) => s.runtime.stop())]);
      const { redis } = testRedis();
      await dropPrefix(redis, receiver.prefix);
      redis.disconnect();
    });
    await receiver.runtime.start();
    for (const sender of senders) await sender.runtime.start();
    expect(senders[0]?.runtime.health().channels.telegram).toMatchObject({
      ok: true,
      detail: 'sending only',
    });

    const users = Array.from({ length: 8 }, (_, i) => emu.addUser({ first_name: `split${i}` }));
    for (let round = 0; round < 3; round++) {
      for (const user of users) emu.privateMessage(user, `q${round} from ${user.first_name}`);
    }
    for (const user of users) await emu.waitForSent(user.id, 3, 30_000);
    for (const user of users) {
      expect(sentTexts(emu, user.id).sort()).toEqual(
        [0, 1, 2].map((round) => `echo: q${round} from ${user.first_name}`),
      );
    }
    expect(receiverSent).not.toHaveBeenCalled();
    expect(senders.reduce((n, s) => n + s.sent.mock.calls.length, 0)).toBe(24);
    expect(emu.stats().totalViolations).toBe(0);
    // Each process checked the token once. Only the receiver polls: had a sender polled too,
    // the receiver's long poll would have been cut off with Telegram's 409, which it logs.
    expect(emu.stats().calls.getme).toBe(3);
    expect(receiverLog.log.text()).not.toContain('getUpdates: 409');
  });

  it('a 403 (bot blocked) marks the conversation unreachable and the reply failed with the reason', async () => {
    const { emu, runtime } = await telegramPipeline();
    const gus = emu.addUser({ first_name: 'Gus' });
    emu.blockBot(gus.id);
    emu.privateMessage(gus, 'hello?');
    const id = await conversationOf(runtime, gus.id);
    const conversation = await waitFor(async () => {
      const c = await runtime.store.get(id);
      return c?.unreachable ? c : undefined;
    }, 15_000);
    expect(conversation.unreachable).toBe('blocked');
    const reply = (await messagesOf(runtime, id)).find((m) => m.direction === 'out');
    expect(reply?.delivery).toMatchObject({ state: 'failed', error: 'blocked' });
    expect(emu.sentMessages(gus.id)).toHaveLength(0);
  });

  it('a user who blocks the bot is marked unreachable at once, with no send, and reachable when they restart it', async () => {
    const { emu, runtime } = await telegramPipeline();
    const ivy = emu.addUser({ first_name: 'Ivy' });
    emu.privateMessage(ivy, 'hi');
    await emu.waitForSent(ivy.id, 1, 15_000);
    const id = await conversationOf(runtime, ivy.id);
    const calls = () => emu.stats().calls.sendmessage ?? 0;
    const sendsBefore = calls();
    emu.blockBot(ivy.id);
    await waitFor(
      async () => (await runtime.store.get(id))?.unreachable === 'blocked',
      15_000,
      'unreachable',
    );
    expect(calls()).toBe(sendsBefore);
    emu.unblockBot(ivy.id);
    await waitFor(async () => (await runtime.store.get(id))?.unreachable === undefined, 15_000, 'reachable');
    expect(calls()).toBe(sendsBefore);
    // Both changes reached the inbox's live stream too.
    const live = await runtime.redis.xrange(runtime.store.keys.liveStream(), '-', '+');
    const changes = live
      .flatMap(([, fields]) => decodeLiveEntry(fields[fields.indexOf('e') + 1]))
      .filter((e) => e.type === 'conversation' && e.conversationId === id && 'unreachable' in e.data)
      .map((e) => e.data.unreachable);
    expect(changes).toEqual(['blocked', null]);
  });

  it('an adapter process killed between receiving and storing an update loses nothing after restart', async () => {
    const emu = await startEmulator();
    const hal = emu.addUser({ first_name: 'Hal' });
    const child = await startFixture('test/e2e/fixtures/telegram-adapter-process.ts', {
      apiRoot: emu.apiRoot,
      token: emu.token,
    });
    onCleanup(() => stopFixture(child, 'SIGKILL'));
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    const { update, message } = emu.privateMessage(hal, 'did my deposit arrive?');
    const eventId = `${hal.id}:${message.message_id}`;
    await waitFor(() => out.includes(`ingest ${eventId}`), 20_000, 'the update in the doomed process');
    child.kill('SIGKILL');
    await once(child, 'exit');
    // Received but never stored, so never confirmed to the platform.
    expect(emu.stats().confirmedOffset).toBeLessThanOrEqual(update.update_id);
    emu.privateMessage(hal, 'hello? anyone?');

    const { runtime } = await telegramPipeline({ emu });
    await emu.waitForSent(hal.id, 2, 20_000);
    expect(sentTexts(emu, hal.id)).toEqual(['echo: did my deposit arrive?', 'echo: hello? anyone?']);
    const id = await conversationOf(runtime, hal.id);
    const inbound = (await messagesOf(runtime, id)).filter((m) => m.direction === 'in');
    expect(inbound.map((m) => m.text)).toEqual(['did my deposit arrive?', 'hello? anyone?']);
    await waitFor(() => emu.stats().pendingUpdates === 0, 10_000, 'every update confirmed');
    await new Promise((r) => setTimeout(r, 300));
    expect(emu.sentMessages(hal.id)).toHaveLength(2);
    // Its waits (a child process to start, then a restart) add up past the default 30 s on a loaded machine.
  }, 60_000);

  it("the app's sandbox channel (no token) runs the pipeline against an emulator enforcing the configured limits", async () => {
    const limits = { perSecond: 5, perChat: { count: 1, windowMs: 1000 } };
    const { logger } = captureLog();
    const channel = await createTelegramChannel({ section: { limits }, env: {}, logger });
    const { emulator } = channel;
    if (!emulator) throw new Error('expected the sandbox emulator');
    onCleanup(() => channel.close());
    const { runtime } = testRuntime({
      adapters: [channel.adapter],
      config: '  telegram: { limits: { perSecond: 5, perChat: { count: 1, windowMs: 1000 } } }',
    });
    onCleanup(async () => {
      await runtime.stop();
      const { redis } = testRedis();
      await dropPrefix(redis, runtime.store.keys.prefix);
      redis.disconnect();
    });
    await runtime.start();
    const users = Array.from({ length: 4 }, (_, i) => emulator.addUser({ first_name: `sb${i}` }));
    for (const round of [1, 2]) for (const user of users) emulator.privateMessage(user, `ping ${round}`);
    for (const user of users) await emulator.waitForSent(user.id, 2, 30_000);
    for (const user of users) expect(sentTexts(emulator, user.id)).toEqual(['echo: ping 1', 'echo: ping 2']);
    expect(emulator.stats().totalViolations).toBe(0);
  });
});
