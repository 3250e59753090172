import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InboxFixture, inboxFixture, PASSWORD } from './testing.ts';

let f: InboxFixture;
beforeAll(async () => {
  f = await inboxFixture({ publicUrl: 'https://inbox.example.com' });
});
afterAll(async () => f.close());

it('marks the session cookie Secure when the inbox is served over https', async () => {
  const res = await f.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username: 'agent', password: PASSWORD },
  });
  expect(String(res.headers['set-cookie'])).toMatch(/; HttpOnly; SameSite=Strict; Max-Age=\d+; Secure$/);
});
