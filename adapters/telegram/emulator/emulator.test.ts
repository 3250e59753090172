import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Input, Telegram } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTelegramEmulator, type TelegramEmulator } from './emulator.ts';

let emu: TelegramEmulator;

beforeEach(async () => {
  emu = await startTelegramEmulator();
});
afterEach(async () => {
  await emu.close();
});

const Updates = z.object({ result: z.array(z.object({ update_id: z.number() }).loose()) });
const TextUpdates = z.object({
  result: z.array(z.object({ update_id: z.number(), message: z.object({ text: z.string() }) })),
});
const RetryAfter = z.object({ parameters: z.object({ retry_after: z.number() }) });

async function call(method: string, params: Record<string, unknown> = {}, token = emu.token) {
  const res = await fetch(new URL(`./bot${token}/${method}`, emu.apiRoot), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  const body: unknown = await res.json();
  return { status: res.status, body };
}

describe('envelopes', () => {
  it('answers getMe with ok/result and refuses a wrong token with 401', async () => {
    expect(await call('getMe')).toMatchObject({ status: 200, body: { ok: true, result: { is_bot: true } } });
    expect(await call('getMe', {}, '1:wrong')).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: 'Unauthorized' },
    });
    expect((await call('noSuchMethod')).status).toBe(404);
  });

  it('uses the Bot API wording for bad requests', async () => {
    const user = emu.addUser({ first_name: 'Ann' });
    expect((await call('sendMessage', { chat_id: 42, text: 'hi' })).body).toMatchObject({
      error_code: 400,
      description: 'Bad Request: chat not found',
    });
    emu.privateMessage(user, 'hello');
    expect((await call('sendMessage', { chat_id: user.id, text: '' })).body).toMatchObject({
      description: 'Bad Request: message text is empty',
    });
    expect((await call('sendMessage', { chat_id: user.id, text: 'x'.repeat(4097) })).body).toMatchObject({
      description: 'Bad Request: message is too long',
    });
    expect(
      (await call('sendMessage', { chat_id: user.id, text: 'v1.0', parse_mode: 'MarkdownV2' })).body,
    ).toMatchObject({ description: expect.stringContaining("Character '.' is reserved") });
    expect(
      (
        await call('sendMessage', {
          chat_id: user.id,
          text: 'a',
          reply_markup: { inline_keyboard: [[{ text: 'b' }]] },
        })
      ).body,
    ).toMatchObject({ error_code: 400 });
  });

  it('refuses sends to a user who blocked the bot and to a vanished chat', async () => {
    const user = emu.addUser();
    emu.privateMessage(user, 'hi');
    emu.blockBot(user.id);
    expect((await call('sendMessage', { chat_id: user.id, text: 'hi' })).body).toEqual({
      ok: false,
      error_code: 403,
      description: 'Forbidden: bot was blocked by the user',
    });
    emu.unblockBot(user.id);
    expect((await call('sendMessage', { chat_id: user.id, text: 'back' })).body).toMatchObject({ ok: true });
    // The bot hears of both as Telegram tells it: my_chat_member in the user's private chat.
    const { body } = await call('getUpdates', { timeout: 0 });
    const standing = (body as { result: Array<{ my_chat_member?: unknown }> }).result
      .filter((u) => u.my_chat_member !== undefined)
      .map((u) => u.my_chat_member);
    expect(standing).toMatchObject([
      {
        chat: { id: user.id, type: 'private' },
        from: { id: user.id },
        old_chat_member: { status: 'member', user: { id: emu.bot.id } },
        new_chat_member: { status: 'kicked', until_date: 0, user: { id: emu.bot.id } },
      },
      { old_chat_member: { status: 'kicked' }, new_chat_member: { status: 'member' } },
    ]);
    const group = emu.addGroup({ title: 'G' });
    emu.removeChat(group.id);
    expect((await call('sendMessage', { chat_id: group.id, text: 'hi' })).body).toMatchObject({
      error_code: 400,
      description: 'Bad Request: chat not found',
    });
  });
});

describe('getUpdates', () => {
  it('holds a long poll until an update arrives, and never answers [] at once', async () => {
    const started = Date.now();
    expect((await call('getUpdates', { timeout: 1 })).body).toEqual({ ok: true, result: [] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);

    const user = emu.addUser();
    const pending = call('getUpdates', { timeout: 10 });
    setTimeout(() => emu.privateMessage(user, 'wake up'), 100);
    const woke = Date.now();
    const { body } = await pending;
    expect(Date.now() - woke).toBeLessThan(2000);
    expect(body).toMatchObject({ ok: true, result: [{ update_id: 1, message: { text: 'wake up' } }] });
  });

  it('drops updates below the offset and returns at most `limit` (≤ 100)', async () => {
    const user = emu.addUser();
    for (let i = 0; i < 150; i++) emu.privateMessage(user, `m${i}`);
    const first = await call('getUpdates', {});
    expect(first.body).toMatchObject({ ok: true });
    const ids = Updates.parse(first.body).result.map((u) => u.update_id);
    expect(ids).toHaveLength(100);
    const second = await call('getUpdates', { offset: 101, limit: 10 });
    expect(Updates.parse(second.body).result.map((u) => u.update_id)[0]).toBe(101);
    expect(emu.stats()).toMatchObject({ pendingUpdates: 50, confirmedOffset: 101 });
    expect((await call('getUpdates', { limit: 101 })).status).toBe(400);
  });

  it('drains a long backlog in order, each update once, skipping kinds not asked for', async () => {
    const group = emu.addGroup({ title: 'G' });
    const user = emu.addUser();
    for (let i = 0; i < 3000; i++) {
      if (i === 1500) emu.renameMember(group, user.id, { first_name: 'Renamed' });
      emu.privateMessage(user, `m${i}`);
    }
    const texts: string[] = [];
    let offset = 0;
    for (;;) {
      const { result } = TextUpdates.parse((await call('getUpdates', { offset })).body);
      const last = result.at(-1);
      if (!last) break;
      texts.push(...result.map((u) => u.message.text));
      offset = last.update_id + 1;
    }
    expect(texts).toEqual(Array.from({ length: 3000 }, (_, i) => `m${i}`));
    expect(emu.stats()).toMatchObject({ pendingUpdates: 0 });

    for (let i = 0; i < 5; i++) emu.privateMessage(user, `late${i}`);
    const lastTwo = Updates.parse((await call('getUpdates', { offset: -2 })).body);
    expect(lastTwo.result.map((u) => u.update_id)).toEqual([offset + 3, offset + 4]);
  });

  it('leaves chat_member updates out unless asked for', async () => {
    const group = emu.addGroup({ title: 'G' });
    const user = emu.addUser({ first_name: 'Old' });
    emu.renameMember(group, user.id, { first_name: 'New' });
    emu.message(group, user, 'after');
    const plain = Updates.parse((await call('getUpdates', {})).body);
    expect(plain.result.map((u) => Object.keys(u).filter((k) => k !== 'update_id'))).toEqual([['message']]);

    emu.renameMember(group, user.id, { first_name: 'Newer' });
    const asked = Updates.parse(
      (await call('getUpdates', { allowed_updates: ['message', 'chat_member'] })).body,
    );
    expect(asked.result.some((u) => 'chat_member' in u)).toBe(true);
  });
});

describe('webhook', () => {
  let hook: Server;
  let received: { secret: string | undefined; body: unknown }[];
  let failFirst: number;

  beforeEach(async () => {
    received = [];
    failFirst = 0;
    hook = createServer((req: IncomingMessage, res) => {
      let data = '';
      req.on('data', (c: Buffer) => {
        data += c.toString('utf8');
      });
      req.on('end', () => {
        if (failFirst > 0) {
          failFirst -= 1;
          res.writeHead(500).end();
          return;
        }
        const secret = req.headers['x-telegram-bot-api-secret-token'];
        received.push({ secret: typeof secret === 'string' ? secret : undefined, body: JSON.parse(data) });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', () => resolve()));
  });
  afterEach(async () => {
    await new Promise<void>((resolve) => hook.close(() => resolve()));
  });

  it('refuses getUpdates with 409 while set, pushes with the secret and retries non-2xx', async () => {
    const address = hook.address();
    if (address === null || typeof address === 'string') throw new Error('hook not listening');
    const port = address.port;
    failFirst = 2;
    await call('setWebhook', { url: `http://127.0.0.1:${port}/tg`, secret_token: 's3cret' });
    expect(await call('getUpdates', {})).toMatchObject({ status: 409, body: { ok: false, error_code: 409 } });

    const user = emu.addUser();
    emu.privateMessage(user, 'via hook');
    await emu.waitFor(() => received.length === 1, 5000);
    expect(received[0]).toMatchObject({ secret: 's3cret', body: { message: { text: 'via hook' } } });
    expect(emu.stats().webhook).toMatchObject({ delivered: 1, failures: 2 });
    const info = (await call('getWebhookInfo')).body;
    expect(info).toMatchObject({
      result: { pending_update_count: 0, last_error_message: expect.any(String) },
    });

    await call('deleteWebhook');
    expect((await call('getUpdates', {})).status).toBe(200);
  });
});

describe('flood limits', () => {
  it('answers 429 with retry_after and counts the violation', async () => {
    const user = emu.addUser();
    emu.privateMessage(user, 'hi');
    expect((await call('sendMessage', { chat_id: user.id, text: 'one' })).status).toBe(200);
    expect(await call('sendMessage', { chat_id: user.id, text: 'two' })).toMatchObject({
      status: 429,
      body: { ok: false, error_code: 429, parameters: { retry_after: 1 } },
    });
    expect(emu.stats()).toMatchObject({ totalViolations: 1, violations: { chat: 1 } });
    expect(emu.sentMessages(user.id).map((m) => m.text)).toEqual(['one']);
  });

  it('limits groups to 20 a minute and the bot to 30 a second', async () => {
    emu.setLimits({ perChat: { count: 100, windowMs: 1000 } });
    const group = emu.addGroup({ title: 'G' });
    const statuses: number[] = [];
    for (let i = 0; i < 21; i++)
      statuses.push((await call('sendMessage', { chat_id: group.id, text: `g${i}` })).status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(1);
    const refused = await call('sendMessage', { chat_id: group.id, text: 'again' });
    expect(RetryAfter.parse(refused.body).parameters.retry_after).toBeGreaterThan(50);
    expect(emu.stats().violations.group).toBe(2);

    emu.setLimits({ perSecond: 3, perChat: { count: 100, windowMs: 1000 } });
    const users = Array.from({ length: 4 }, () => emu.addUser());
    for (const u of users) emu.privateMessage(u, 'hi');
    const results: number[] = [];
    for (const u of users) results.push((await call('sendMessage', { chat_id: u.id, text: 'x' })).status);
    expect(results).toEqual([200, 200, 200, 429]);
    expect(emu.stats().violations.bot).toBe(1);
  });

  it('can count without refusing, or lift the limits', async () => {
    const user = emu.addUser();
    emu.privateMessage(user, 'hi');
    emu.setLimits({}, false);
    for (let i = 0; i < 3; i++)
      expect((await call('sendMessage', { chat_id: user.id, text: `${i}` })).status).toBe(200);
    expect(emu.stats().totalViolations).toBe(2);
    emu.setLimits(false);
    for (let i = 0; i < 3; i++)
      expect((await call('sendMessage', { chat_id: user.id, text: `${i}` })).status).toBe(200);
    expect(emu.stats().totalViolations).toBe(2);
  });
});

describe('through telegraf', () => {
  it('sends, edits, deletes, answers callbacks, records actions and serves files', async () => {
    const tg = new Telegram(emu.token, { apiRoot: emu.apiRoot });
    const user = emu.addUser({ first_name: 'Ann' });
    emu.privateMessage(user, 'hi');
    const sent = await tg.sendMessage(user.id, 'pick one', {
      reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }]] },
    });
    const { queryId } = emu.pressButton(user.id, sent.message_id, user);
    await tg.answerCbQuery(queryId, 'noted');
    await expect(tg.answerCbQuery(queryId)).rejects.toMatchObject({ code: 400 });
    emu.setLimits(false);
    await tg.editMessageText(user.id, sent.message_id, undefined, 'picked');
    await tg.sendChatAction(user.id, 'typing');
    await tg.deleteMessage(user.id, sent.message_id);
    expect(emu.sent(user.id).map((e) => e.kind)).toEqual(['message', 'edit', 'action', 'delete']);
    expect(emu.answeredCallbacks).toMatchObject([{ callbackQueryId: queryId, text: 'noted' }]);

    const photo = await tg.sendPhoto(user.id, Input.fromBuffer(Buffer.from('jpegdata'), 'p.jpg'), {
      caption: 'c',
    });
    const largest = photo.photo.at(-1);
    if (!largest) throw new Error('no photo sizes');
    const link = await tg.getFileLink(largest.file_id);
    expect(await (await fetch(link)).text()).toBe('jpegdata');

    await tg.setMyCommands([{ command: 'help', description: '帮助' }], { language_code: 'zh' });
    expect(await tg.getMyCommands({ language_code: 'zh' })).toEqual([
      { command: 'help', description: '帮助' },
    ]);
    expect(await tg.getMyCommands()).toEqual([]);
  });

  it('throws TelegramError with retry_after on 429 and the status text on 5xx', async () => {
    const tg = new Telegram(emu.token, { apiRoot: emu.apiRoot });
    const user = emu.addUser();
    emu.privateMessage(user, 'hi');
    emu.failNext('sendMessage', { error_code: 502, description: 'Bad Gateway' });
    await expect(tg.sendMessage(user.id, 'x')).rejects.toMatchObject({
      code: 502,
      description: 'Bad Gateway',
    });
    await tg.sendMessage(user.id, 'y');
    await expect(tg.sendMessage(user.id, 'z')).rejects.toMatchObject({
      code: 429,
      parameters: { retry_after: 1 },
    });
  });
});

describe('HTTP control (sandbox)', () => {
  it('plays users over HTTP and validates every body', async () => {
    const sandbox = await startTelegramEmulator({ httpControl: true });
    try {
      const control = async (action: string, body: unknown) => {
        const res = await fetch(new URL(`./control/${action}`, sandbox.apiRoot), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return {
          status: res.status,
          body: z
            .object({ ok: z.boolean() })
            .loose()
            .parse(await res.json()),
        };
      };
      const created = await control('user', { first_name: 'Ann', username: 'ann_l' });
      const { id } = z.object({ result: z.object({ id: z.number() }) }).parse(created.body).result;
      const group = z
        .object({ result: z.object({ id: z.number() }) })
        .parse((await control('group', { title: 'G' })).body).result;
      expect((await control('private-message', { userId: id, text: 'hello' })).status).toBe(200);
      expect(
        (await control('group-message', { chatId: group.id, userId: id, text: 'hi', mention: true })).status,
      ).toBe(200);
      const res = await fetch(new URL(`./bot${sandbox.token}/getUpdates`, sandbox.apiRoot));
      const polled = Updates.parse(await res.json()).result;
      expect(polled.map((u) => u.message)).toMatchObject([
        { text: 'hello' },
        { text: '@ExampleWalletBot hi', entities: [{ type: 'mention', offset: 0, length: 17 }] },
      ]);
      const bad = await control('private-message', { userId: 'ann' });
      expect(bad).toMatchObject({
        status: 400,
        body: { ok: false, description: expect.stringContaining('userId') },
      });
      expect((await control('nope', {})).status).toBe(400);
      expect((await control('private-message', { userId: 99, text: 'x' })).body).toMatchObject({
        description: 'no user 99',
      });
      expect((await control('stats', {})).body).toMatchObject({ ok: true, result: { pendingUpdates: 2 } });
    } finally {
      await sandbox.close();
    }
  });
});
