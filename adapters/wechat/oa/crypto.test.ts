import { describe, expect, it } from 'vitest';
import { aesKeyFrom, decryptMessage, encryptMessage, OaCryptoError } from './crypto.ts';
import { sign, signatureMatches } from './signature.ts';

const key = aesKeyFrom('abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');

describe('safe-mode crypto', () => {
  it('round-trips a message for the right appId', () => {
    const xml = '<xml><Content><![CDATA[钱包]]></Content></xml>';
    expect(decryptMessage(key, 'wx123', encryptMessage(key, 'wx123', xml))).toBe(xml);
  });

  it('refuses a message encrypted for another appId, or garbage', () => {
    expect(() => decryptMessage(key, 'wx123', encryptMessage(key, 'wx999', 'x'))).toThrow(OaCryptoError);
    expect(() => decryptMessage(key, 'wx123', 'bm90IGVuY3J5cHRlZA==')).toThrow(OaCryptoError);
  });

  it('rejects a malformed EncodingAESKey', () => {
    expect(() => aesKeyFrom('short')).toThrow(OaCryptoError);
  });
});

describe('signatures', () => {
  it('matches WeChat: sha1 of the sorted parts', () => {
    // sorted: ['1409304348', 'token', 'xxxxxx'] joined
    expect(sign(['token', '1409304348', 'xxxxxx'])).toBe(sign(['xxxxxx', 'token', '1409304348']));
    expect(signatureMatches(sign(['a', 'b']), sign(['b', 'a']).toUpperCase())).toBe(true);
    expect(signatureMatches(sign(['a', 'b']), 'deadbeef')).toBe(false);
    expect(signatureMatches(sign(['a', 'b']), undefined)).toBe(false);
  });
});
