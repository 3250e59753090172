/**
 * WeChat "safe mode" (安全模式) message encryption: AES-256-CBC with the key
 * base64(EncodingAESKey + '='), IV = first 16 key bytes, PKCS#7 padding to 32-byte blocks.
 * Plaintext = 16 random bytes ‖ uint32 BE length ‖ message ‖ appId; the appId suffix is
 * checked so a push encrypted for another account is refused.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const BLOCK = 32;

export class OaCryptoError extends Error {}

export function aesKeyFrom(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (encodingAesKey.length !== 43 || key.length !== 32) {
    throw new OaCryptoError('EncodingAESKey must be 43 characters of base64 (a 32-byte key)');
  }
  return key;
}

export function encryptMessage(key: Buffer, appId: string, xml: string): string {
  const body = Buffer.from(xml, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(appId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const padded = Buffer.concat([plain, Buffer.alloc(pad, pad)]);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
}

export function decryptMessage(key: Buffer, appId: string, encrypted: string): string {
  let padded: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    padded = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  } catch (cause) {
    throw new OaCryptoError('encrypted push could not be decrypted', { cause });
  }
  const pad = padded.at(-1) ?? 0;
  if (pad < 1 || pad > BLOCK || padded.length < 20 + pad) {
    throw new OaCryptoError('encrypted push has invalid padding');
  }
  const plain = padded.subarray(0, padded.length - pad);
  const length = plain.readUInt32BE(16);
  if (20 + length > plain.length) throw new OaCryptoError('encrypted push has an invalid length');
  const owner = plain.subarray(20 + length).toString('utf8');
  if (owner !== appId) throw new OaCryptoError('encrypted push is for another appId');
  return plain.subarray(20, 20 + length).toString('utf8');
}
