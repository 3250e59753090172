/**
 * The inbox page in real Chromium (Debian's /usr/bin/chromium driven by playwright-core):
 * login, live updates from the channel, replying to the platform, assignment and status,
 * two agents seeing each other's changes, trust warnings after a moderator's flag, and
 * XSS payloads rendered as plain text. Screenshots go to test-artifacts/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InboxFixture, inboxFixture, PASSWORD } from '../../src/inbox/testing.ts';
import { waitFor } from '../support/pipeline.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = 'test-artifacts';
const available = existsSync(CHROMIUM);
if (!available) console.warn(`browser tests skipped: ${CHROMIUM} is missing (apt-get install -y chromium)`);

let f: InboxFixture;
let browser: Browser;
let base: string;
const contexts: BrowserContext[] = [];
const dialogs: string[] = [];

async function open(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message());
    await dialog.dismiss();
  });
  await page.goto(base);
  await page.fill('#login-username', username);
  await page.fill('#login-password', PASSWORD);
  await page.click('#login-submit');
  await page.waitForSelector('[data-test="me"]');
  return page;
}

const item = (page: Page, text: string) => page.locator('[data-test="conversation-item"]', { hasText: text });
const shot = (page: Page, name: string) =>
  page.screenshot({ path: `${ARTIFACTS}/inbox-${name}.png`, fullPage: true });

describe.skipIf(!available)('inbox in Chromium', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    f = await inboxFixture({ listen: true });
    await f.server.inbox.users.create({
      username: 'agent2',
      name: 'Second Agent',
      role: 'agent',
      password: PASSWORD,
    });
    const address = f.app.server.address();
    if (!address || typeof address === 'string') throw new Error('not listening');
    base = `http://127.0.0.1:${address.port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-dev-shm-usage',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await f?.close();
  });

  it('logs in, shows a message from the channel live, and the reply reaches the platform', async () => {
    const page = await browser.newPage();
    await page.goto(base);
    await page.fill('#login-username', 'agent');
    await page.fill('#login-password', 'wrong password!');
    await page.click('#login-submit');
    await expect
      .poll(() => page.textContent('[data-test="login-error"]'))
      .toContain('Wrong username or password');
    await shot(page, '01-login');
    await page.close();

    const agent = await open('agent');
    const started = Date.now();
    await f.ingest('Hi, my deposit has not arrived', { userId: 'alice', displayName: 'Alice Zhang' });
    await item(agent, 'Alice Zhang').waitFor({ timeout: 3000 });
    const latency = Date.now() - started;
    expect(latency).toBeLessThan(1500);
    await expect
      .poll(() => item(agent, 'Alice Zhang').locator('[data-test="unread"]').textContent())
      .toBe('1');
    await item(agent, 'Alice Zhang').click();
    await agent.locator('[data-test="message-text"]', { hasText: 'deposit has not arrived' }).waitFor();

    await agent.fill('[data-test="composer"]', 'Hello Alice, checking now.');
    await agent.keyboard.press('Control+Enter');
    await waitFor(
      () =>
        f.platform.arrivals.find((a) => a.chat === 'chat-alice' && a.text === 'Hello Alice, checking now.'),
      5000,
      'the reply at the platform',
    );
    await agent.locator('[data-test="message"].outbound', { hasText: 'checking now' }).waitFor();
    await expect.poll(() => agent.textContent('[data-test="assignee"]')).toContain('agent one');
    await shot(agent, '02-conversation');
  });

  it('assigns and resolves with buttons and keyboard shortcuts', async () => {
    const agent = await open('agent');
    await f.ingest('Please close my account', { userId: 'bob', displayName: 'Bob Li' });
    await item(agent, 'Bob Li').click();
    await agent.click('[data-test="claim"]');
    await expect.poll(() => agent.textContent('[data-test="assignee"]')).toContain('agent one');
    await agent.locator('body').press('e');
    await expect.poll(() => agent.getAttribute('[data-test="status"]', 'data-status')).toBe('resolved');
    const { conversations } = await f.runtime.store.list({ status: 'resolved' });
    expect(conversations.some((c) => c.participant.userId === 'bob' && c.assignee === f.userIds.agent)).toBe(
      true,
    );
  });

  it("two agents see each other's changes live", async () => {
    const one = await open('agent');
    const two = await open('agent2');
    await f.ingest('Is anyone there?', { userId: 'carol', displayName: 'Carol Wu' });
    for (const p of [one, two]) await item(p, 'Carol Wu').click();

    let t0 = Date.now();
    await one.click('[data-test="claim"]');
    await expect
      .poll(() => two.textContent('[data-test="assignee"]'), { timeout: 1000 })
      .toContain('agent one');
    const assignSeen = Date.now() - t0;

    await two.fill('[data-test="composer"]', 'typing…');
    await expect
      .poll(() => one.textContent('[data-test="typing"]'), { timeout: 1000 })
      .toContain('Second Agent');

    t0 = Date.now();
    await two.click('[data-test="status-pending"]');
    await expect
      .poll(() => one.getAttribute('[data-test="status"]', 'data-status'), { timeout: 1000 })
      .toBe('pending');
    const statusSeen = Date.now() - t0;

    await two.fill('[data-test="composer"]', 'I will take the next one');
    await two.click('[data-test="send"]');
    await one
      .locator('[data-test="message"]', { hasText: 'I will take the next one' })
      .waitFor({ timeout: 1000 });
    expect(Math.max(assignSeen, statusSeen)).toBeLessThan(1000);
    await shot(two, '03-second-agent');
  });

  it('shows an SLA warning live on the conversation', async () => {
    const agent = await open('agent');
    const id = await f.ingest('still waiting for an answer', { userId: 'frank', displayName: 'Frank' });
    await item(agent, 'Frank').waitFor();
    await f.runtime.live.publish({
      type: 'sla',
      conversationId: id,
      data: { clock: 'firstResponse', phase: 'warning', dueAt: Date.now() + 60_000, priority: 'normal' },
    });
    await item(agent, 'Frank').locator('[data-test="sla"]').waitFor({ timeout: 2000 });
    await agent.locator('[data-test="toast"]', { hasText: 'firstResponse warning — Frank' }).waitFor();
  });

  it('shows live that a user cannot be reached, until they write again', async () => {
    const agent = await open('agent');
    f.platform.block('chat-cara');
    await f.ingest('hello?', { userId: 'cara', displayName: 'Cara Wu' });
    await item(agent, 'Cara Wu').click();
    await agent.fill('[data-test="composer"]', 'Hi Cara, how can we help?');
    await agent.keyboard.press('Control+Enter');
    const banner = agent.locator('[data-test="unreachable"]');
    await banner.waitFor({ timeout: 5000 });
    expect(await banner.textContent()).toContain('(blocked)');
    await shot(agent, '03b-unreachable');

    f.platform.unblock('chat-cara');
    await f.ingest('sorry, I had blocked the bot', { userId: 'cara', displayName: 'Cara Wu' });
    await banner.waitFor({ state: 'detached', timeout: 5000 });
  });

  it('a moderator flags an account and the next message mentioning it carries the warning', async () => {
    const moderator = await open('moderator');
    await moderator.click('[data-test="tab-moderation"]');
    await moderator.selectOption('[data-test="flag-kind"]', 'handle');
    await moderator.fill('[data-test="flag-value"]', '@ExampleHelpDesk_Real');
    await moderator.fill('[data-test="flag-reason"]', 'impersonates our support team');
    await moderator.click('[data-test="flag-submit"]');
    await moderator.locator('[data-test="flag-row"]', { hasText: 'examplehelpdesk_real' }).waitFor();
    await moderator.fill('[data-test="check-input"]', 'https://examp1e.com/login');
    await moderator.press('[data-test="check-input"]', 'Enter');
    await moderator.locator('[data-test="check-result"] li', { hasText: 'lookalike' }).first().waitFor();
    await shot(moderator, '04-moderation');

    const agent = await open('agent');
    // The registry reaches every process within a second (pub/sub, or the version poll).
    await waitFor(() => f.registry.index.get('handle', 'examplehelpdesk_real'), 2000, 'the flag in memory');
    await f.ingest('Support said to write to @ExampleHelpDesk_Real for my refund', {
      userId: 'dave',
      displayName: 'Dave',
    });
    await item(agent, 'Dave').click();
    const warning = agent
      .locator('[data-test="message"]', { hasText: 'for my refund' })
      .locator('[data-test="trust-warning"]');
    await warning.first().waitFor();
    expect(await warning.first().textContent()).toMatch(/@ExampleHelpDesk_Real — flagged as a scam/);
    await shot(agent, '05-trust-warning');
  });

  it('renders XSS payloads in a message and a display name as inert text', async () => {
    const agent = await open('agent');
    const name = '<img src=x onerror="window.__xss=1;alert(1)">Mallory<script>alert(2)</script>';
    const text =
      '<script>alert(3)</script><img src=y onerror="window.__xss=2;alert(4)"> <a href="javascript:alert(5)">click</a> {{7*7}}';
    await f.ingest(text, { userId: 'mallory', displayName: name });
    await item(agent, 'Mallory').click();
    const shown = agent.locator('[data-test="message-text"]', { hasText: 'alert(3)' });
    await shown.waitFor();
    expect(await shown.textContent()).toBe(text);
    expect(await agent.textContent('[data-test="conversation-title"]')).toBe(name);
    expect(await item(agent, 'Mallory').locator('[data-test="conversation-name"]').textContent()).toBe(name);
    expect(await agent.locator('img[src="x"], img[src="y"], a[href^="javascript"]').count()).toBe(0);
    expect(await agent.evaluate(() => Reflect.get(globalThis, '__xss'))).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(dialogs).toEqual([]);
    await shot(agent, '06-xss-as-text');
  });

  it('inserts a canned response with "/", switches to Chinese, and shows the admin page with a QR code', async () => {
    await f.server.inbox.library.canned.put({
      shortcut: 'thanks',
      title: 'Thank you',
      text: 'Thanks {{name}}, anything else?',
    });
    const admin = await open('admin');
    await f.ingest('Thank you so much', { userId: 'erin', displayName: 'Erin' });
    await item(admin, 'Erin').click();
    await admin.click('[data-test="composer"]');
    await admin.keyboard.type('/tha');
    await admin.locator('[data-test="canned-item"]', { hasText: 'thanks' }).waitFor();
    await admin.keyboard.press('Enter');
    await expect.poll(() => admin.inputValue('[data-test="composer"]')).toBe('Thanks Erin, anything else?');

    await admin.click('[data-test="lang"]');
    await expect.poll(() => admin.textContent('[data-test="tab-inbox"]')).toBe('收件箱');
    await shot(admin, '07-chinese');

    f.server.inbox.deps.health = () => ({
      ok: false,
      redis: 'ready',
      channels: {
        fake: { ok: true, detail: 'running' },
        wechat: {
          ok: false,
          detail: 'waiting for login (scan the QR code)',
          info: { puppet: 'mock', qrcode: 'https://login.weixin.qq.com/l/test' },
        },
      },
    });
    await admin.click('[data-test="tab-admin"]');
    await admin.locator('[data-test="qr"]').waitFor();
    expect(await admin.locator('[data-test="user-row"]').count()).toBeGreaterThanOrEqual(4);
    await shot(admin, '08-admin');
  });
});
