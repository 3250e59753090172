import { randomBytes } from 'node:crypto';

/**
 * Time-ordered, collision-resistant ids (base36 time + 64 random bits). A conversation id
 * carries its shard in front (`7-…`) so its keys are found without a lookup.
 */
export function newId(now = Date.now()): string {
  return now.toString(36).padStart(9, '0') + randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0');
}

export function newConversationId(shard: number, now = Date.now()): string {
  return `${shard}-${newId(now)}`;
}
