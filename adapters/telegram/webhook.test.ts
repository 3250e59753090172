import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../src/store/local-redis.ts';
import { TelegramAdapter } from './adapter.ts';
import { startTelegramEmulator, type TelegramEmulator } from './emulator/emulator.ts';
import { capturingLogger, RecordingSink } from './testing.ts';
import { SECRET_HEADER, secretMatches } from './webhook.ts';

const SECRET = 'webhook-secret-0123456789abcdef';

let emu: TelegramEmulator;
let adapter: TelegramAdapter;
let sink: RecordingSink;
let log: ReturnType<typeof capturingLogger>;
let hookUrl: string;

beforeEach(async () => {
  emu = await startTelegramEmulator({ webhookRetryMs: 50 });
  log = capturingLogger();
  sink = new RecordingSink();
  const port = await freePort();
  hookUrl = `http://127.0.0.1:${port}/telegram/hook`;
  adapter = new TelegramAdapter({
    token: emu.token,
    webhookSecret: SECRET,
    logger: log.logger,
    settings: {
      apiRoot: emu.apiRoot,
      mode: 'webhook',
      webhook: { publicUrl: hookUrl, listen: { host: '127.0.0.1', port } },
      ingestRetry: { initialMs: 20, maxMs: 100 },
    },
  });
  await adapter.start(sink);
});
afterEach(async () => {
  await adapter.stop();
  await emu.close();
});

const post = (headers: Record<string, string>, body: unknown) =>
  fetch(hookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('webhook mode', () => {
  it('registers the webhook and receives pushed updates', async () => {
    const user = emu.addUser();
    const { message } = emu.privateMessage(user, 'via webhook');
    await sink.waitForEvent(`${user.id}:${message.message_id}`);
    await vi.waitFor(() => expect(emu.stats().webhook.delivered).toBe(1));
    expect(emu.stats().pendingUpdates).toBe(0);
  });

  it('refuses a wrong or missing secret with 401, logs it without the secret, and ingests nothing', async () => {
    const forged = {
      update_id: 999,
      message: { message_id: 1, date: 1, chat: { id: 5, type: 'private' }, text: 'x' },
    };
    expect((await post({ [SECRET_HEADER]: 'guess-guess-guess-guess' }, forged)).status).toBe(401);
    expect((await post({}, forged)).status).toBe(401);
    expect(sink.attempts).toBe(0);
    const refusals = log.lines.filter((l) => l.msg?.includes('secret token does not match'));
    expect(refusals).toHaveLength(2);
    expect(log.text()).not.toContain(SECRET);
    expect(log.text()).not.toContain('guess-guess');
    expect((await fetch(hookUrl)).status).toBe(405);
  });

  it('answers 200 only once stored, so a failing sink loses nothing', async () => {
    sink.failures = 3;
    const user = emu.addUser();
    const { message } = emu.privateMessage(user, 'are you there?');
    await sink.waitForEvent(`${user.id}:${message.message_id}`);
    await vi.waitFor(() => expect(emu.stats().webhook.delivered).toBe(1));
    expect(emu.stats().webhook.failures).toBe(0);
    expect(sink.events).toHaveLength(1);
  });

  it('answers 503 for an update left unstored at stop, so Telegram delivers it again', async () => {
    sink.failures = Number.POSITIVE_INFINITY;
    const user = emu.addUser();
    emu.privateMessage(user, 'hello');
    await vi.waitFor(() => expect(sink.attempts).toBeGreaterThanOrEqual(2));
    await adapter.stop();
    await vi.waitFor(() => expect(emu.stats().webhook.failures).toBeGreaterThanOrEqual(1));
    expect(emu.stats().pendingUpdates).toBe(1);
  });
});

describe('secretMatches', () => {
  it('compares whole values only', () => {
    expect(secretMatches(SECRET, SECRET)).toBe(true);
    expect(secretMatches(SECRET, SECRET.slice(0, -1))).toBe(false);
    expect(secretMatches(SECRET, `${SECRET}x`)).toBe(false);
    expect(secretMatches(SECRET, [SECRET])).toBe(false);
    expect(secretMatches(SECRET, undefined)).toBe(false);
  });
});
