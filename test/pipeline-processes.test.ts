/**
 * The pipeline across processes: takeover after a crash, draining on SIGTERM, and one rate
 * limit shared by several processes.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { ROUTER_GROUP } from '../src/router/router.ts';
import { dm } from './support/events.ts';
import { type FakePlatform, FakePlatformAdapter, startFakePlatform } from './support/fake-platform.ts';
import { testRuntime, waitFor } from './support/pipeline.ts';
import { startFixture, stopFixture } from './support/processes.ts';
import { dropPrefix, testRedis } from './support/redis.ts';

const FIXTURE = 'test/fixtures/runtime-process.ts';
let cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.reverse()) await c();
  cleanups = [];
});

async function setup() {
  const platform = await startFakePlatform();
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const { redis } = testRedis();
  cleanups.push(async () => {
    await platform.close();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });
  const fixture = async (consumer: string, extra: Record<string, unknown> = {}) => {
    const child = await startFixture(FIXTURE, {
      redisUrl: inject('redisUrl'),
      prefix,
      roles: ['router', 'adapter:fake'],
      platformUrl: platform.url,
      consumer,
      ...extra,
    });
    cleanups.push(() => stopFixture(child, 'SIGKILL'));
    return child;
  };
  // An ingest-only process: the adapters' side, handing events to the sink.
  const { runtime: ingest } = testRuntime({
    adapters: [new FakePlatformAdapter(platform.url)],
    roles: [],
    prefix,
  });
  cleanups.push(() => ingest.stop());
  const send = (n: number, users = 20) =>
    Promise.all(
      Array.from({ length: n }, (_, i) =>
        ingest.sink.ingest(
          dm(`u${i % users}`, {
            channel: 'fake',
            sender: { channel: 'fake', userId: `u${i % users}` },
            text: `m${i}`,
          }),
        ),
      ),
    );
  return { platform, prefix, redis, fixture, send, ingest };
}

const texts = (platform: FakePlatform) => platform.arrivals.map((a) => a.text);

describe('across processes', () => {
  it('a router killed mid-batch loses nothing, and no reply is sent twice', async () => {
    const { platform, fixture, send } = await setup();
    await fixture('delivery', { roles: ['adapter:fake'] });
    const doomed = await fixture('doomed', { roles: ['router'], handlerDelayMs: 40 });
    await send(200);
    await waitFor(() => platform.arrivals.length >= 20, 10_000, 'some replies from the first router');
    doomed.kill('SIGKILL');
    const survivor = await fixture('survivor', { roles: ['router'] });
    await waitFor(() => platform.arrivals.length >= 200, 20_000, 'all 200 replies');
    await new Promise((r) => setTimeout(r, 1500));
    const all = texts(platform);
    expect(new Set(all).size).toBe(200);
    expect(all).toHaveLength(200);
    expect(await stopFixture(survivor)).toBe(0);
  });

  it('two routers split the shards: one conversation is never handled by both at once, and its order holds', async () => {
    const { platform, fixture, send, redis, prefix } = await setup();
    await fixture('delivery', { roles: ['adapter:fake'] });
    const first = await fixture('r1', { roles: ['router'], handlerDelayMs: 20, turnLog: true });
    await fixture('r2', { roles: ['router'], handlerDelayMs: 20, turnLog: true });
    // Both are up before the traffic: let the first give half its shards to the second.
    await waitFor(async () => (await redis.zcard(`${prefix}:routers`)) === 2, 10_000, 'two routers');
    await new Promise((r) => setTimeout(r, 1500));
    await send(200, 10);
    await waitFor(() => platform.arrivals.length >= 200, 30_000, 'all 200 replies');
    const turns = (await redis.lrange(`${prefix}:turn-log`, 0, -1)).map((line) => line.split('|'));
    const byConversation = new Map<string, string[][]>();
    for (const turn of turns) byConversation.set(turn[0]!, [...(byConversation.get(turn[0]!) ?? []), turn]);
    expect(byConversation.size).toBe(10);
    for (const log of byConversation.values()) {
      // start, end, start, end …: never a second start before the end of the turn before.
      expect(log.map(([, phase]) => phase)).toEqual(log.map((_, i) => (i % 2 === 0 ? 'start' : 'end')));
      const order = log.filter(([, phase]) => phase === 'start').map(([, , text]) => Number(text!.slice(1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(new Set(turns.map(([, , , consumer]) => consumer))).toEqual(new Set(['r1', 'r2']));

    // A router that stops cleanly hands its shards over at once, without waiting out the lease.
    expect(await stopFixture(first, 'SIGTERM')).toBe(0);
    await redis.del(`${prefix}:turn-log`);
    await send(40, 10);
    await waitFor(() => platform.arrivals.length >= 240, 30_000, 'the next 40 replies');
    const after = await redis.lrange(`${prefix}:turn-log`, 0, -1);
    expect(after).toHaveLength(80);
    expect(after.every((line) => line.endsWith('|r2'))).toBe(true);
  });

  it('a delivery process killed mid-send loses nothing; only sends caught inside the platform call can repeat', async () => {
    const { platform, fixture, send } = await setup();
    await fixture('router', { roles: ['router'] });
    const doomed = await fixture('doomed', { roles: ['adapter:fake'] });
    await send(200);
    await waitFor(() => platform.arrivals.length >= 30, 10_000);
    doomed.kill('SIGKILL');
    await fixture('survivor', { roles: ['adapter:fake'] });
    await waitFor(() => new Set(texts(platform)).size >= 200, 20_000, 'all 200 replies');
    // Each repeat was in the platform's hands when the process died (no platform offers idempotent sends).
    expect(platform.arrivals.length - 200).toBeLessThanOrEqual(32);
  });

  it("two delivery processes split the chats: each chat's replies arrive in the order they were made", async () => {
    const { platform, fixture, send, redis, prefix } = await setup();
    platform.slowDown(15);
    await fixture('router', { roles: ['router'], replies: 3 });
    await fixture('d1', { roles: ['adapter:fake'] });
    await fixture('d2', { roles: ['adapter:fake'] });
    const holders = () =>
      Promise.all([0, 1, 2, 3].map((s) => redis.get(`${prefix}:{s${s}}:lease:deliver:fake`)));
    const split = async () => {
      const held = await holders();
      return held.filter((h) => h === 'd1').length === 2 && held.filter((h) => h === 'd2').length === 2;
    };
    // Both deliver before the traffic: the first gives two of its four shards to the second.
    await waitFor(split, 10_000, 'the shards split between the two');
    await send(120, 10);
    await waitFor(() => platform.arrivals.length >= 360, 30_000, 'all 360 replies');
    const byChat = new Map<string, string[]>();
    for (const a of platform.arrivals) byChat.set(a.chat, [...(byChat.get(a.chat) ?? []), a.text]);
    expect(byChat.size).toBe(10);
    for (const texts of byChat.values()) {
      // "echo: m3", "echo: m3 #2", "echo: m3 #3", "echo: m13" …: by message, then by reply.
      const order = texts.map((text) => {
        const [, m, n] = /^echo: m(\d+)(?: #(\d))?$/.exec(text)!;
        return Number(m) * 10 + Number(n ?? 1);
      });
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(await split()).toBe(true);
  });

  it('SIGTERM drains: work in flight finishes and is acknowledged, then exit 0', async () => {
    const { platform, fixture, send, redis, prefix } = await setup();
    const child: ChildProcess = await fixture('drainer', { handlerDelayMs: 100 });
    await send(60, 60);
    await waitFor(() => platform.arrivals.length >= 5, 10_000);
    expect(await stopFixture(child, 'SIGTERM')).toBe(0);
    const delivered = platform.arrivals.length;
    let pending = 0;
    for (let shard = 0; shard < 4; shard++) {
      const summary = (await redis.xpending(`${prefix}:{s${shard}}:stream:inbound`, ROUTER_GROUP)) as [
        number,
      ];
      pending += Number(summary[0]);
    }
    expect(pending).toBe(0);
    // Everything it acknowledged was answered; the rest waits, unclaimed, for the next router.
    const survivor = await fixture('next');
    await waitFor(() => platform.arrivals.length >= 60, 20_000, 'the remaining replies');
    expect(delivered).toBeGreaterThan(0);
    expect(new Set(texts(platform)).size).toBe(60);
    await stopFixture(survivor);
  });

  it('two processes sharing a limit stay inside it together, and a 429 on one chat slows no other', async () => {
    const { platform, fixture, send } = await setup();
    // A loaded CI machine can run a timer 100 ms late; production keeps the 20 ms default.
    const limits = '{ perSecond: 20, perChat: { count: 1, windowMs: 1000 }, marginMs: 150 }';
    await fixture('a', { limits });
    await fixture('b', { limits });
    platform.rateLimit('chat-u0', 1, 3000);
    const started = Date.now();
    await send(80, 40);
    await waitFor(() => platform.arrivals.length >= 80, 30_000, '80 deliveries');
    expect(platform.maxInWindow(1000)).toBeLessThanOrEqual(20);
    for (let u = 0; u < 40; u++) expect(platform.maxInWindow(1000, `chat-u${u}`)).toBeLessThanOrEqual(1);
    // The 429 holds chat-u0 for 3 s. Other chats keep flowing at the shared 20/s (their pauses are
    // a few hundred ms here), where a stall shared with chat-u0 would leave a gap of 3 s or more.
    // Gaps are measured, not the total time, so a slow machine's start-up cannot fail the test.
    const others = [started, ...platform.arrivals.filter((a) => a.chat !== 'chat-u0').map((a) => a.at)];
    const longestGap = Math.max(...others.slice(1).map((at, i) => at - others[i]!));
    expect(longestGap).toBeLessThan(2500);
    const u0 = platform.arrivals.filter((a) => a.chat === 'chat-u0');
    expect(u0.at(-1)!.at - started).toBeGreaterThanOrEqual(3000);
  });
});
