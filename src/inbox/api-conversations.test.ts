/** The conversation routes end to end: listing, search, paging, reply to the platform, notes, actions. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/pipeline.ts';
import { decodeLiveEntry } from '../bus/live.ts';
import type { Conversation, Message } from '../core/model.ts';
import { type InboxFixture, inboxFixture } from './testing.ts';

let f: InboxFixture;
beforeAll(async () => {
  f = await inboxFixture();
});
afterAll(async () => f.close());

const get = (url: string) => f.request(f.sessions.agent, { method: 'GET', url });
const post = (url: string, payload?: object, who = f.sessions.agent) =>
  f.request(who, { method: 'POST', url, ...(payload ? { payload } : {}) });

describe('listing', () => {
  it('filters by mine, unassigned and status, pages with a cursor, and searches recent messages', async () => {
    const a = await f.ingest('where is my withdrawal?', { userId: 'list-a' });
    const b = await f.ingest('the app crashes on login', { userId: 'list-b' });
    const c = await f.ingest('just saying hi', { userId: 'list-c' });
    expect((await post(`/api/conversations/${a}/claim`)).statusCode).toBe(200);
    const ids = async (url: string) =>
      (await get(url)).json<{ conversations: Conversation[] }>().conversations.map((x) => x.id);
    expect(await ids('/api/conversations?mine=true')).toEqual([a]);
    expect(await ids('/api/conversations?unassigned=true')).toEqual(expect.arrayContaining([b, c]));
    expect(await ids('/api/conversations?unassigned=true')).not.toContain(a);
    expect(await ids('/api/conversations?q=CRASHES')).toEqual([b]);
    expect(await ids('/api/conversations?q=nothing-matches-this')).toEqual([]);

    const first = (await get('/api/conversations?limit=2')).json<{
      conversations: Conversation[];
      cursor?: string;
    }>();
    expect(first.conversations).toHaveLength(2);
    expect(first.cursor).toBeTypeOf('string');
    const second = (await get(`/api/conversations?limit=2&cursor=${first.cursor}`)).json<{
      conversations: Conversation[];
    }>();
    expect(second.conversations.map((x) => x.id)).not.toContain(first.conversations[0]?.id);
  });

  it('rejects bad filters and cursors', async () => {
    expect((await get('/api/conversations?status=closed')).statusCode).toBe(400);
    expect((await get('/api/conversations?limit=0')).statusCode).toBe(400);
    expect((await get('/api/conversations?mine=perhaps')).statusCode).toBe(400);
    expect((await get('/api/conversations?cursor=bm9wZQ')).statusCode).toBe(400);
    expect((await get('/api/conversations/not-an-id')).statusCode).toBe(400);
    expect((await get('/api/conversations/0-zzzz')).statusCode).toBe(404);
  });
});

describe('a conversation', () => {
  it('returns messages oldest first and pages back with `before`', async () => {
    const id = await f.ingest('message 1', { userId: 'pager' });
    for (let i = 2; i <= 5; i++) await f.ingest(`message ${i}`, { userId: 'pager' });
    const page = (await get(`/api/conversations/${id}?limit=2`)).json<{ messages: Message[] }>();
    expect(page.messages.map((m) => m.text)).toEqual(['message 4', 'message 5']);
    const older = (await get(`/api/conversations/${id}/messages?before=4&limit=2`)).json<{
      messages: Message[];
    }>();
    expect(older.messages.map((m) => m.text)).toEqual(['message 2', 'message 3']);
    expect((await get(`/api/conversations/${id}/messages?before=zero`)).statusCode).toBe(400);
    expect((await get('/api/conversations/0-zzzz/messages')).statusCode).toBe(404);
  });

  it('marks read', async () => {
    const id = await f.ingest('unread one', { userId: 'reader' });
    expect(
      (await get(`/api/conversations/${id}`)).json<{ conversation: Conversation }>().conversation.unread,
    ).toBe(1);
    expect((await post(`/api/conversations/${id}/read`)).statusCode).toBe(204);
    expect(
      (await get(`/api/conversations/${id}`)).json<{ conversation: Conversation }>().conversation.unread,
    ).toBe(0);
  });

  it('finds a conversation by ticket', async () => {
    const id = await f.ingest('ticket please', { userId: 'ticketed' });
    const ticket = await f.runtime.store.ensureTicket(id, (n) => `EX-${n}`);
    const res = await get(`/api/tickets/${ticket}`);
    expect(res.json<{ conversation: Conversation }>().conversation.id).toBe(id);
    expect((await get('/api/tickets/EX-999999')).statusCode).toBe(404);
  });
});

describe('actions', () => {
  it('a reply reaches the platform, assigns the agent and is idempotent per key', async () => {
    const id = await f.ingest('help me', { userId: 'replied' });
    const res = await post(`/api/conversations/${id}/reply`, {
      text: 'On it!',
      idempotencyKey: 'reply-key-1',
    });
    expect(res.statusCode).toBe(201);
    const again = await post(`/api/conversations/${id}/reply`, {
      text: 'On it!',
      idempotencyKey: 'reply-key-1',
    });
    expect(again.json<{ duplicate: boolean }>().duplicate).toBe(true);
    await waitFor(() => f.platform.arrivals.some((a) => a.chat === 'chat-replied' && a.text === 'On it!'));
    await new Promise((r) => setTimeout(r, 200));
    expect(f.platform.arrivals.filter((a) => a.chat === 'chat-replied')).toHaveLength(1);
    const { conversation } = (await get(`/api/conversations/${id}`)).json<{ conversation: Conversation }>();
    expect(conversation).toMatchObject({ assignee: f.userIds.agent, owner: 'agent' });
    expect((await post(`/api/conversations/${id}/reply`, { text: '   ' })).statusCode).toBe(400);
    expect((await post(`/api/conversations/${id}/reply`, {})).statusCode).toBe(400);
    expect((await post('/api/conversations/0-zzzz/reply', { text: 'x' })).statusCode).toBe(404);
  });

  it('a note is stored privately, never delivered, and alerts mentioned colleagues', async () => {
    const id = await f.ingest('tricky one', { userId: 'noted' });
    const res = await post(`/api/conversations/${id}/notes`, { text: 'please look @moderator and @nobody' });
    expect(res.statusCode).toBe(201);
    expect(res.json<{ mentioned: string[] }>().mentioned).toEqual(['moderator']);
    const { messages } = (await get(`/api/conversations/${id}`)).json<{ messages: Message[] }>();
    expect(messages.at(-1)).toMatchObject({ note: true, text: 'please look @moderator and @nobody' });
    const live = await f.runtime.redis.xrange(f.runtime.store.keys.liveStream(), '-', '+');
    const alerts = live.flatMap(([, fields]) => decodeLiveEntry(fields[1])).filter((e) => e.type === 'alert');
    expect(alerts).toContainEqual(
      expect.objectContaining({
        conversationId: id,
        data: expect.objectContaining({ to: f.userIds.moderator, kind: 'mention' }),
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(f.platform.arrivals.some((a) => a.text.includes('please look'))).toBe(false);
  });

  it('claim is won once; assign, unassign, status, tags and priority change the conversation', async () => {
    const id = await f.ingest('who takes me', { userId: 'claimed' });
    const claims = await Promise.all([
      post(`/api/conversations/${id}/claim`, undefined, f.sessions.agent),
      post(`/api/conversations/${id}/claim`, undefined, f.sessions.moderator),
    ]);
    expect(claims.map((r) => r.statusCode).sort()).toEqual([200, 409]);
    expect((await post(`/api/conversations/${id}/assign`, { userId: f.userIds.admin })).statusCode).toBe(200);
    expect((await post(`/api/conversations/${id}/assign`, { userId: 'unknownuser0' })).statusCode).toBe(404);
    expect((await post(`/api/conversations/${id}/assign`, {})).statusCode).toBe(400);
    const conversation = async () =>
      (await get(`/api/conversations/${id}`)).json<{ conversation: Conversation }>().conversation;
    expect((await conversation()).assignee).toBe(f.userIds.admin);
    await post(`/api/conversations/${id}/unassign`);
    expect((await conversation()).assignee).toBeUndefined();

    const until = Date.now() + 3_600_000;
    expect(
      (await post(`/api/conversations/${id}/status`, { status: 'snoozed', snoozedUntil: until })).statusCode,
    ).toBe(200);
    expect(await conversation()).toMatchObject({ status: 'snoozed', snoozedUntil: until });
    expect((await post(`/api/conversations/${id}/status`, { status: 'snoozed' })).statusCode).toBe(400);
    expect((await post(`/api/conversations/${id}/status`, { status: 'closed' })).statusCode).toBe(400);
    await post(`/api/conversations/${id}/status`, { status: 'resolved' });
    expect((await conversation()).status).toBe('resolved');

    await post(`/api/conversations/${id}/tags`, { add: ['vip', 'kyc'] });
    const tagged = await post(`/api/conversations/${id}/tags`, { remove: ['kyc'] });
    expect(tagged.json()).toEqual({ tags: ['vip'] });
    expect((await post(`/api/conversations/${id}/tags`, { add: ['has space'] })).statusCode).toBe(400);
    await post(`/api/conversations/${id}/priority`, { priority: 'urgent' });
    expect((await conversation()).priority).toBe('urgent');
    expect((await post(`/api/conversations/${id}/priority`, { priority: 'meh' })).statusCode).toBe(400);
  });

  it('typing goes out live and a verification code is bound to the user', async () => {
    const id = await f.ingest('is this really you?', { userId: 'verify-me' });
    expect((await post(`/api/conversations/${id}/typing`)).statusCode).toBe(204);
    const res = await post(`/api/conversations/${id}/verification-code`);
    const { code } = res.json<{ code: string }>();
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect((await post('/api/conversations/0-zzzz/verification-code')).statusCode).toBe(404);
  });
});
