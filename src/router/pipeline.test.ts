import { afterEach, describe, expect, it } from 'vitest';
import { dm } from '../../test/support/events.ts';
import { FakePlatformAdapter, startFakePlatform } from '../../test/support/fake-platform.ts';
import { testRuntime, waitFor } from '../../test/support/pipeline.ts';
import { dropPrefix, testRedis } from '../../test/support/redis.ts';
import type { Runtime } from '../app/runtime.ts';
import { DeadLetters } from '../bus/dead-letters.ts';
import { decodeLiveEntry } from '../bus/live.ts';
import type { Keys } from '../store/keys.ts';
import { Composer } from './composer.ts';
import type { RouterContext } from './context.ts';

let stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

async function pipeline(
  options: Parameters<typeof testRuntime>[0] extends infer O ? Partial<O> : never = {},
) {
  const platform = await startFakePlatform();
  const adapter = new FakePlatformAdapter(platform.url);
  const { runtime, prefix, log } = testRuntime({ adapters: [adapter], ...options });
  stops.push(async () => {
    await runtime.stop();
    await platform.close();
    const { redis } = await import('../../test/support/redis.ts').then((m) => m.testRedis());
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });
  await runtime.start();
  return { runtime, platform, adapter, prefix, log };
}

const fake = (user: string, overrides: Record<string, unknown> = {}) =>
  dm(user, { channel: 'fake', sender: { channel: 'fake', userId: user }, ...overrides });

/** The fake channel's outbound stream that carries a thread's commands. */
const outboundOf = (keys: Keys, threadKey: string) =>
  keys.outboundStream('fake', keys.shardOfThread('fake', threadKey));

/** An outbound command as the delivery group dead-letters it, ready for `DeadLetters.replay`. */
async function deadLetterCommand(runtime: Runtime, command: { threadKey: string } & Record<string, unknown>) {
  const { keys } = runtime.store;
  await runtime.redis.xadd(
    keys.deadLetters(),
    '*',
    'stream',
    outboundOf(keys, command.threadKey),
    'group',
    'delivery:fake',
    'id',
    '0-1',
    'attempts',
    '3',
    'at',
    String(Date.now()),
    'reason',
    'test',
    'cmd',
    JSON.stringify(command),
  );
}

async function lastMessage(runtime: Runtime, conversationId: string) {
  const [m] = await runtime.store.history(conversationId, { limit: 1 });
  return m;
}

describe('pipeline: inbound → router → delivery', () => {
  it('stores a DM, routes it, and delivers the reply through the right channel', async () => {
    const { runtime, platform, adapter } = await pipeline();
    const event = fake('ann', { text: 'hello there' });
    const outcome = await adapter.sink!.ingest(event);
    expect(outcome.status).toBe('stored');
    await waitFor(() => platform.arrivals.length === 1, 5000, 'the reply');
    expect(platform.arrivals[0]).toMatchObject({ chat: 'chat-ann', text: 'echo: hello there' });
    const reply = await waitFor(async () => {
      const m = await lastMessage(runtime, outcome.conversationId!);
      return m?.delivery?.state === 'sent' ? m : undefined;
    });
    expect(reply).toMatchObject({ direction: 'out', author: { kind: 'bot' }, text: 'echo: hello there' });
    expect(await runtime.store.seqOfPlatformMessage(outcome.conversationId!, '1')).toBe(reply.seq);
    // Marked sent with its record, so a retry of its entry cannot send it again.
    const mark = runtime.store.keys.replySent(outcome.conversationId!, `fake:${event.eventId}:r0`);
    expect(await runtime.redis.get(mark)).toBe('1');
    expect(await runtime.redis.ttl(mark)).toBeGreaterThan(0);
  });

  it('answers a redelivered platform message once', async () => {
    const { platform, adapter } = await pipeline();
    const event = fake('bo');
    const outcomes = await Promise.all([
      adapter.sink!.ingest(event),
      adapter.sink!.ingest(event),
      adapter.sink!.ingest(event),
    ]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['duplicate', 'duplicate', 'stored']);
    await waitFor(() => platform.arrivals.length >= 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(platform.arrivals).toHaveLength(1);
  });

  it('gives an album one turn and stores every part of it', async () => {
    const { runtime, platform, adapter } = await pipeline();
    const parts = [1, 2, 3].map((n) =>
      fake('al', { text: '', album: 'a1', attachments: [{ type: 'photo', fileId: `p${n}` }] }),
    );
    for (const part of parts) await adapter.sink!.ingest(part);
    const after = await adapter.sink!.ingest(fake('al', { text: 'which one?' }));
    await waitFor(() => platform.arrivals.length >= 2, 5000, 'the replies');
    await new Promise((r) => setTimeout(r, 300));
    expect(platform.arrivals.map((a) => a.text)).toEqual(['echo: ', 'echo: which one?']);

    const conversationId = after.conversationId!;
    const stored = await runtime.store.history(conversationId, { limit: 10 });
    const photos = stored.filter((m) => m.direction === 'in' && m.album === 'a1');
    expect(photos.flatMap((m) => m.attachments.map((a) => a.fileId)).sort()).toEqual(['p1', 'p2', 'p3']);
    // Handled again (a retry, a takeover), the part that took the turn keeps it, the others stay quiet.
    expect(await runtime.store.claimAlbum(conversationId, 'a1', parts[0]!.eventId)).toBe(true);
    expect(await runtime.store.claimAlbum(conversationId, 'a1', parts[1]!.eventId)).toBe(false);
  });

  it('answers an album part with a caption, and not the bare parts beside it', async () => {
    const { platform, adapter } = await pipeline();
    const photo = (text: string) => fake('cap', { text, album: 'a2', attachments: [{ type: 'photo' }] });
    for (const part of [photo('look at this popup'), photo(''), photo('')]) await adapter.sink!.ingest(part);
    await adapter.sink!.ingest(fake('cap', { text: 'done' }));
    await waitFor(() => platform.arrivals.length >= 2, 5000, 'the replies');
    await new Promise((r) => setTimeout(r, 300));
    expect(platform.arrivals.map((a) => a.text)).toEqual(['echo: look at this popup', 'echo: done']);
  });

  it('rejects a malformed event with its reason and keeps going', async () => {
    const { platform, adapter, log } = await pipeline();
    const bad = await adapter.sink!.ingest({ type: 'message', channel: 'fake', text: 42 });
    expect(bad.status).toBe('rejected');
    expect(bad.reason).toMatch(/eventId/);
    expect(log.text()).toContain('inbound event rejected');
    await adapter.sink!.ingest(fake('cy'));
    await waitFor(() => platform.arrivals.length === 1);
  });

  it('marks a user who blocked the bot unreachable and records why the reply failed', async () => {
    const { runtime, platform, adapter } = await pipeline();
    platform.block('chat-dee');
    const { conversationId } = await adapter.sink!.ingest(fake('dee'));
    const conv = await waitFor(async () => {
      const c = await runtime.store.get(conversationId!);
      return c?.unreachable ? c : undefined;
    });
    expect(conv.unreachable).toBe('blocked');
    const reply = await lastMessage(runtime, conversationId!);
    expect(reply?.delivery).toMatchObject({ state: 'failed', error: 'blocked' });
  });

  it('tells the inbox the user is unreachable, and reachable again once they write', async () => {
    const { runtime, platform, adapter } = await pipeline();
    platform.block('chat-ed');
    const { conversationId } = await adapter.sink!.ingest(fake('ed', { text: 'first' }));
    const liveChanges = async () =>
      (await runtime.redis.xrange(runtime.store.keys.liveStream(), '-', '+'))
        .flatMap(([, fields]) => decodeLiveEntry(fields[fields.indexOf('e') + 1]))
        .filter((e) => e.type === 'conversation' && e.conversationId === conversationId)
        .map((e) => e.data);
    await waitFor(async () => (await liveChanges()).length === 1, 5000, 'the unreachable event');
    expect((await runtime.store.get(conversationId!))?.unreachable).toBe('blocked');

    platform.unblock('chat-ed');
    await adapter.sink!.ingest(fake('ed', { text: 'back again' }));
    await waitFor(() => platform.arrivals.some((a) => a.text === 'echo: back again'), 5000, 'the reply');
    expect((await runtime.store.get(conversationId!))?.unreachable).toBeUndefined();
    expect(await liveChanges()).toEqual([{ unreachable: 'blocked' }, { unreachable: null }]);
  });

  it("takes the platform's word: a reachability event marks and clears, a private re-join clears, with no turn", async () => {
    const { runtime, platform, adapter } = await pipeline();
    const { conversationId } = await adapter.sink!.ingest(fake('fay'));
    await waitFor(() => platform.arrivals.length === 1, 5000, 'the first reply');
    const standing = (unreachable: string | null, n: number) => ({
      type: 'reachability',
      channel: 'fake',
      eventId: `standing-${n}`,
      thread: { key: 'chat-fay', kind: 'private' },
      sender: { channel: 'fake', userId: 'fay' },
      at: Date.now(),
      unreachable,
    });
    const unreachable = async () => (await runtime.store.get(conversationId!))?.unreachable;
    expect((await adapter.sink!.ingest(standing('blocked', 1))).status).toBe('stored');
    await waitFor(async () => (await unreachable()) === 'blocked', 5000, 'marked unreachable');
    await adapter.sink!.ingest(standing(null, 2));
    await waitFor(async () => (await unreachable()) === undefined, 5000, 'reachable again');
    await adapter.sink!.ingest(standing('blocked', 3));
    await waitFor(async () => (await unreachable()) === 'blocked', 5000, 'marked again');
    await adapter.sink!.ingest({
      ...standing(null, 4),
      type: 'member',
      change: 'joined',
      eventId: 'rejoined',
    });
    await waitFor(async () => (await unreachable()) === undefined, 5000, 'reachable after re-joining');
    // None of them was a turn: the bot answered only the first message.
    await new Promise((r) => setTimeout(r, 200));
    expect(platform.arrivals).toHaveLength(1);
  });

  it('waits out a 429 for that chat only', async () => {
    const { platform, adapter } = await pipeline();
    platform.rateLimit('chat-slow', 2, 2500);
    await adapter.sink!.ingest(fake('slow'));
    const started = Date.now();
    for (const u of ['f1', 'f2', 'f3']) await adapter.sink!.ingest(fake(u));
    await waitFor(() => platform.arrivals.filter((a) => a.chat.startsWith('chat-f')).length === 3);
    // A pause shared with chat-slow would hold the others for at least 2.5 s.
    expect(Date.now() - started).toBeLessThan(2000);
    await waitFor(() => platform.arrivals.some((a) => a.chat === 'chat-slow'), 12_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5000 - 100);
  });

  it('sends nothing for a chat whose lease another process took while it waited out a 429, and sends once it holds the chat again', async () => {
    const { platform, adapter, runtime, log } = await pipeline({ bus: 'leaseMs: 600' });
    const { keys } = runtime.store;
    const lease = keys.deliveryLease('fake', keys.shardOfThread('fake', 'chat-slow'));
    platform.rateLimit('chat-slow', 1, 1500);
    await adapter.sink!.ingest(fake('slow'));
    await waitFor(() => platform.refusals.some((r) => r.chat === 'chat-slow'), 8000, 'the 429');
    // Another delivery process takes the chat's shard over while this one waits (it lost
    // Redis for a while, say): this one must not send the reply the other now owns.
    await runtime.redis.set(lease, 'another-process', 'PX', 60_000);
    await waitFor(() => log.text().includes('entry left to its new holder'), 8000, 'the reply left');
    expect(platform.arrivals.filter((a) => a.chat === 'chat-slow')).toHaveLength(0);
    expect(await runtime.metrics.registry.metrics()).toMatch(
      /verity_deliveries_total\{channel="fake",outcome="left"\} 1/,
    );
    await runtime.redis.del(lease);
    await waitFor(() => platform.arrivals.some((a) => a.chat === 'chat-slow'), 8000, 'the reply sent');
    await new Promise((r) => setTimeout(r, 300));
    expect(platform.arrivals.filter((a) => a.chat === 'chat-slow')).toHaveLength(1);
  });

  it('starts no turn of a conversation after its router stalled past its lease, until it holds the shard again', async () => {
    let stalled = false;
    const turns: string[] = [];
    const middleware = new Composer<RouterContext>()
      .on('message:addressed', (ctx) => {
        turns.push(ctx.text);
        if (!stalled) {
          stalled = true;
          // A stall past the lease (600 ms): a long GC pause, a frozen VM.
          const until = performance.now() + 900;
          while (performance.now() < until);
        }
        return ctx.reply(`echo: ${ctx.text}`);
      })
      .middleware();
    const { platform, adapter, log } = await pipeline({ middleware, bus: 'leaseMs: 600' });
    // The second message waits behind the first in its conversation's lane.
    await Promise.all([
      adapter.sink!.ingest(fake('zoe', { text: 'one' })),
      adapter.sink!.ingest(fake('zoe', { text: 'two' })),
    ]);
    await waitFor(() => platform.arrivals.length === 2, 10_000, 'both replies');
    const left = log.lines.filter((l) => String(l.msg).includes('entry left to its new holder'));
    expect(left.some((l) => String(l.stream).endsWith('stream:inbound'))).toBe(true);
    expect(turns).toEqual(['one', 'two']);
    expect(platform.arrivals.map((a) => a.text)).toEqual(['echo: one', 'echo: two']);
  });

  it('dead-letters a poison event after the configured attempts, and replays it once fixed', async () => {
    let broken = true;
    const middleware = new Composer<RouterContext>()
      .on('message', (ctx) => {
        if (broken && ctx.text === 'poison') throw new Error('handler bug');
        ctx.reply(`ok: ${ctx.text}`);
      })
      .middleware();
    const { runtime, platform, adapter } = await pipeline({ middleware });
    await adapter.sink!.ingest(fake('eve', { text: 'poison' }));
    await adapter.sink!.ingest(fake('fay', { text: 'fine' }));
    await waitFor(() => platform.arrivals.some((a) => a.text === 'ok: fine'));
    const dead = new DeadLetters(runtime.redis, runtime.store.keys);
    const [letter] = await waitFor(
      async () => {
        const letters = await dead.list();
        return letters.length ? letters : undefined;
      },
      15_000,
      'a dead letter',
    );
    expect(letter).toMatchObject({ group: 'router', attempts: 3 });
    broken = false;
    expect(await dead.replay()).toBe(1);
    await waitFor(() => platform.arrivals.some((a) => a.text === 'ok: poison'), 5000, 'the replayed reply');
    expect(await dead.list()).toHaveLength(0);
  });

  it('does not send a replayed command that already went out, even when it is replayed twice', async () => {
    const { runtime, platform } = await pipeline();
    const keys = runtime.store.keys;
    const command = {
      type: 'send',
      id: 'cmd-once',
      channel: 'fake',
      threadKey: 'chat-gus',
      text: 'only once',
    };
    const stream = outboundOf(keys, command.threadKey);
    await runtime.redis.xadd(stream, '*', 'cmd', JSON.stringify(command));
    await waitFor(() => platform.arrivals.length === 1, 5000, 'the first send');
    // A crash between re-queueing and deleting a dead letter leaves two copies to replay.
    for (let i = 0; i < 2; i++) await deadLetterCommand(runtime, command);
    expect(await new DeadLetters(runtime.redis, keys).replay()).toBe(2);
    await waitFor(
      async () => (await runtime.redis.xpending(stream, 'delivery:fake'))[0] === 0,
      5000,
      'the replays handled',
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(platform.arrivals.map((a) => a.text)).toEqual(['only once']);
  });
});

describe('a reply that went out', () => {
  it('is marked sent with its delivery record, so its entry coming back sends and announces nothing', async () => {
    const { runtime, platform } = await pipeline({ middleware: new Composer<RouterContext>().middleware() });
    const outcome = await runtime.store.ingest(fake('hal'), {});
    const conversationId = outcome.conversationId!;
    const { messageId } = await runtime.store.append(
      conversationId,
      {
        channel: 'fake',
        direction: 'out',
        author: { kind: 'bot', id: 'bot' },
        text: 'went out',
        delivery: { state: 'queued', at: 1 },
        createdAt: 1,
      },
      'cmd-sent',
    );
    const seq = Number(messageId.split('.').pop());
    // What the sending attempt left before it died: the record, which carries the mark.
    await runtime.store.recordDelivery(conversationId, seq, { state: 'sent', at: 1234 }, 'pm-77', {
      commandId: 'cmd-sent',
      seconds: 60,
    });
    expect(await runtime.redis.get(runtime.store.keys.replySent(conversationId, 'cmd-sent'))).toBe('pm-77');
    const command = {
      type: 'send',
      id: 'cmd-sent',
      channel: 'fake',
      threadKey: 'chat-hal',
      text: 'went out',
      conversationId,
      messageId,
    };
    // Its entry comes back the way a dead consumer's does after too many tries: replayed.
    await deadLetterCommand(runtime, command);
    expect(await new DeadLetters(runtime.redis, runtime.store.keys).replay()).toBe(1);
    const stream = outboundOf(runtime.store.keys, command.threadKey);
    await waitFor(
      async () => (await runtime.redis.xpending(stream, 'delivery:fake'))[0] === 0,
      5000,
      'the replay handled',
    );
    expect(platform.arrivals).toEqual([]);
    const [message] = await runtime.store.history(conversationId, { limit: 1 });
    expect(message).toMatchObject({ seq, delivery: { state: 'sent', at: 1234 } });
    expect(await runtime.store.seqOfPlatformMessage(conversationId, 'pm-77')).toBe(seq);
    const live = await runtime.redis.xrange(runtime.store.keys.liveStream(), '-', '+');
    const deliveries = live
      .flatMap(([, fields]) => decodeLiveEntry(fields[fields.indexOf('e') + 1]))
      .filter((event) => event.type === 'delivery' && event.conversationId === conversationId);
    expect(deliveries).toEqual([]);
  });
});

describe('roles of a channel', () => {
  it('refuses deliver:<channel> for an adapter that cannot send without receiving, naming the role to run', async () => {
    const { runtime, platform, log } = await pipeline({ roles: ['deliver:fake'] });
    expect(runtime.health().channels.fake).toEqual({
      ok: false,
      detail: 'failed to start: fake cannot deliver without receiving; run adapter:fake',
    });
    expect(log.text()).toContain('channel failed to start');
    expect(platform.arrivals).toEqual([]);
  });
});

describe('after an upgrade', () => {
  it("still sends the commands queued on the channel's one outbound stream of before", async () => {
    const platform = await startFakePlatform();
    const { runtime, prefix } = testRuntime({ adapters: [new FakePlatformAdapter(platform.url)] });
    const { redis } = testRedis();
    stops.push(async () => {
      await runtime.stop();
      await platform.close();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    });
    const { keys } = runtime.store;
    const legacy = keys.legacyOutboundStream('fake');
    await redis.xgroup('CREATE', legacy, 'delivery:fake', '0', 'MKSTREAM');
    for (const n of [1, 2]) {
      const command = {
        type: 'send',
        id: `old-${n}`,
        channel: 'fake',
        threadKey: 'chat-old',
        text: `queued ${n}`,
      };
      await redis.xadd(legacy, '*', 'cmd', JSON.stringify(command));
    }
    await runtime.start();
    await waitFor(() => platform.arrivals.length === 2, 5000, 'the commands queued before');
    expect(platform.arrivals.map((a) => a.text)).toEqual(['queued 1', 'queued 2']);
    await waitFor(async () => (await redis.xpending(legacy, 'delivery:fake'))[0] === 0, 5000, 'their acks');
    expect(await redis.exists(keys.legacySent('fake', 'old-1'))).toBe(1);
  });
});
