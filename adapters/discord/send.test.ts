import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { afterEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/core/errors.ts';
import type { OutboundCommandInput } from '../../src/core/model.ts';
import { OutboundCommand } from '../../src/core/model.ts';
import type { DiscordAdapter } from './adapter.ts';
import type { DiscordEmulatorOptions } from './emulator/emulator.ts';
import { redactUrl, safeError, toDeliveryError } from './errors.ts';
import { type Org, orgAdapter, RecordingSink, startOrg } from './testing.ts';

let org: Org | undefined;
let adapter: DiscordAdapter | undefined;

async function boot(emulator: DiscordEmulatorOptions = {}, rest: { maxRateLimitWaitMs?: number } = {}) {
  org = await startOrg(emulator);
  adapter = orgAdapter(org, {
    settings: { tickets: { postButton: false }, commands: { register: 'off' }, rest },
  });
  await adapter.start(new RecordingSink());
  return { org, adapter };
}

afterEach(async () => {
  await adapter?.stop();
  await org?.emu.close();
  adapter = undefined;
  org = undefined;
});

function send(threadKey: string, text: string, extra: Partial<OutboundCommandInput> = {}): OutboundCommand {
  return OutboundCommand.parse({
    type: 'send',
    id: `c-${Math.random()}`,
    channel: 'discord',
    threadKey,
    text,
    ...extra,
  });
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DeliveryError)) throw new Error(`expected a DeliveryError, got ${String(error)}`);
  return error;
}

describe('sending through discord.js against the emulator', () => {
  it('splits long text, keeps buttons on the last piece and renders styles as embeds', async () => {
    const { org, adapter } = await boot();
    const dm = org.emu.dmChannel(org.alice.id);
    const long = `${'word '.repeat(900)}end`;
    await adapter.send(send(dm.id, long, { buttons: [[{ label: 'OK', data: 'ok' }]] }));
    const pieces = org.emu.botMessagesIn(dm.id);
    expect(pieces).toHaveLength(3);
    expect(pieces.every((m) => m.content.length <= 2000)).toBe(true);
    expect(pieces.map((m) => m.components.length)).toEqual([0, 0, 1]);
    await adapter.send(send(dm.id, 'This is our official site.', { style: 'verification' }));
    expect(org.emu.botMessagesIn(dm.id).at(-1)?.embeds).toEqual([
      expect.objectContaining({ title: 'Verified', description: 'This is our official site.' }),
    ]);
  });

  it('waits out per-channel buckets inside discord.js: every message delivered, no violation', async () => {
    const { org, adapter } = await boot({ rateLimits: { messages: { limit: 3, windowMs: 400 } } });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => adapter.send(send(org.supportChannelId, `message ${i}`))),
    );
    expect(org.emu.botMessagesIn(org.supportChannelId).map((m) => m.content)).toEqual(
      Array.from({ length: 10 }, (_, i) => `message ${i}`),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 400);
    expect(org.emu.violations).toEqual([]);
  });

  it('keeps under the global limit across channels', async () => {
    const { org, adapter } = await boot({ rateLimits: { globalPerSecond: 50 } });
    const channels = Array.from({ length: 30 }, (_, i) => org.emu.createTextChannel(org.guildId, `c${i}`).id);
    await Promise.all(
      channels.flatMap((id) => [
        adapter.send(send(id, 'a')),
        adapter.send(send(id, 'b')),
        adapter.send(send(id, 'c')),
      ]),
    );
    expect(org.emu.actions.filter((a) => a.kind === 'message')).toHaveLength(90);
    expect(org.emu.violations).toEqual([]);
  });

  it('rides out a 429 storm with Retry-After', async () => {
    const { org, adapter } = await boot();
    org.emu.injectFault({ kind: '429', retryAfter: 0.1 }, 3, /\/messages$/);
    const result = await adapter.send(send(org.supportChannelId, 'after the storm'));
    expect(result.platformMessageId).toBeDefined();
    expect(org.emu.violations).toEqual([]);
  });

  it('hands long rate-limit waits to delivery as rate-limited', async () => {
    const { org, adapter } = await boot(
      { rateLimits: { messages: { limit: 2, windowMs: 5000 } } },
      { maxRateLimitWaitMs: 500 },
    );
    // discord.js learns the bucket from the first response; the second exhausts it.
    await adapter.send(send(org.supportChannelId, 'one'));
    await adapter.send(send(org.supportChannelId, 'two'));
    const error = await failure(adapter.send(send(org.supportChannelId, 'three')));
    expect(error).toMatchObject({ kind: 'rate-limited' });
    expect(error.retryAfterMs).toBeGreaterThan(3000);
    expect(org.emu.violations).toEqual([]);
  });

  it('maps Discord refusals to delivery errors', async () => {
    const { org, adapter } = await boot();
    const dm = org.emu.dmChannel(org.alice.id);
    org.emu.closeDms(org.alice.id);
    expect(await failure(adapter.send(send(dm.id, 'hi')))).toMatchObject({
      kind: 'permanent',
      reason: 'blocked',
      unreachable: true,
    });
    expect(await failure(adapter.send(send('123456789012345678', 'hi')))).toMatchObject({
      kind: 'permanent',
      reason: 'chat-gone',
    });
    org.emu.denySend(org.generalChannelId);
    expect(await failure(adapter.send(send(org.generalChannelId, 'hi')))).toMatchObject({
      kind: 'permanent',
      reason: 'forbidden',
    });
    const gone = OutboundCommand.parse({
      type: 'delete',
      id: 'd',
      channel: 'discord',
      threadKey: org.supportChannelId,
      platformMessageId: '123456789012345678',
    });
    expect(await failure(adapter.send(gone))).toMatchObject({ kind: 'permanent', reason: 'message-gone' });
    org.emu.injectFault({ kind: '500' }, 4, /\/messages$/);
    expect(await failure(adapter.send(send(org.supportChannelId, 'hi')))).toMatchObject({
      kind: 'transient',
    });
    org.emu.setBotPermissions(org.guildId, 0n);
    const timeout = OutboundCommand.parse({
      type: 'timeout',
      id: 't',
      channel: 'discord',
      threadKey: org.guildId,
      userId: org.alice.id,
      seconds: 60,
    });
    expect(await failure(adapter.send(timeout))).toMatchObject({ kind: 'permanent', reason: 'forbidden' });
  });
});

describe('toDeliveryError', () => {
  const request = { body: undefined, files: undefined };
  it.each([
    [
      'a global RateLimitError',
      new RateLimitError({
        global: true,
        method: 'post',
        url: '/x',
        route: '/channels/:id/messages',
        majorParameter: '1',
        hash: 'h',
        limit: 50,
        timeToReset: 700,
        retryAfter: 700,
        sublimitTimeout: 0,
        scope: 'global',
      }),
      { kind: 'rate-limited', reason: 'global-rate-limit', retryAfterMs: 700 },
    ],
    [
      '50007',
      new DiscordAPIError(
        { code: 50007, message: 'Cannot send messages to this user' },
        50007,
        403,
        'POST',
        '/x',
        request,
      ),
      { kind: 'permanent', reason: 'blocked' },
    ],
    [
      '10003',
      new DiscordAPIError({ code: 10003, message: 'Unknown Channel' }, 10003, 404, 'POST', '/x', request),
      { kind: 'permanent', reason: 'chat-gone' },
    ],
    [
      '50013',
      new DiscordAPIError({ code: 50013, message: 'Missing Permissions' }, 50013, 403, 'POST', '/x', request),
      { kind: 'permanent', reason: 'forbidden' },
    ],
    [
      'an unknown 400',
      new DiscordAPIError({ code: 12345, message: '?' }, 12345, 400, 'POST', '/x', request),
      { kind: 'permanent', reason: 'invalid' },
    ],
    [
      'HTTP 503',
      new HTTPError(503, 'Service Unavailable', 'POST', '/x', request),
      { kind: 'transient', reason: 'server-error' },
    ],
    [
      'a refused connection',
      new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }),
      { kind: 'transient', reason: 'network' },
    ],
  ])('maps %s', (_name, error, expected) => {
    expect(toDeliveryError(error, 'test')).toMatchObject(expected);
  });
});

describe('interaction tokens stay out of errors', () => {
  it('redacts webhook and callback URLs', () => {
    expect(redactUrl('https://discord.com/api/v10/webhooks/1234/aW50ZXJhY3Rpb24/messages/@original')).toBe(
      'https://discord.com/api/v10/webhooks/1234/:token/messages/@original',
    );
    expect(redactUrl('/api/v10/interactions/99/secret-token/callback?with_response=false')).toBe(
      '/api/v10/interactions/99/:token/callback?with_response=false',
    );
    const error = new DiscordAPIError(
      { code: 10062, message: 'Unknown interaction' },
      10062,
      404,
      'POST',
      '/interactions/99/secret-token/callback',
      { body: undefined, files: undefined },
    );
    expect(JSON.stringify(safeError(error))).not.toContain('secret-token');
    expect(String(safeError(error))).toContain('/interactions/99/:token/callback');
    expect(String(toDeliveryError(error, 'x').cause)).not.toContain('secret-token');
  });
});
