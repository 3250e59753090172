import { describe, expect, it } from 'vitest';
import { FloodControl, TELEGRAM_LIMITS } from './limits.ts';

describe('FloodControl', () => {
  it('allows 1 a second per chat, with a small tolerance for jitter', () => {
    const flood = new FloodControl(TELEGRAM_LIMITS, true);
    expect(flood.admit(1, 0)).toBeUndefined();
    expect(flood.admit(1, 500)).toEqual({ kind: 'chat', retryAfterSeconds: 1 });
    expect(flood.admit(1, 980)).toBeUndefined();
    expect(flood.admit(2, 981)).toBeUndefined();
    expect(flood.violations).toEqual({ bot: 0, chat: 1, group: 0 });
  });

  it('allows 30 a second per bot across chats', () => {
    const flood = new FloodControl(TELEGRAM_LIMITS, true);
    for (let chat = 1; chat <= 30; chat++) expect(flood.admit(chat, chat)).toBeUndefined();
    expect(flood.admit(31, 40)).toMatchObject({ kind: 'bot' });
    expect(flood.admit(31, 1000)).toBeUndefined();
    expect(flood.violations.bot).toBe(1);
  });

  it('allows 20 a minute per group and says how long to wait', () => {
    const flood = new FloodControl({ ...TELEGRAM_LIMITS, perChat: { count: 100, windowMs: 1000 } }, true);
    for (let i = 0; i < 20; i++) expect(flood.admit(-5, i * 100)).toBeUndefined();
    expect(flood.admit(-5, 2000)).toEqual({ kind: 'group', retryAfterSeconds: 58 });
    expect(flood.admit(5, 2000)).toBeUndefined();
  });

  it('counts without refusing when not enforcing, and does nothing when lifted', () => {
    const counting = new FloodControl(TELEGRAM_LIMITS, false);
    expect(counting.admit(1, 0)).toBeUndefined();
    expect(counting.admit(1, 10)).toBeUndefined();
    expect(counting.violations.chat).toBe(1);
    const lifted = new FloodControl(false, true);
    for (let i = 0; i < 100; i++) expect(lifted.admit(1, 0)).toBeUndefined();
    expect(lifted.violations).toEqual({ bot: 0, chat: 0, group: 0 });
  });
});
