import { randomBytes } from 'node:crypto';

/** Time-ordered, collision-resistant ids (base36 time + 64 random bits), for commands and sessions. */
export function newId(now = Date.now()): string {
  return now.toString(36).padStart(9, '0') + randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0');
}
