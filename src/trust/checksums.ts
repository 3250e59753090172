/**
 * Checksum validation for crypto strings, so that random words that merely look like an
 * address or a key are never taken for one: Base58Check (Bitcoin legacy/P2SH, TRON, WIF,
 * extended keys) and bech32/bech32m (SegWit).
 */
import { createHash } from 'node:crypto';

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BASE58_VALUE = new Map([...BASE58].map((c, i) => [c, i] as const));

export function base58Decode(text: string): Uint8Array | undefined {
  const bytes: number[] = [];
  for (const ch of text) {
    let carry = BASE58_VALUE.get(ch);
    if (carry === undefined) return undefined;
    for (let i = 0; i < bytes.length; i++) {
      carry += bytes[i]! * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for (const ch of text) {
    if (ch !== '1') break;
    bytes.push(0);
  }
  return Uint8Array.from(bytes.reverse());
}

function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** The payload of a valid Base58Check string (version byte included), else undefined. */
export function base58CheckDecode(text: string): Uint8Array | undefined {
  const raw = base58Decode(text);
  if (!raw || raw.length < 5) return undefined;
  const payload = raw.subarray(0, raw.length - 4);
  const check = sha256(sha256(payload));
  for (let i = 0; i < 4; i++) if (check[i] !== raw[raw.length - 4 + i]) return undefined;
  return payload;
}

export function base58CheckEncode(payload: Uint8Array): string {
  const check = sha256(sha256(payload)).subarray(0, 4);
  const bytes = [...payload, ...check];
  let zeros = 0;
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++;
  const digits: number[] = [];
  for (const byte of bytes) {
    let carry = byte;
    for (let i = 0; i < digits.length; i++) {
      carry += digits[i]! << 8;
      digits[i] = carry % 58;
      carry = Math.floor(carry / 58);
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = Math.floor(carry / 58);
    }
  }
  return (
    '1'.repeat(zeros) +
    digits
      .reverse()
      .map((d) => BASE58[d])
      .join('')
  );
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATORS = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];

function polymod(values: number[]): number {
  let chk = 1;
  for (const v of values) {
    const top = chk >>> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) chk ^= GENERATORS[i]!;
  }
  return chk >>> 0;
}

/** True for a bech32 (constant 1) or bech32m (0x2bc830a3) string with a valid checksum. */
export function isValidBech32(text: string): boolean {
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) return false;
  const s = text.toLowerCase();
  const sep = s.lastIndexOf('1');
  if (sep < 1 || sep + 7 > s.length || s.length > 90) return false;
  const hrp = s.slice(0, sep);
  const data: number[] = [];
  for (const ch of s.slice(sep + 1)) {
    const v = BECH32_CHARSET.indexOf(ch);
    if (v < 0) return false;
    data.push(v);
  }
  const expanded = [
    ...[...hrp].map((c) => c.charCodeAt(0) >> 5),
    0,
    ...[...hrp].map((c) => c.charCodeAt(0) & 31),
  ];
  const check = polymod([...expanded, ...data]);
  return check === 1 || check === 0x2bc830a3;
}

/** BIP-39: do these word indices (12–24 of them, a multiple of 3) carry a valid checksum? */
export function bip39ChecksumValid(indices: readonly number[]): boolean {
  const n = indices.length;
  if (n < 12 || n > 24 || n % 3 !== 0) return false;
  const checksumBits = n / 3;
  const entropyBytes = (n * 11 - checksumBits) / 8;
  const bits = new Uint8Array(n * 11);
  indices.forEach((index, w) => {
    for (let b = 0; b < 11; b++) bits[w * 11 + b] = (index >> (10 - b)) & 1;
  });
  const entropy = new Uint8Array(entropyBytes);
  for (let i = 0; i < entropyBytes * 8; i++) entropy[i >> 3]! |= bits[i]! << (7 - (i & 7));
  const hash = sha256(entropy);
  for (let i = 0; i < checksumBits; i++) {
    if (((hash[i >> 3]! >> (7 - (i & 7))) & 1) !== bits[entropyBytes * 8 + i]) return false;
  }
  return true;
}
