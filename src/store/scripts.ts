/**
 * Lua scripts, one file per atomic operation in ./lua (each file's header documents its
 * KEYS, ARGV and return codes). Scripts that change a conversation get the shared helpers
 * of `_conversation.lua` prepended. ioredis `defineCommand` sends EVALSHA and falls back to
 * EVAL after a SCRIPT FLUSH or a restart, also inside pipelines.
 */
import { readFileSync } from 'node:fs';
import type { ChainableCommander, Redis } from 'ioredis';

const read = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');

const prelude = read('_conversation');

const SCRIPTS = {
  verityIngest: { keys: 2, source: prelude + read('ingest') },
  verityAppend: { keys: 2, source: prelude + read('append') },
  verityReply: { keys: 4, source: prelude + read('reply') },
  verityUpdate: { keys: 1, source: prelude + read('update') },
  verityPurge: { keys: 2, source: prelude + read('purge') },
  verityListShard: { keys: 1, source: read('list-shard') },
  verityReadTurn: { keys: 1, source: read('read-turn') },
  verityRecordDelivery: { keys: 1, source: read('record-delivery') },
  verityEmitOnce: { keys: 2, source: read('emit-once') },
  verityWindowGuard: { keys: -1, source: read('window-guard') },
  verityWindowTouch: { keys: -1, source: read('window-touch') },
  verityLeaseRenew: { keys: 1, source: read('lease-renew') },
  verityLeaseRelease: { keys: 1, source: read('lease-release') },
} as const;

export type ScriptName = keyof typeof SCRIPTS;

/** A script's raw reply: arrays of integers and strings, as documented in its header. */
export type ScriptReply = Array<number | string>;

export function defineScripts(redis: Redis): void {
  for (const [name, { keys, source }] of Object.entries(SCRIPTS)) {
    // keys -1: the caller passes the key count first (a variable number of keys).
    if (!(name in redis))
      redis.defineCommand(name, keys < 0 ? { lua: source } : { numberOfKeys: keys, lua: source });
  }
}

type ScriptCall = (...args: Array<string | number>) => Promise<unknown>;

/** Call a defined script by name (ioredis adds them dynamically, so they are not on its type). */
export function callScript(
  redis: Redis | ChainableCommander,
  name: ScriptName,
  keys: string[],
  args: Array<string | number>,
) {
  const fn: unknown = Reflect.get(redis, name);
  if (typeof fn !== 'function') throw new Error(`script ${name} is not defined on this client`);
  const counted = SCRIPTS[name].keys < 0 ? [keys.length, ...keys] : keys;
  return (fn as ScriptCall).call(redis, ...counted, ...args);
}
