import { describe, expect, it } from 'vitest';
import { dm } from '../../test/support/events.ts';
import { scopedTestStore } from '../../test/support/redis.ts';
import { InboundEvent, OutboundCommand } from '../core/model.ts';
import { checkConsistency } from './check.ts';
import type { ConversationStore } from './conversations.ts';

function setup(shards = 4) {
  return scopedTestStore({ shards });
}

async function messagesOf(store: ConversationStore, id: string) {
  return (await store.history(id, { limit: 500 })).reverse();
}

describe('ingest', () => {
  it('stores the same platform message once', async () => {
    const { store } = setup();
    const event = dm('alice', { text: 'my withdrawal is stuck' });
    const first = await store.ingest(event);
    const again = await store.ingest(event);
    expect(first).toMatchObject({ status: 'stored', created: true, seq: 1 });
    expect(again).toEqual({ status: 'duplicate', created: false });
    const conv = await store.get(first.conversationId!);
    expect(conv).toMatchObject({
      messageCount: 1,
      unread: 1,
      status: 'open',
      owner: 'bot',
      channel: 'telegram',
    });
    expect(conv?.participant).toMatchObject({ userId: 'alice', handle: '@alice' });
    const [message] = await messagesOf(store, first.conversationId!);
    expect(message).toMatchObject({
      text: 'my withdrawal is stuck',
      direction: 'in',
      seq: 1,
      author: { kind: 'user' },
    });
  });

  it('stores an event once when its copies arrive at the same time', async () => {
    const { store } = setup();
    const event = dm('olga');
    const results = await Promise.all(Array.from({ length: 20 }, () => store.ingest(event)));
    expect(results.filter((r) => r.status === 'stored')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'duplicate')).toHaveLength(19);
    const conv = await store.get(results.find((r) => r.status === 'stored')!.conversationId!);
    expect(conv).toMatchObject({ messageCount: 1, unread: 1 });
  });

  it('keeps exact counts and per-conversation order under 1,000 concurrent ingests into 100 conversations', async () => {
    const { store } = setup(8);
    const users = Array.from({ length: 100 }, (_, i) => `user${i}`);
    const events = users.flatMap((u) => Array.from({ length: 10 }, (_, n) => dm(u, { text: `${u} #${n}` })));
    // Interleave conversations so concurrent writes to different shards race each other.
    const shuffled = events.map((e, i) => ({ e, k: (i * 7919) % events.length })).sort((a, b) => a.k - b.k);
    const order = new Map<string, number>();
    const results = await Promise.all(
      shuffled.map(({ e }) => {
        const n = order.get(e.sender.userId) ?? 0;
        order.set(e.sender.userId, n + 1);
        return store.ingest({ ...e, text: `${e.sender.userId} @${n}` });
      }),
    );
    expect(results.filter((r) => r.status === 'stored')).toHaveLength(1000);
    const ids = new Set(results.map((r) => r.conversationId));
    expect(ids.size).toBe(100);
    for (const id of ids) {
      const conv = await store.get(id!);
      expect(conv?.messageCount).toBe(10);
      expect(conv?.unread).toBe(10);
      const texts = (await messagesOf(store, id!)).map((m) => m.text);
      const user = conv!.participant.userId;
      expect(texts).toEqual(Array.from({ length: 10 }, (_, n) => `${user} @${n}`));
    }
    const page = await store.list({}, { limit: 200 });
    expect(page.conversations).toHaveLength(100);
  });

  it('records edits and replies, and keeps the original text in the edit history', async () => {
    const { store } = setup();
    const first = await store.ingest(dm('bob', { platformMessageId: '10', text: 'tx failed' }));
    await store.ingest(dm('bob', { platformMessageId: '11', text: 'see above', replyToPlatformId: '10' }));
    const edit = InboundEvent.parse({
      ...dm('bob'),
      type: 'edit',
      eventId: 'bob:10:edit:1',
      platformMessageId: '10',
      text: 'tx failed with error 0x1',
    });
    expect(await store.ingest(edit)).toMatchObject({ status: 'stored', seq: 1 });
    const [original, reply] = await messagesOf(store, first.conversationId!);
    expect(original?.text).toBe('tx failed with error 0x1');
    expect(original?.edits.map((e) => e.text)).toEqual(['tx failed']);
    expect(reply?.replyTo).toBe(`${first.conversationId}.1`);
  });

  it('re-opens a resolved conversation when the user writes again', async () => {
    const { store } = setup();
    const { conversationId } = await store.ingest(dm('carol'));
    await store.update(conversationId!, { status: 'resolved' });
    expect((await store.list({ status: 'resolved' })).conversations).toHaveLength(1);
    await store.ingest(dm('carol', { text: 'still broken' }));
    expect((await store.get(conversationId!))?.status).toBe('open');
    expect((await store.list({ status: 'resolved' })).conversations).toHaveLength(0);
    expect((await store.list({ status: 'open' })).conversations).toHaveLength(1);
  });

  it("stores a new conversation's fields exactly, whatever characters they hold", async () => {
    const { store } = setup();
    const sender = {
      channel: 'telegram',
      userId: '42:7',
      handle: '@zoë',
      displayName: 'Zoë 9:1 | «x» 🚀',
      language: 'pt-BR',
    };
    // A lone surrogate reaches Redis as U+FFFD: the packed lengths must count it as sent.
    const title = 'Ops 12:ab | «wallet» 🚀 \ud800 3:';
    const event = dm('zoe', { thread: { key: 'room:42|7', kind: 'group', title }, sender });
    const { conversationId, created } = await store.ingest(event);
    expect(created).toBe(true);
    const conv = await store.get(conversationId!);
    expect(conv).toMatchObject({
      channel: 'telegram',
      threadKey: 'room:42|7',
      kind: 'group',
      title: 'Ops 12:ab | «wallet» 🚀 \ufffd 3:',
      language: 'pt-BR',
      status: 'open',
      priority: 'normal',
      tags: [],
      messageCount: 1,
      unread: 1,
      version: 0,
    });
    expect(conv?.participant).toEqual(sender);
    expect(await store.findByThread('telegram', 'room:42|7')).toBe(conversationId);
    expect((await store.list({ language: 'pt-BR' })).conversations.map((c) => c.id)).toEqual([
      conversationId,
    ]);
    expect((await store.list({ channel: 'telegram' })).conversations.map((c) => c.id)).toEqual([
      conversationId,
    ]);
    const next = await store.ingest(
      dm('zoe', { thread: { key: 'room:42|7', kind: 'group', title }, sender }),
    );
    expect(next).toMatchObject({ conversationId, created: false, seq: 2 });
    expect((await checkConsistency(store)).problems).toEqual([]);
  });

  it('counts a message as unread, and re-opens the conversation, only when the bot is addressed', async () => {
    const { store } = setup();
    const { conversationId } = await store.ingest(dm('kim'), {}, 1_000);
    const id = conversationId!;
    await store.update(id, { markRead: true }, {}, 2_000);
    await store.update(id, { status: 'resolved' }, {}, 3_000);
    const resolved = (await store.get(id))!;
    expect(resolved).toMatchObject({ status: 'resolved', unread: 0 });

    await store.ingest(dm('kim', { addressedToBot: false }), {}, 4_000);
    expect(await store.get(id)).toMatchObject({
      status: 'resolved',
      unread: 0,
      messageCount: 2,
      lastMessageAt: 4_000,
      lastInboundAt: 1_000,
      version: resolved.version,
    });
    expect((await store.list({ status: 'resolved' })).conversations).toHaveLength(1);

    await store.ingest(dm('kim'), {}, 5_000);
    await store.ingest(dm('kim'), {}, 6_000);
    expect(await store.get(id)).toMatchObject({
      status: 'open',
      unread: 2,
      messageCount: 4,
      lastMessageAt: 6_000,
      lastInboundAt: 6_000,
      updatedAt: 6_000,
      version: resolved.version + 1,
    });
    expect((await store.list({ status: 'resolved' })).conversations).toHaveLength(0);
    expect((await store.list({ status: 'open' })).conversations.map((c) => c.id)).toEqual([id]);
    expect((await checkConsistency(store)).problems).toEqual([]);
  });

  it('streams each event with its conversation and seq, and stores replies with the seq they answer', async () => {
    const { store, redis } = setup(1);
    const first = await store.ingest(dm('lee', { platformMessageId: '20' }));
    const id = first.conversationId!;
    const reply = await store.ingest(dm('lee', { platformMessageId: '21', replyToPlatformId: '20' }));
    const orphan = await store.ingest(dm('lee', { platformMessageId: '22', replyToPlatformId: '999' }));
    const edit = (platformMessageId: string, user = 'lee') =>
      InboundEvent.parse({
        ...dm(user),
        type: 'edit',
        eventId: `edit-${platformMessageId}-${user}`,
        platformMessageId,
        text: 'edited',
      });
    expect(await store.ingest(edit('21'))).toMatchObject({ status: 'stored', conversationId: id, seq: 2 });
    expect(await store.ingest(edit('404'))).toMatchObject({ status: 'event', conversationId: id });
    expect(await store.ingest(edit('1', 'nobody'))).toEqual({ status: 'event', created: false });
    const button = InboundEvent.parse({ ...dm('lee'), type: 'button', eventId: 'button-1', data: 'yes' });
    expect(await store.ingest(button)).toMatchObject({ status: 'event', conversationId: id });
    expect([reply.seq, orphan.seq]).toEqual([2, 3]);

    const raw = await redis.lrange(store.keys.messages(id), 0, -1);
    expect(raw[0]).toMatch(/^\{"channel":/);
    expect(raw[1]).toMatch(/^\{"replyTo":1,"channel":/);
    expect(raw[2]).toMatch(/^\{"channel":/);
    const [, second, third] = await messagesOf(store, id);
    expect(second).toMatchObject({ replyTo: `${id}.1`, text: 'edited' });
    expect(third?.replyTo).toBeUndefined();

    const entries = await redis.xrange(store.keys.inboundStream(0), '-', '+');
    const fields = entries.map(([, flat]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
      return { type: JSON.parse(f.e!).type, c: f.c, q: f.q };
    });
    expect(fields).toEqual([
      { type: 'message', c: id, q: '1' },
      { type: 'message', c: id, q: '2' },
      { type: 'message', c: id, q: '3' },
      { type: 'edit', c: id, q: '2' },
      { type: 'edit', c: id, q: '0' },
      { type: 'edit', c: '', q: '0' },
      { type: 'button', c: id, q: '0' },
    ]);
  });

  it('streams every stored event for the router, and nothing for a duplicate', async () => {
    const { store, redis } = setup(1);
    const event = dm('dave');
    await store.ingest(event);
    await store.ingest(event);
    const entries = await redis.xrange(store.keys.inboundStream(0), '-', '+');
    expect(entries).toHaveLength(1);
  });
});

describe('updates', () => {
  it('never loses one of many concurrent tag, status and assignee changes', async () => {
    const { store } = setup();
    const { conversationId } = await store.ingest(dm('erin'));
    const id = conversationId!;
    const tags = Array.from({ length: 50 }, (_, i) => `t${i}`);
    await Promise.all([
      ...tags.map((t) => store.update(id, { addTags: [t] })),
      store.update(id, { priority: 'urgent' }),
      store.update(id, { assignee: 'agent-7' }),
    ]);
    const conv = await store.get(id);
    expect(new Set(conv?.tags)).toEqual(new Set(tags));
    expect(conv).toMatchObject({ priority: 'urgent', assignee: 'agent-7', version: 52 });
    expect(
      (await store.list({ assignee: 'agent-7', priority: 'urgent', tag: 't33' })).conversations,
    ).toHaveLength(1);
    expect((await store.list({ assignee: '' })).conversations).toHaveLength(0);
  });

  it('lets exactly one of many agents claim an unassigned conversation', async () => {
    const { store } = setup();
    const { conversationId } = await store.ingest(dm('frank'));
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update(conversationId!, { assignee: `agent-${i}` }, { expect: { assignee: '' } }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'condition')).toHaveLength(19);
  });

  it('refuses a stale optimistic update', async () => {
    const { store } = setup();
    const { conversationId } = await store.ingest(dm('gina'));
    const seen = (await store.get(conversationId!))!.version;
    await store.update(conversationId!, { priority: 'high' });
    expect(await store.update(conversationId!, { priority: 'low' }, { version: seen })).toMatchObject({
      ok: false,
      reason: 'stale',
    });
  });
});

describe('listing', () => {
  it('pages through filtered conversations without gaps or repeats', async () => {
    const { store } = setup(8);
    for (let i = 0; i < 120; i++) {
      const { conversationId } = await store.ingest(dm(`p${i}`, { at: 1_000 + i }), {}, 1_000_000 + i);
      if (i % 3 === 0) await store.update(conversationId!, { status: 'pending' }, {}, 1_000_000 + i);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.list(
        { status: 'open', channel: 'telegram' },
        { limit: 7, ...(cursor ? { cursor } : {}) },
      );
      seen.push(...page.conversations.map((c) => c.participant.userId));
      cursor = page.cursor;
    } while (cursor);
    const expected = Array.from({ length: 120 }, (_, i) => i)
      .filter((i) => i % 3 !== 0)
      .reverse()
      .map((i) => `p${i}`);
    expect(seen).toEqual(expected);
  });
});

describe('messages from the bot and agents', () => {
  it('appends once per idempotency key and records delivery', async () => {
    const { store } = setup();
    const { conversationId } = await store.ingest(dm('hana'));
    const body = {
      channel: 'telegram',
      direction: 'out' as const,
      author: { kind: 'agent' as const, id: 'a1' },
      text: 'On it',
      createdAt: Date.now(),
    };
    const a = await store.append(conversationId!, body, 'reply-1');
    const b = await store.append(conversationId!, body, 'reply-1');
    expect(a).toMatchObject({ seq: 2, duplicate: false });
    expect(b).toMatchObject({ seq: 2, duplicate: true });
    await store.recordDelivery(conversationId!, 2, { state: 'sent', at: Date.now() }, '555');
    const [reply] = await store.history(conversationId!, { limit: 1 });
    expect(reply).toMatchObject({ text: 'On it', delivery: { state: 'sent' } });
    expect(await store.seqOfPlatformMessage(conversationId!, '555')).toBe(2);
    expect((await store.get(conversationId!))?.unread).toBe(0);
  });

  it('stores a reply and queues its send in one step, each once however often it is retried', async () => {
    const { store } = setup();
    const { conversationId } = await store.ingest(dm('ines'));
    const id = conversationId!;
    const bot = { kind: 'bot' as const, id: 'bot' };
    const command = {
      type: 'send' as const,
      id: 'telegram:e1:r0',
      channel: 'telegram',
      threadKey: 'chat-ines',
      text: 'Hi <b>Ines</b> "quoted"',
      style: 'plain' as const,
    };
    const first = await store.reply(id, command, bot, { at: 42 });
    const again = await Promise.all([1, 2, 3].map(() => store.reply(id, command, bot)));
    expect(first).toEqual({ seq: 2, duplicate: false, messageId: `${id}.2`, queued: true });
    for (const retry of again)
      expect(retry).toEqual({ seq: 2, duplicate: true, messageId: `${id}.2`, queued: false });

    const stream = store.keys.outboundStream('telegram', store.keys.shardOfConversation(id));
    const entries = await store.redis.xrange(stream, '-', '+');
    expect(entries).toHaveLength(1);
    const [, fields] = entries[0]!;
    const queued = OutboundCommand.parse(JSON.parse(fields[fields.indexOf('cmd') + 1]!));
    expect(queued).toEqual({ ...command, conversationId: id, messageId: `${id}.2` });
    expect(fields[fields.indexOf('at') + 1]).toBe('42');
    expect(await messagesOf(store, id)).toHaveLength(2);
    expect((await store.history(id, { limit: 1 }))[0]).toMatchObject({
      text: command.text,
      author: bot,
      direction: 'out',
      delivery: { state: 'queued' },
    });

    // Nothing is queued for a conversation that is gone, nor for another conversation's thread.
    await expect(store.reply('0-zz', { ...command, id: 'x' }, bot)).rejects.toThrow(/no conversation/);
    const shard = store.keys.shardOfConversation(id);
    const elsewhere = ['a', 'b', 'c', 'd', 'e'].find(
      (k) => store.keys.shardOfThread('telegram', k) !== shard,
    );
    await expect(store.reply(id, { ...command, id: 'y', threadKey: elsewhere! }, bot)).rejects.toThrow(
      /not the thread/,
    );
    expect(await store.redis.xlen(stream)).toBe(1);
  });
});

describe('retention', () => {
  it('purges resolved conversations past retention, with every key and index entry', async () => {
    const { store, redis } = setup(1);
    const old = await store.ingest(dm('ivan'));
    const recent = await store.ingest(dm('jane'));
    await store.update(old.conversationId!, { status: 'resolved' }, {}, 1_000);
    await store.update(recent.conversationId!, { status: 'resolved' }, {}, 5_000);
    expect(await store.purgeResolved(2_000)).toBe(1);
    expect(await store.get(old.conversationId!)).toBeUndefined();
    expect(await redis.exists(store.keys.messages(old.conversationId!))).toBe(0);
    expect(await store.findByThread('telegram', 'chat-ivan')).toBeUndefined();
    expect((await store.list({})).conversations.map((c) => c.id)).toEqual([recent.conversationId]);
  });
});
