import { randomUUID } from 'node:crypto';
import { generateMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ScamRegistry } from './registry.ts';
import { fromCsv, parseRegistryFile, toCsv, toJson } from './registry-io.ts';

const open: Array<{ stop(): Promise<void> } | Redis> = [];
afterEach(async () => {
  for (const x of open.splice(0)) {
    if (x instanceof Redis) x.disconnect();
    else await x.stop();
  }
});

async function registry(prefix: string): Promise<{ reg: ScamRegistry; redis: Redis }> {
  const redis = new Redis(inject('redisUrl'));
  const reg = new ScamRegistry({ redis, prefix, pollMs: 200 });
  await reg.start();
  open.push(reg, redis);
  return { reg, redis };
}

async function waitFor(check: () => boolean, ms: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not seen within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return Date.now() - start;
}

describe('scam registry in Redis', () => {
  it('a flag made in one process is seen by another within a second, and so is the unflag', async () => {
    const prefix = `test-${randomUUID()}:trust:`;
    const a = await registry(prefix);
    const b = await registry(prefix);
    await a.reg.flag({
      kind: 'domain',
      value: 'Evil-Example.IO',
      reason: 'phishing kit',
      by: 'mod:1',
      evidence: 'screenshot 12',
    });
    const seenIn = await waitFor(() => b.reg.index.getHost('login.evil-example.io') !== undefined, 1000);
    expect(seenIn).toBeLessThan(1000);
    expect(b.reg.index.getHost('evil-example.io')).toMatchObject({
      reason: 'phishing kit',
      by: 'mod:1',
      evidence: 'screenshot 12',
    });
    await a.reg.flag({
      kind: 'account',
      value: '666',
      channel: 'telegram',
      reason: 'fake support',
      by: 'mod:1',
    });
    await waitFor(() => b.reg.index.get('account', '666', 'telegram') !== undefined, 1000);
    expect(
      await a.reg.unflag({ kind: 'domain', value: 'evil-example.io', by: 'mod:2', reason: 'false alarm' }),
    ).toBe(true);
    await waitFor(() => b.reg.index.getHost('evil-example.io') === undefined, 1000);
    const audit = await a.reg.auditTrail();
    expect(audit.map((e) => e.op)).toEqual(['unflag', 'flag', 'flag']);
    expect(audit[0]).toMatchObject({ by: 'mod:2', reason: 'false alarm' });
    for (const key of await a.redis.keys('*'))
      if (key.includes(prefix.slice(0, 20))) expect(key.startsWith(prefix)).toBe(true);
  });

  it('catches up by version when a pub/sub message is missed', async () => {
    const prefix = `test-${randomUUID()}:trust:`;
    const b = await registry(prefix);
    const writer = new Redis(inject('redisUrl'));
    open.push(writer);
    const entry = { kind: 'phone', value: '+15550199', reason: 'scam line', by: 'mod', at: 1 };
    await writer.hset(`${prefix}{registry}:entries`, 'phone:+15550199', JSON.stringify(entry));
    await writer.incr(`${prefix}{registry}:version`);
    await waitFor(() => b.reg.index.get('phone', '+1 555 0199') !== undefined, 1000);
  });

  it('queues user reports for review; accepting flags, and secrets in notes never reach Redis', async () => {
    const prefix = `test-${randomUUID()}:trust:`;
    const { reg, redis } = await registry(prefix);
    const phrase = generateMnemonic(english);
    const report = await reg.report({
      kind: 'handle',
      value: '@ExampIeSupport',
      reporter: { channel: 'telegram', userId: '42' },
      note: `he asked for my phrase, I sent ${phrase}`,
    });
    expect(report.note).not.toContain(phrase);
    const stored = JSON.stringify(await redis.hgetall(`${prefix}{registry}:reports`));
    expect(stored).toContain('[redacted: recovery phrase]');
    expect(stored).not.toContain(phrase.split(' ').slice(0, 4).join(' '));
    expect((await reg.pendingReports()).map((r) => r.id)).toEqual([report.id]);
    const decided = await reg.decide(report.id, { accept: true, by: 'mod:7' });
    expect(decided).toMatchObject({ status: 'accepted', decidedBy: 'mod:7' });
    expect(await reg.pendingReports()).toEqual([]);
    expect(reg.index.get('handle', 'exampiesupport')).toMatchObject({ by: 'mod:7' });
    expect(await reg.decide('nope', { accept: false, by: 'mod:7' })).toBeUndefined();
  });

  it('imports and exports JSON and CSV', async () => {
    const { reg } = await registry(`test-${randomUUID()}:trust:`);
    const csv =
      'kind,value,reason,evidence\ndomain,bad.example.net,"drainer, v2","said ""urgent"""\naddress,0xABCDEF0123456789abcdef0123456789ABCDEF01,poisoning,\n';
    expect(await reg.import(fromCsv(csv, { by: 'import', at: 5 }), 'import')).toBe(2);
    await waitFor(() => reg.index.size === 2, 1000);
    const listed = await reg.list();
    expect(listed.map((e) => e.value).sort()).toEqual([
      '0xabcdef0123456789abcdef0123456789abcdef01',
      'bad.example.net',
    ]);
    expect(listed.find((e) => e.kind === 'domain')).toMatchObject({
      reason: 'drainer, v2',
      evidence: 'said "urgent"',
    });
    const again = parseRegistryFile(toCsv(listed), { by: 'x', at: 0 });
    expect(again).toEqual(listed);
    expect(parseRegistryFile(toJson(listed), { by: 'x', at: 0 })).toEqual(listed);
    expect(() => fromCsv('kind,value,reason\nspaceship,x,y\n', { by: 'x', at: 0 })).toThrow(/line 2/);
  });
});
