/**
 * Verification codes: a short code an agent reply carries, bound to the recipient's
 * platform identity and the time it was issued. It verifies statelessly (the issue time
 * is inside the code, the binding is an HMAC with the server secret), so any process and
 * `verity trust verify-code` can check it; a copied code does not verify for anyone else.
 * An optional Redis ledger remembers issued codes to say "issued to someone else".
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { parseJson } from './json.ts';

/** Crockford base32: no I, L, O, U, so codes survive being read aloud and retyped. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const EPOCH_MS = Date.UTC(2025, 0, 1);
const MINUTE = 60_000;
const TIME_BITS = 24;
const MAC_BITS = 36;
const LENGTH = (TIME_BITS + MAC_BITS) / 5;

export interface CodeHolder {
  channel: string;
  userId: string;
}

export type CodeCheck =
  | { status: 'issued'; issuedAt: number }
  | { status: 'expired'; issuedAt: number }
  | { status: 'not-issued'; reason: 'malformed' | 'unknown' | 'other-user' };

export interface CodeOptions {
  /** The server secret (at least 16 bytes), from the environment, never from config files. */
  secret: string;
  /** How long a code stays valid; default 30 days. */
  ttlMs?: number;
  now?: () => number;
}

function mac(secret: string, who: CodeHolder, minutes: number): bigint {
  const digest = createHmac('sha256', secret)
    .update(`v1\u0000${who.channel}\u0000${who.userId}\u0000${minutes}`)
    .digest();
  return digest.readBigUInt64BE(0) >> BigInt(64 - MAC_BITS);
}

function encode(value: bigint): string {
  let out = '';
  for (let i = LENGTH - 1; i >= 0; i--) out += ALPHABET[Number((value >> BigInt(i * 5)) & 31n)];
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8)}`;
}

/** The code's value, forgiving case, spaces, dashes and the letters people mistype for digits. */
function decode(code: string): bigint | undefined {
  const clean = code
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1')
    .replace(/U/g, 'V');
  if (clean.length !== LENGTH) return undefined;
  let value = 0n;
  for (const ch of clean) {
    const digit = ALPHABET.indexOf(ch);
    if (digit < 0) return undefined;
    value = (value << 5n) | BigInt(digit);
  }
  return value;
}

/** Canonical spelling of a code (`XXXX-XXXX-XXXX`), or undefined when it cannot be one. */
export function canonicalCode(code: string): string | undefined {
  const value = decode(code);
  return value === undefined ? undefined : encode(value);
}

export class VerificationCodes {
  private readonly secret: string;
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(options: CodeOptions) {
    if (Buffer.byteLength(options.secret) < 16)
      throw new Error('the verification code secret needs at least 16 bytes');
    this.secret = options.secret;
    this.ttlMs = options.ttlMs ?? 30 * 24 * 3600 * 1000;
    this.now = options.now ?? Date.now;
  }

  issue(who: CodeHolder): { code: string; issuedAt: number } {
    const minutes = Math.floor((this.now() - EPOCH_MS) / MINUTE) % 2 ** TIME_BITS;
    const value = (BigInt(minutes) << BigInt(MAC_BITS)) | mac(this.secret, who, minutes);
    return { code: encode(value), issuedAt: EPOCH_MS + minutes * MINUTE };
  }

  /** Whether we issued `code` to `who`, and when. Constant-time in the MAC comparison. */
  verify(code: string, who: CodeHolder): CodeCheck {
    const value = decode(code);
    if (value === undefined) return { status: 'not-issued', reason: 'malformed' };
    const minutes = Number(value >> BigInt(MAC_BITS));
    const expected = mac(this.secret, who, minutes);
    const given = value & ((1n << BigInt(MAC_BITS)) - 1n);
    const a = Buffer.from(expected.toString(16).padStart(9, '0'));
    const b = Buffer.from(given.toString(16).padStart(9, '0'));
    if (!timingSafeEqual(a, b)) return { status: 'not-issued', reason: 'unknown' };
    const issuedAt = EPOCH_MS + minutes * MINUTE;
    const now = this.now();
    if (issuedAt > now + MINUTE) return { status: 'not-issued', reason: 'unknown' };
    return now - issuedAt > this.ttlMs ? { status: 'expired', issuedAt } : { status: 'issued', issuedAt };
  }
}

const LedgerRecord = z.object({ channel: z.string(), userId: z.string(), at: z.number() });

/**
 * Remembers issued codes in Redis (`<prefix>{codes}:<code>`, expiring with the code) so
 * a failed check can tell a copied code ("issued to someone else") from an invented one.
 */
export class CodeLedger {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly codes: VerificationCodes,
    private readonly ttlMs = 30 * 24 * 3600 * 1000,
  ) {}

  private key(code: string): string {
    return `${this.prefix}{codes}:${code}`;
  }

  async issue(who: CodeHolder): Promise<{ code: string; issuedAt: number }> {
    const issued = this.codes.issue(who);
    const record = JSON.stringify({ channel: who.channel, userId: who.userId, at: issued.issuedAt });
    await this.redis.set(this.key(issued.code), record, 'PX', this.ttlMs, 'NX');
    return issued;
  }

  async verify(code: string, who: CodeHolder): Promise<CodeCheck> {
    const result = this.codes.verify(code, who);
    if (result.status !== 'not-issued' || result.reason !== 'unknown') return result;
    const canonical = canonicalCode(code);
    if (!canonical) return result;
    const raw = await this.redis.get(this.key(canonical));
    if (raw === null) return result;
    return parseJson(LedgerRecord, raw) ? { status: 'not-issued', reason: 'other-user' } : result;
  }
}
