/** Canned responses, macros, contacts, the moderator console, users and health. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../core/model.ts';
import { type InboxFixture, inboxFixture } from './testing.ts';

let f: InboxFixture;
beforeAll(async () => {
  f = await inboxFixture();
});
afterAll(async () => f.close());

const as = (role: 'agent' | 'moderator' | 'admin') => ({
  get: (url: string) => f.request(f.sessions[role], { method: 'GET', url }),
  send: (method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    f.request(f.sessions[role], { method, url, ...(payload ? { payload } : {}) }),
});
const agent = as('agent');
const moderator = as('moderator');
const admin = as('admin');

describe('canned responses', () => {
  it('are created, listed, replaced, rendered with placeholders and deleted', async () => {
    const created = await admin.send('POST', '/api/canned', {
      shortcut: 'ticket',
      title: 'Ticket created',
      text: 'Hi {{name}}, your ticket is {{ticket}} ({{agent}} on {{channel}}). {{unknown}} stays.',
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    expect((await agent.get('/api/canned')).json<{ items: unknown[] }>().items).toHaveLength(1);
    const conversation = await f.ingest('I need a ticket', { userId: 'canned', displayName: 'Mei' });
    const rendered = (await agent.get(`/api/conversations/${conversation}/canned/${id}`)).json<{
      text: string;
    }>().text;
    expect(rendered).toMatch(
      /^Hi Mei, your ticket is T-\d{6} \(agent one on fake\)\. \{\{unknown\}\} stays\.$/,
    );
    const replaced = await admin.send('PUT', `/api/canned/${id}`, {
      shortcut: 'ticket',
      title: 'T',
      text: 'Bye {{name}}',
    });
    expect(replaced.json()).toMatchObject({ id, text: 'Bye {{name}}' });
    expect((await admin.send('DELETE', `/api/canned/${id}`)).statusCode).toBe(204);
    expect((await admin.send('DELETE', `/api/canned/${id}`)).statusCode).toBe(404);
    expect(
      (await admin.send('PUT', `/api/canned/${id}`, { shortcut: 'x', title: 'x', text: 'x' })).statusCode,
    ).toBe(404);
    expect((await agent.get(`/api/conversations/${conversation}/canned/${id}`)).statusCode).toBe(404);
  });

  it('reject invalid input', async () => {
    expect(
      (await admin.send('POST', '/api/canned', { shortcut: 'has space', title: 'x', text: 'x' })).statusCode,
    ).toBe(400);
    expect(
      (await admin.send('POST', '/api/canned', { shortcut: 'ok', title: '', text: 'x' })).statusCode,
    ).toBe(400);
    expect((await admin.send('DELETE', '/api/canned/NOT_AN_ID')).statusCode).toBe(400);
  });
});

describe('macros', () => {
  it('apply several actions at once', async () => {
    const created = await admin.send('POST', '/api/macros', {
      name: 'Escalate',
      actions: [
        { type: 'assign', to: 'me' },
        { type: 'priority', priority: 'urgent' },
        { type: 'tag', add: ['escalated'] },
        { type: 'note', text: 'escalated by macro' },
        { type: 'reply', text: 'A specialist will answer you shortly.' },
        { type: 'status', status: 'pending' },
      ],
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    const conversation = await f.ingest('urgent problem', { userId: 'macro' });
    const applied = await agent.send('POST', `/api/conversations/${conversation}/macros/${id}`);
    expect(applied.json<{ applied: number; conversation: Conversation }>()).toMatchObject({
      applied: 6,
      conversation: { assignee: f.userIds.agent, priority: 'urgent', tags: ['escalated'], status: 'pending' },
    });
    const { messages } = (await agent.get(`/api/conversations/${conversation}`)).json<{
      messages: Message[];
    }>();
    expect(messages.map((m) => [m.text, m.note ?? false])).toEqual([
      ['urgent problem', false],
      ['escalated by macro', true],
      ['A specialist will answer you shortly.', false],
    ]);
    expect((await admin.send('POST', '/api/macros', { name: 'Empty', actions: [] })).statusCode).toBe(400);
    expect(
      (await admin.send('POST', '/api/macros', { name: 'Bad', actions: [{ type: 'explode' }] })).statusCode,
    ).toBe(400);
    expect(
      (await agent.send('POST', `/api/conversations/${conversation}/macros/0000000000abcdef`)).statusCode,
    ).toBe(404);
  });
});

describe('contacts', () => {
  it("show a person's conversations across channels after a merge", async () => {
    const one = await f.ingest('first account', { userId: 'person-1' });
    const two = await f.ingest('second account', { userId: 'person-2' });
    await f.ingest('someone else', { userId: 'person-3' });
    const before = (await agent.get('/api/contacts/fake:person-1')).json<{ conversations: Conversation[] }>();
    expect(before.conversations.map((c) => c.id)).toEqual([one]);
    const merged = await agent.send('POST', '/api/contacts/merge', {
      into: 'fake:person-1',
      from: 'fake:person-2',
    });
    expect(merged.json()).toEqual({ members: ['fake:person-1', 'fake:person-2'] });
    const after = (await agent.get('/api/contacts/fake:person-2')).json<{
      members: string[];
      conversations: Conversation[];
    }>();
    expect(after.members).toEqual(['fake:person-1', 'fake:person-2']);
    expect(after.conversations.map((c) => c.id).sort()).toEqual([one, two].sort());
    expect(
      (await agent.send('POST', '/api/contacts/merge', { into: 'fake:x', from: 'fake:x' })).statusCode,
    ).toBe(400);
    expect((await agent.get('/api/contacts/no-colon')).statusCode).toBe(400);
  });
});

describe('moderator console', () => {
  it('flags and unflags, and a flagged handle warns on the next message mentioning it', async () => {
    const flagged = await moderator.send('POST', '/api/flags', {
      kind: 'handle',
      value: '@FakeSupportDesk',
      reason: 'impersonates support',
    });
    expect(flagged.statusCode).toBe(201);
    expect(flagged.json()).toMatchObject({ kind: 'handle', value: 'fakesupportdesk', by: 'moderator' });
    expect((await moderator.get('/api/flags?kind=handle')).json<{ flags: unknown[] }>().flags).toHaveLength(
      1,
    );
    const conversation = await new Promise<string>((resolve) =>
      setTimeout(
        () => resolve(f.ingest('support told me to DM @FakeSupportDesk', { userId: 'victim' })),
        300,
      ),
    );
    const { messages } = (await agent.get(`/api/conversations/${conversation}`)).json<{
      messages: Message[];
    }>();
    expect(messages.at(-1)?.entities).toContainEqual(
      expect.objectContaining({ kind: 'handle', verdict: 'flagged' }),
    );
    const alerts = (await moderator.get('/api/alerts')).json<{ alerts: Array<{ conversationId: string }> }>()
      .alerts;
    expect(alerts.map((a) => a.conversationId)).toContain(conversation);
    expect(
      (await moderator.send('POST', '/api/flags/remove', { kind: 'handle', value: 'FakeSupportDesk' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await moderator.send('POST', '/api/flags/remove', { kind: 'handle', value: 'FakeSupportDesk' }))
        .statusCode,
    ).toBe(404);
    expect(
      (await moderator.send('POST', '/api/flags', { kind: 'planet', value: 'x', reason: 'x' })).statusCode,
    ).toBe(400);
    expect((await moderator.send('POST', '/api/flags', { kind: 'domain', value: 'x.com' })).statusCode).toBe(
      400,
    );
  });

  it('decides reports in one click; accepting flags the value', async () => {
    const report = await f.registry.report({
      kind: 'domain',
      value: 'claim-airdrop.xyz',
      reporter: { channel: 'fake', userId: 'u9' },
      note: 'sent me this',
    });
    const pending = (await moderator.get('/api/reports')).json<{ reports: Array<{ id: string }> }>().reports;
    expect(pending.map((r) => r.id)).toContain(report.id);
    const decided = await moderator.send('POST', `/api/reports/${report.id}/decision`, { accept: true });
    expect(decided.json()).toMatchObject({ report: { status: 'accepted', decidedBy: 'moderator' } });
    const flags = (await moderator.get('/api/flags?kind=domain')).json<{ flags: Array<{ value: string }> }>()
      .flags;
    expect(flags.map((x) => x.value)).toContain('claim-airdrop.xyz');
    expect(
      (await moderator.send('POST', `/api/reports/${crypto.randomUUID()}/decision`, { accept: true }))
        .statusCode,
    ).toBe(404);
    expect(
      (await moderator.send('POST', '/api/reports/not-a-uuid/decision', { accept: true })).statusCode,
    ).toBe(400);
  });

  it('checks an entity against the registries', async () => {
    const res = await agent.send('POST', '/api/check', { text: 'is examp1e.com yours?' });
    expect(res.json<{ entities: Array<{ value: string; verdict: string }> }>().entities).toContainEqual(
      expect.objectContaining({ value: 'examp1e.com', verdict: 'lookalike' }),
    );
    expect((await agent.send('POST', '/api/check', { text: '' })).statusCode).toBe(400);
  });
});

describe('users and health', () => {
  it('creates users, refuses duplicates and weak passwords, lists the directory', async () => {
    const created = await admin.send('POST', '/api/users', {
      username: 'lin',
      name: 'Lin Wei',
      role: 'moderator',
      password: 'long enough password',
    });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain('passwordHash');
    expect(
      (
        await admin.send('POST', '/api/users', {
          username: 'lin',
          role: 'agent',
          password: 'long enough password',
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (await admin.send('POST', '/api/users', { username: 'short', role: 'agent', password: 'short' }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await admin.send('POST', '/api/users', {
          username: 'Bad Name',
          role: 'agent',
          password: 'long enough password',
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await admin.send('POST', '/api/users', {
          username: 'kai',
          role: 'root',
          password: 'long enough password',
        })
      ).statusCode,
    ).toBe(400);
    expect((await admin.send('PATCH', '/api/users/0000000000abcdef', { name: 'x' })).statusCode).toBe(404);
    const directory = (await agent.get('/api/directory')).json<{ users: Array<{ username: string }> }>()
      .users;
    expect(directory.map((u) => u.username)).toEqual(
      expect.arrayContaining(['agent', 'moderator', 'admin', 'lin']),
    );
    expect(JSON.stringify(directory)).not.toContain('scrypt');
  });

  it("reports channels' health and renders a login QR code as SVG", async () => {
    f.server.inbox.deps.health = () => ({
      ok: false,
      redis: 'ready',
      channels: {
        wechat: {
          ok: false,
          detail: 'waiting for login (scan the QR code)',
          info: { puppet: 'mock', qrcode: 'https://login.weixin.qq.com/l/abc' },
        },
      },
    });
    const res = await admin.get('/api/admin/health');
    const body = res.json<{ channels: Array<{ name: string; qrSvg?: string }> }>();
    expect(body.channels[0]).toMatchObject({ name: 'wechat', ok: false });
    expect(body.channels[0]?.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect((await f.request(undefined, { method: 'GET', url: '/readyz' })).json()).toMatchObject({
      ready: true,
    });
    const metrics = await f.request(undefined, { method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('verity_events_total');
  });

  it('serves the OpenAPI document with every route and its role', async () => {
    const doc = (await f.request(undefined, { method: 'GET', url: '/api/docs' })).json<{
      paths: Record<string, Record<string, { 'x-verity-role': string }>>;
    }>();
    expect(doc.paths['/api/flags']?.post?.['x-verity-role']).toBe('moderator');
    expect(doc.paths['/api/conversations/{id}/reply']?.post).toMatchObject({
      requestBody: expect.anything(),
    });
    expect(Object.keys(doc.paths).length).toBeGreaterThan(30);
  });

  it('serves the page with a strict content security policy', async () => {
    const page = await f.request(undefined, { method: 'GET', url: '/' });
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('<script type="module" src="/app.js">');
  });
});
