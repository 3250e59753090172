import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InboxFixture, inboxFixture } from './testing.ts';

let f: InboxFixture;
beforeAll(async () => {
  f = await inboxFixture();
});
afterAll(async () => f.close());

it('smoke', async () => {
  const id = await f.ingest('hello there');
  const list = await f.request(f.sessions.agent, { method: 'GET', url: '/api/conversations?status=open' });
  console.log(list.statusCode, list.body.slice(0, 300));
  const one = await f.request(f.sessions.agent, { method: 'GET', url: `/api/conversations/${id}` });
  console.log(one.statusCode, one.body.slice(0, 500));
  const docs = await f.request(undefined, { method: 'GET', url: '/api/docs' });
  console.log(docs.statusCode, docs.body.slice(0, 300));
  const page = await f.request(undefined, { method: 'GET', url: '/app.js' });
  console.log(page.statusCode, page.body.length);
  expect(list.statusCode).toBe(200);
});
