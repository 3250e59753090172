import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { readTelegramConfig } from './config.ts';
import { toDeliveryError } from './errors.ts';
import { parseThreadKey, splitText } from './send.ts';

const TOKEN = '123456:ABCDEFGHIJKLMNOP';

describe('splitText', () => {
  it('keeps short texts whole and splits long ones at breaks, never inside a surrogate pair', () => {
    expect(splitText('hello')).toEqual(['hello']);
    const words = 'word '.repeat(2000);
    const parts = splitText(words);
    expect(parts.every((p) => p.length <= 4096)).toBe(true);
    expect(parts.join(' ').replace(/\s+/g, ' ').trim()).toBe(words.trim());
    const emoji = '😀'.repeat(3000);
    const emojiParts = splitText(emoji);
    expect(emojiParts.join('')).toBe(emoji);
    expect(emojiParts.every((p) => !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
  });
});

describe('parseThreadKey', () => {
  it('reads chat ids and forum topics and refuses anything else as permanent', () => {
    expect(parseThreadKey('-100123:7')).toEqual({ chatId: -100123, topicId: 7 });
    expect(parseThreadKey('42')).toEqual({ chatId: 42 });
    expect(() => parseThreadKey('discord:1')).toThrow(
      expect.objectContaining({ kind: 'permanent', reason: 'invalid' }),
    );
  });
});

describe('toDeliveryError', () => {
  const tg = (error_code: number, description: string, parameters?: { retry_after: number }) =>
    toDeliveryError(
      new TelegramError({ error_code, description, ...(parameters ? { parameters } : {}) }),
      'sendMessage',
      TOKEN,
    );

  it.each([
    [429, 'Too Many Requests: retry after 7', { kind: 'rate-limited', reason: 'flood', retryAfterMs: 7000 }],
    [403, 'Forbidden: bot was blocked by the user', { kind: 'permanent', reason: 'blocked' }],
    [403, 'Forbidden: user is deactivated', { kind: 'permanent', reason: 'deactivated' }],
    [403, 'Forbidden: bot was kicked from the supergroup chat', { kind: 'permanent', reason: 'chat-gone' }],
    [400, 'Bad Request: chat not found', { kind: 'permanent', reason: 'chat-gone' }],
    [400, 'Bad Request: message text is empty', { kind: 'permanent', reason: 'invalid' }],
    [502, 'Bad Gateway', { kind: 'transient', reason: 'server-error' }],
    [401, 'Unauthorized', { kind: 'transient', reason: 'unauthorized' }],
  ])('%i %s', (code, description, expected) => {
    const retry = code === 429 ? { retry_after: 7 } : undefined;
    expect(tg(code, description, retry)).toMatchObject(expected);
  });

  it('treats network failures as transient and never shows the token', () => {
    const error = toDeliveryError(
      new Error(`request to https://api.telegram.org/bot${TOKEN}/x failed`),
      'sendMessage',
      TOKEN,
    );
    expect(error).toMatchObject({ kind: 'transient', reason: 'network' });
    expect(error.message).not.toContain(TOKEN);
  });
});

describe('readTelegramConfig', () => {
  it('reads the section and the environment', () => {
    const { settings, secrets } = readTelegramConfig(
      { enabled: true, limits: { perSecond: 30 } },
      { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: 'http://127.0.0.1:9000/' },
    );
    expect(settings).toMatchObject({
      mode: 'polling',
      apiRoot: 'http://127.0.0.1:9000/',
      commandLanguages: ['en', 'zh'],
    });
    expect(secrets).toEqual({ token: TOKEN });
  });

  it('refuses a missing token, a webhook without secret, and never echoes a secret', () => {
    expect(() => readTelegramConfig({}, {})).toThrow(/TELEGRAM_BOT_TOKEN/);
    const webhook = { mode: 'webhook', webhook: { publicUrl: 'https://bot.example.com/tg' } };
    expect(() => readTelegramConfig(webhook, { TELEGRAM_BOT_TOKEN: TOKEN })).toThrow(/secret/);
    expect(() => readTelegramConfig({ mode: 'webhook' }, { TELEGRAM_BOT_TOKEN: TOKEN })).toThrow(/publicUrl/);
    expect(() => readTelegramConfig({ poling: {} }, { TELEGRAM_BOT_TOKEN: TOKEN })).toThrow(/poling/);
    const weak = 'short!secret';
    const error = (() => {
      try {
        readTelegramConfig(webhook, { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_WEBHOOK_SECRET: weak });
      } catch (e) {
        return String(e);
      }
      return '';
    })();
    expect(error).toContain('TELEGRAM_WEBHOOK_SECRET');
    expect(error).not.toContain(weak);
    const ok = readTelegramConfig(webhook, {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: 'a'.repeat(32),
    });
    expect(ok.settings.webhook).toMatchObject({
      listen: { host: '0.0.0.0', port: 8443 },
      maxConnections: 40,
    });
  });
});
