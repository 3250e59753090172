import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { CodeLedger, canonicalCode, VerificationCodes } from './codes.ts';

const secret = 'a-test-secret-of-32-bytes-length!';
const alice = { channel: 'telegram', userId: '42' };
const mallory = { channel: 'telegram', userId: '43' };

describe('verification codes', () => {
  it('verifies for the user it was issued to, at the time it was issued', () => {
    let now = Date.UTC(2026, 4, 1, 12, 30);
    const codes = new VerificationCodes({ secret, now: () => now });
    const { code, issuedAt } = codes.issue(alice);
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(issuedAt).toBe(Date.UTC(2026, 4, 1, 12, 30));
    now += 3600_000;
    expect(codes.verify(code, alice)).toEqual({ status: 'issued', issuedAt });
    expect(codes.verify(code.toLowerCase().replace(/-/g, ' '), alice)).toEqual({
      status: 'issued',
      issuedAt,
    });
  });

  it('does not verify a copied code for another user, another channel or another secret', () => {
    const codes = new VerificationCodes({ secret });
    const { code } = codes.issue(alice);
    expect(codes.verify(code, mallory)).toEqual({ status: 'not-issued', reason: 'unknown' });
    expect(codes.verify(code, { channel: 'discord', userId: '42' }).status).toBe('not-issued');
    expect(new VerificationCodes({ secret: `${secret}x` }).verify(code, alice).status).toBe('not-issued');
  });

  it('expires, and rejects malformed or invented codes', () => {
    let now = Date.UTC(2026, 0, 1);
    const codes = new VerificationCodes({ secret, ttlMs: 60_000 * 10, now: () => now });
    const { code } = codes.issue(alice);
    now += 60_000 * 11;
    expect(codes.verify(code, alice).status).toBe('expired');
    expect(codes.verify('hello', alice)).toEqual({ status: 'not-issued', reason: 'malformed' });
    expect(codes.verify('0000-0000-0000', alice)).toEqual({ status: 'not-issued', reason: 'unknown' });
    expect(canonicalCode('abcd efgh jkmn')).toBe('ABCD-EFGH-JKMN');
    expect(() => new VerificationCodes({ secret: 'short' })).toThrow();
  });

  it('with a Redis ledger, tells a copied code apart from an invented one', async () => {
    const redis = new Redis(inject('redisUrl'));
    try {
      const ledger = new CodeLedger(redis, `test-${randomUUID()}:`, new VerificationCodes({ secret }));
      const { code } = await ledger.issue(alice);
      expect((await ledger.verify(code, alice)).status).toBe('issued');
      expect(await ledger.verify(code, mallory)).toEqual({ status: 'not-issued', reason: 'other-user' });
      expect(await ledger.verify('0000-0000-0001', mallory)).toEqual({
        status: 'not-issued',
        reason: 'unknown',
      });
    } finally {
      redis.disconnect();
    }
  });
});
