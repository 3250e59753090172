/**
 * A consistency check of the store (an fsck): every index entry has its conversation,
 * every conversation its message list of the right length, every thread mapping its
 * conversation. Used by tests after crashes and by `verity store check` for operators.
 */
import type { ConversationStore } from './conversations.ts';

export interface ConsistencyReport {
  conversations: number;
  messages: number;
  problems: string[];
}

export async function checkConsistency(store: ConversationStore): Promise<ConsistencyReport> {
  const { redis, keys } = store;
  const report: ConsistencyReport = { conversations: 0, messages: 0, problems: [] };
  for (const shard of keys.allShards()) {
    const base = keys.shard(shard);
    const ids = await redis.zrange(keys.index(shard, 'all'), '0', '-1');
    for (const id of ids) {
      const [count, length] = await Promise.all([
        redis.hget(keys.conversation(id), 'messageCount'),
        redis.llen(keys.messages(id)),
      ]);
      if (count === null) {
        report.problems.push(`index entry ${id} has no conversation`);
        continue;
      }
      report.conversations++;
      report.messages += length;
      if (Number(count) !== length)
        report.problems.push(`${id}: messageCount ${count} but ${length} messages`);
    }
    const threads = await redis.hgetall(keys.threads(shard));
    for (const [thread, id] of Object.entries(threads)) {
      if (thread === '#') continue; // the shard's id counter
      if (!(await redis.exists(keys.conversation(id))))
        report.problems.push(`thread ${thread} points at missing ${id}`);
    }
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${base}i:*`, 'COUNT', 500);
      for (const index of found) {
        if (index.endsWith('i:resolved-at')) continue;
        const zset = /i:(all|status:.*|assignee:.*)$/.test(index);
        const members = zset ? await redis.zrange(index, '0', '-1') : await redis.smembers(index);
        for (const id of members) {
          if (!(await redis.exists(keys.conversation(id))))
            report.problems.push(`${index} lists missing ${id}`);
        }
      }
      cursor = next;
    } while (cursor !== '0');
  }
  return report;
}
