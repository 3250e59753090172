/**
 * The authorization matrix: every route × anonymous, agent, moderator, admin, with the
 * exact status each must answer. Roles are ordered (agent < moderator < admin); a route
 * below the caller's role answers 403, without a session 401.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from './auth/users.ts';
import { type InboxFixture, inboxFixture, type Session } from './testing.ts';

type Caller = 'anonymous' | Role;
const CALLERS: Caller[] = ['anonymous', 'agent', 'moderator', 'admin'];
const RANK: Record<Caller, number> = { anonymous: 0, agent: 1, moderator: 2, admin: 3 };

interface Setup {
  conversation: Record<Role, string>;
  ticket: string;
  canned: string;
  macro: string;
  report: Record<Role, string>;
  spareUser: string;
}

interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: (s: Setup, role: Role) => string;
  body?: (s: Setup, role: Role) => Record<string, unknown>;
  need: Role | 'public';
  ok: number;
}

const conv =
  (path = '') =>
  (s: Setup, role: Role) =>
    `/api/conversations/${s.conversation[role]}${path}`;
const fixed = (url: string) => () => url;

// Order matters where a route changes state: claim before reply (which assigns), flag before unflag,
// PUT before DELETE, logout last.
const CASES: Case[] = [
  { method: 'GET', url: fixed('/api/auth/me'), need: 'agent', ok: 200 },
  { method: 'GET', url: fixed('/api/conversations'), need: 'agent', ok: 200 },
  { method: 'GET', url: fixed('/api/conversations?mine=true&status=open'), need: 'agent', ok: 200 },
  { method: 'GET', url: fixed('/api/conversations?unassigned=true&q=hello'), need: 'agent', ok: 200 },
  { method: 'GET', url: conv(), need: 'agent', ok: 200 },
  { method: 'GET', url: conv('/messages?before=2'), need: 'agent', ok: 200 },
  { method: 'POST', url: conv('/read'), need: 'agent', ok: 204 },
  { method: 'GET', url: (s) => `/api/tickets/${s.ticket}`, need: 'agent', ok: 200 },
  { method: 'POST', url: conv('/claim'), need: 'agent', ok: 200 },
  {
    method: 'POST',
    url: conv('/reply'),
    body: () => ({ text: 'hello from the desk' }),
    need: 'agent',
    ok: 201,
  },
  { method: 'POST', url: conv('/notes'), body: () => ({ text: 'note for @agent' }), need: 'agent', ok: 201 },
  { method: 'POST', url: conv('/assign'), body: (s) => ({ userId: s.spareUser }), need: 'agent', ok: 200 },
  { method: 'POST', url: conv('/unassign'), need: 'agent', ok: 200 },
  { method: 'POST', url: conv('/status'), body: () => ({ status: 'pending' }), need: 'agent', ok: 200 },
  { method: 'POST', url: conv('/tags'), body: () => ({ add: ['vip'] }), need: 'agent', ok: 200 },
  { method: 'POST', url: conv('/priority'), body: () => ({ priority: 'high' }), need: 'agent', ok: 200 },
  { method: 'POST', url: conv('/typing'), need: 'agent', ok: 204 },
  { method: 'POST', url: conv('/verification-code'), need: 'agent', ok: 200 },
  { method: 'GET', url: fixed('/api/canned'), need: 'agent', ok: 200 },
  {
    method: 'POST',
    url: fixed('/api/canned'),
    body: (_s, r) => ({ shortcut: `hi-${r}`, title: 'Hi', text: 'Hi {{name}}' }),
    need: 'admin',
    ok: 201,
  },
  {
    method: 'PUT',
    url: (s) => `/api/canned/${s.canned}`,
    body: () => ({ shortcut: 'hello', title: 'Hello', text: 'Hello {{name}}' }),
    need: 'admin',
    ok: 200,
  },
  {
    method: 'GET',
    url: (s, r) => `/api/conversations/${s.conversation[r]}/canned/${s.canned}`,
    need: 'agent',
    ok: 200,
  },
  { method: 'GET', url: fixed('/api/macros'), need: 'agent', ok: 200 },
  {
    method: 'POST',
    url: fixed('/api/macros'),
    body: () => ({ name: 'Close', actions: [{ type: 'status', status: 'resolved' }] }),
    need: 'admin',
    ok: 201,
  },
  {
    method: 'PUT',
    url: (s) => `/api/macros/${s.macro}`,
    body: () => ({ name: 'Tag', actions: [{ type: 'tag', add: ['x'] }] }),
    need: 'admin',
    ok: 200,
  },
  {
    method: 'POST',
    url: (s, r) => `/api/conversations/${s.conversation[r]}/macros/${s.macro}`,
    need: 'agent',
    ok: 200,
  },
  { method: 'GET', url: fixed('/api/contacts/fake:u-agent'), need: 'agent', ok: 200 },
  {
    method: 'POST',
    url: fixed('/api/contacts/merge'),
    body: (_s, r) => ({ into: 'fake:u-agent', from: `other:${r}` }),
    need: 'agent',
    ok: 200,
  },
  {
    method: 'POST',
    url: fixed('/api/check'),
    body: () => ({ text: 'visit examp1e.com' }),
    need: 'agent',
    ok: 200,
  },
  { method: 'GET', url: fixed('/api/directory'), need: 'agent', ok: 200 },
  { method: 'GET', url: fixed('/api/flags'), need: 'moderator', ok: 200 },
  {
    method: 'POST',
    url: fixed('/api/flags'),
    body: (_s, r) => ({ kind: 'domain', value: `scam-${r}.com`, reason: 'phishing' }),
    need: 'moderator',
    ok: 201,
  },
  {
    method: 'POST',
    url: fixed('/api/flags/remove'),
    body: (_s, r) => ({ kind: 'domain', value: `scam-${r}.com` }),
    need: 'moderator',
    ok: 200,
  },
  { method: 'GET', url: fixed('/api/reports'), need: 'moderator', ok: 200 },
  {
    method: 'POST',
    url: (s, r) => `/api/reports/${s.report[r]}/decision`,
    body: () => ({ accept: false }),
    need: 'moderator',
    ok: 200,
  },
  { method: 'GET', url: fixed('/api/alerts'), need: 'moderator', ok: 200 },
  { method: 'GET', url: fixed('/api/users'), need: 'admin', ok: 200 },
  {
    method: 'POST',
    url: fixed('/api/users'),
    body: (_s, r) => ({ username: `new-${r}`, role: 'agent', password: 'a long enough password' }),
    need: 'admin',
    ok: 201,
  },
  {
    method: 'PATCH',
    url: (s) => `/api/users/${s.spareUser}`,
    body: () => ({ name: 'Spare Two' }),
    need: 'admin',
    ok: 200,
  },
  { method: 'GET', url: fixed('/api/audit'), need: 'admin', ok: 200 },
  { method: 'GET', url: fixed('/api/admin/health'), need: 'admin', ok: 200 },
  { method: 'DELETE', url: (s) => `/api/canned/${s.canned}`, need: 'admin', ok: 204 },
  { method: 'DELETE', url: (s) => `/api/macros/${s.macro}`, need: 'admin', ok: 204 },
  { method: 'GET', url: fixed('/api/docs'), need: 'public', ok: 200 },
  { method: 'GET', url: fixed('/healthz'), need: 'public', ok: 200 },
  { method: 'GET', url: fixed('/readyz'), need: 'public', ok: 200 },
  { method: 'GET', url: fixed('/metrics'), need: 'public', ok: 200 },
  { method: 'GET', url: fixed('/'), need: 'public', ok: 200 },
  {
    method: 'POST',
    url: fixed('/api/auth/login'),
    body: () => ({ username: 'spare', password: 'a long enough password' }),
    need: 'public',
    ok: 200,
  },
  { method: 'POST', url: fixed('/api/auth/logout'), need: 'agent', ok: 204 },
];

function expected(c: Case, caller: Caller): number {
  if (c.need === 'public') return c.ok;
  if (caller === 'anonymous') return 401;
  return RANK[caller] >= RANK[c.need] ? c.ok : 403;
}

let f: InboxFixture;
let setup: Setup;
let sessions: Record<Caller, Session | undefined>;

beforeAll(async () => {
  f = await inboxFixture();
  const { inbox } = f.server;
  const conversation = {
    agent: await f.ingest('hello agent', { userId: 'u-agent' }),
    moderator: await f.ingest('hello moderator', { userId: 'u-moderator' }),
    admin: await f.ingest('hello admin', { userId: 'u-admin' }),
  };
  const report = (r: Role) =>
    f.registry.report({
      kind: 'domain',
      value: `reported-${r}.com`,
      reporter: { channel: 'fake', userId: 'u1' },
    });
  setup = {
    conversation,
    ticket: await f.runtime.store.ensureTicket(conversation.agent, (n) => `T-${n}`),
    canned: (await inbox.library.canned.put({ shortcut: 'greet', title: 'Greet', text: 'Hello {{name}}' }))
      .id,
    macro: (
      await inbox.library.macros.put({ name: 'Pend', actions: [{ type: 'status', status: 'pending' }] })
    ).id,
    report: {
      agent: (await report('agent')).id,
      moderator: (await report('moderator')).id,
      admin: (await report('admin')).id,
    },
    spareUser: (
      await inbox.users.create({ username: 'spare', role: 'agent', password: 'a long enough password' })
    ).id,
  };
  sessions = { anonymous: undefined, ...f.sessions };
});
afterAll(async () => f.close());

describe('authorization matrix', () => {
  for (const caller of CALLERS) {
    it(`${caller}: every route answers the exact status`, async () => {
      const seen: string[] = [];
      const wanted: string[] = [];
      const role: Role = caller === 'anonymous' ? 'agent' : caller;
      for (const c of CASES) {
        const url = c.url(setup, role);
        const body = c.body?.(setup, role);
        const res = await f.request(sessions[caller], {
          method: c.method,
          url,
          ...(body ? { payload: body } : {}),
        });
        seen.push(`${c.method} ${url} → ${res.statusCode}`);
        wanted.push(`${c.method} ${url} → ${expected(c, caller)}`);
      }
      expect(seen).toEqual(wanted);
    });
  }

  it('covers every declared API route', () => {
    const declared = f.server.inbox.routes.documented.map((r) => `${r.method} ${r.url}`);
    // Whole path segments only: a plain replace could hit an id inside another (ticket T-1 in T-12).
    const names = new Map([
      [setup.conversation.agent, ':id'],
      [setup.canned, ':itemId'],
      [setup.macro, ':itemId'],
      [setup.report.agent, ':reportId'],
      [setup.spareUser, ':userId'],
      [setup.ticket, ':ticket'],
      ['fake:u-agent', ':account'],
    ]);
    const covered = new Set(
      CASES.map((c) => {
        const path = c.url(setup, 'agent').split('?')[0] ?? '';
        const shape = path
          .split('/')
          .map((segment) => names.get(decodeURIComponent(segment)) ?? segment)
          .join('/');
        return `${c.method} ${shape}`;
      }),
    );
    // The event stream is checked over a real connection in api.test.ts (inject cannot hold it open).
    const missing = declared.filter((d) => !covered.has(d) && d !== 'GET /api/events');
    expect(missing).toEqual([]);
  });
});
