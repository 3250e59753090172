/**
 * WeChat's callback signatures. The plain signature is sha1 over the sorted
 * [token, timestamp, nonce]; in safe mode `msg_signature` adds the encrypted body to the
 * list. Comparison is constant-time so a forger learns nothing from response timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export function sign(parts: readonly string[]): string {
  return createHash('sha1')
    .update([...parts].sort().join(''))
    .digest('hex');
}

export function signatureMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
