/** Login, sessions, CSRF, rate limiting, audit, and the live event stream. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/pipeline.ts';
import { decodeLiveEntry } from '../bus/live.ts';
import type { AuditEntry } from './audit.ts';
import { type InboxFixture, inboxFixture, PASSWORD } from './testing.ts';

let f: InboxFixture;
beforeAll(async () => {
  f = await inboxFixture({
    listen: true,
    loginLimits: { perIp: { max: 1000, windowSeconds: 60 }, perUser: { max: 3, windowSeconds: 60 } },
  });
});
afterAll(async () => f.close());

const login = (username: string, password: string, ip = '127.0.0.1') =>
  f.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    remoteAddress: ip,
  });

describe('login', () => {
  it('sets an httpOnly, SameSite=Strict session cookie and returns the user without the hash', async () => {
    const res = await login('agent', PASSWORD);
    expect(res.statusCode).toBe(200);
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(
      /^verity_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=\d+$/,
    );
    expect(res.json()).toMatchObject({
      user: { username: 'agent', role: 'agent' },
      csrfToken: expect.any(String),
    });
    expect(res.body).not.toContain('scrypt');
  });

  it('answers 401 for a wrong password or unknown user and 400 for malformed input', async () => {
    expect((await login('moderator', 'wrong password')).statusCode).toBe(401);
    expect((await login('nobody-here', 'whatever it is')).statusCode).toBe(401);
    expect(
      (await f.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'agent' } }))
        .statusCode,
    ).toBe(400);
    expect(
      (
        await f.app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: 'username=agent',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        })
      ).statusCode,
    ).toBe(415);
  });

  it('locks a username after repeated failures, even with the right password, and tells when to retry', async () => {
    await f.server.inbox.users.create({ username: 'target', role: 'agent', password: PASSWORD });
    for (let i = 0; i < 3; i++)
      expect((await login('target', `guess ${i}`, `10.0.0.${i}`)).statusCode).toBe(401);
    const locked = await login('target', PASSWORD, '10.0.0.9');
    expect(locked.statusCode).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('stores passwords as salted scrypt hashes', async () => {
    const stored = await f.server.inbox.users.byUsername('agent');
    expect(stored?.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored?.passwordHash).not.toContain(PASSWORD);
  });
});

describe('sessions and CSRF', () => {
  it('refuses state changes without the CSRF token, and accepts reads without it', async () => {
    const s = await f.login('agent');
    const id = await f.ingest('csrf check', { userId: 'csrf' });
    const bare = { cookie: s.cookie };
    expect(
      (await f.app.inject({ method: 'GET', url: `/api/conversations/${id}`, headers: bare })).statusCode,
    ).toBe(200);
    const noToken = await f.app.inject({
      method: 'POST',
      url: `/api/conversations/${id}/claim`,
      headers: bare,
    });
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ error: 'CSRF' });
    const wrong = await f.app.inject({
      method: 'POST',
      url: `/api/conversations/${id}/claim`,
      headers: { ...bare, 'x-csrf-token': 'x'.repeat(43) },
    });
    expect(wrong.statusCode).toBe(403);
    const other = await f.login('moderator');
    const foreign = await f.app.inject({
      method: 'POST',
      url: `/api/conversations/${id}/claim`,
      headers: { ...bare, 'x-csrf-token': other.csrf },
    });
    expect(foreign.statusCode).toBe(403);
    expect((await f.request(s, { method: 'POST', url: `/api/conversations/${id}/claim` })).statusCode).toBe(
      200,
    );
  });

  it('logout ends the session; a role change, a new password or disabling ends all of a user’s sessions', async () => {
    const s = await f.login('agent');
    expect((await f.request(s, { method: 'POST', url: '/api/auth/logout' })).statusCode).toBe(204);
    expect((await f.request(s, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);

    const user = await f.server.inbox.users.create({
      username: 'rotating',
      role: 'agent',
      password: PASSWORD,
    });
    const one = await f.login('rotating');
    const two = await f.login('rotating');
    const patch = (payload: object) =>
      f.request(f.sessions.admin, { method: 'PATCH', url: `/api/users/${user.id}`, payload });
    expect((await patch({ role: 'moderator' })).statusCode).toBe(200);
    for (const s2 of [one, two])
      expect((await f.request(s2, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    const three = await f.login('rotating');
    expect((await f.request(three, { method: 'GET', url: '/api/flags' })).statusCode).toBe(200);
    expect((await patch({ disabled: true })).statusCode).toBe(200);
    expect((await f.request(three, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await login('rotating', PASSWORD)).statusCode).toBe(401);
  });
});

describe('audit log', () => {
  it('records moderator and admin actions with the actor, never a password', async () => {
    await f.request(f.sessions.moderator, {
      method: 'POST',
      url: '/api/flags',
      payload: { kind: 'domain', value: 'audit-scam.com', reason: 'phishing' },
    });
    await f.request(f.sessions.admin, {
      method: 'POST',
      url: '/api/users',
      payload: { username: 'audited', role: 'agent', password: 'secret password 123' },
    });
    await f.request(f.sessions.agent, {
      method: 'POST',
      url: '/api/check',
      payload: { text: 'agents are not audited' },
    });
    const typed = await f.ingest('typing is not an action', { userId: 'typing-audit' });
    await f.request(f.sessions.admin, { method: 'POST', url: `/api/conversations/${typed}/typing` });
    const res = await f.request(f.sessions.admin, { method: 'GET', url: '/api/audit?limit=200' });
    const entries = res.json<{ entries: AuditEntry[] }>().entries;
    expect(entries).toContainEqual(
      expect.objectContaining({
        actor: 'moderator',
        role: 'moderator',
        action: 'POST /api/flags',
        detail: expect.stringContaining('audit-scam.com'),
      }),
    );
    const created = entries.find((e) => e.action === 'POST /api/users');
    expect(created?.detail).toContain('[redacted]');
    expect(res.body).not.toContain('secret password 123');
    expect(entries.some((e) => e.detail.includes('agents are not audited'))).toBe(false);
    expect(entries.some((e) => e.action === 'login failed')).toBe(true);
    expect(entries.some((e) => e.action.endsWith('/typing'))).toBe(false);
    const mine = await f.request(f.sessions.admin, { method: 'GET', url: '/api/audit?actor=moderator' });
    expect(mine.json<{ entries: AuditEntry[] }>().entries.every((e) => e.actor === 'moderator')).toBe(true);
    expect(
      (await f.request(f.sessions.admin, { method: 'GET', url: '/api/audit?limit=9999' })).statusCode,
    ).toBe(400);
  });
});

describe('live events (SSE)', () => {
  const base = () => {
    const address = f.app.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    return `http://127.0.0.1:${address.port}`;
  };

  async function connect(cookie: string | undefined) {
    const controller = new AbortController();
    const res = await fetch(`${base()}/api/events`, {
      headers: cookie ? { cookie } : {},
      signal: controller.signal,
    });
    let text = '';
    const reader = res.body?.getReader();
    const pump = (async () => {
      const decoder = new TextDecoder();
      try {
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) return;
          text += decoder.decode(chunk.value);
        }
      } catch {
        // aborted
      }
    })();
    return {
      status: res.status,
      type: res.headers.get('content-type'),
      text: () => text,
      close: async () => {
        controller.abort();
        await pump;
      },
    };
  }

  it('refuses anonymous clients and delivers changes to every role within a second', async () => {
    const anonymous = await connect(undefined);
    expect(anonymous.status).toBe(401);
    await anonymous.close();
    const streams = await Promise.all(
      [f.sessions.agent, f.sessions.moderator, f.sessions.admin].map((s) => connect(s.cookie)),
    );
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    expect(streams[0]?.type).toContain('text/event-stream');
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const id = await f.ingest('live please', { userId: 'live' });
    for (const s of streams) {
      while (!s.text().includes(`"conversationId":"${id}"`)) {
        if (Date.now() - started > 1000) throw new Error(`no event within a second: ${s.text()}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    // A mention reaches only the colleague mentioned.
    await f.request(f.sessions.agent, {
      method: 'POST',
      url: `/api/conversations/${id}/notes`,
      payload: { text: 'hey @admin' },
    });
    const adminStream = streams[2];
    while (!adminStream?.text().includes('"kind":"mention"')) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    expect(streams[1]?.text()).not.toContain('"kind":"mention"');
    for (const s of streams) await s.close();
  });

  it('replays what a reconnecting page missed after Last-Event-ID', async () => {
    const first = await f.ingest('before the gap', { userId: 'gap' });
    // The page saw everything up to the live event of the first message (published just after it is stored).
    const last = await waitFor(async () => {
      const [entry] = await f.runtime.redis.xrevrange(
        f.runtime.store.keys.liveStream(),
        '+',
        '-',
        'COUNT',
        1,
      );
      return entry && JSON.stringify(decodeLiveEntry(entry[1][1])).includes(`${first}.1"`)
        ? entry
        : undefined;
    });
    const missed = await f.ingest('during the gap', { userId: 'gap' });
    expect(missed).toBe(first);
    const res = await fetch(`${base()}/api/events`, {
      headers: { cookie: f.sessions.agent.cookie, 'last-event-id': last[0] },
    });
    const reader = res.body?.getReader();
    let text = '';
    while (!text.includes(`${first}.2`)) text += new TextDecoder().decode((await reader?.read())?.value);
    await reader?.cancel();
    expect(text).not.toContain(`${first}.1"`);
  });
});
