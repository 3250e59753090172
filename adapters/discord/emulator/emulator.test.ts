import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { z } from 'zod';
import { type DiscordEmulator, startDiscordEmulator } from './emulator.ts';
import { RateLimiter } from './ratelimit.ts';

let emu: DiscordEmulator;

beforeEach(async () => {
  emu = await startDiscordEmulator({
    rateLimits: { messages: { limit: 2, windowMs: 1000 } },
    interactionDeadlineMs: 200,
  });
});
afterEach(async () => {
  await emu.close();
});

async function api(method: string, path: string, body?: unknown, auth = true) {
  const response = await fetch(`${emu.apiBase}/v10${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bot ${emu.token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
}

describe('emulated REST', () => {
  it('answers with Discord error bodies', async () => {
    expect((await api('GET', '/users/@me', undefined, false)).status).toBe(401);
    expect((await api('POST', '/channels/1/messages', { content: 'x' })).json).toEqual({
      message: 'Unknown Channel',
      code: 10003,
    });
    const user = emu.createUser('bob');
    emu.closeDms(user.id);
    const dm = (await api('POST', '/users/@me/channels', { recipient_id: user.id })).json;
    expect(await api('POST', `/channels/${dm.id}/messages`, { content: 'x' })).toMatchObject({
      status: 403,
      json: { code: 50007 },
    });
    const guild = emu.createGuild('G');
    const channel = emu.createTextChannel(guild.id, 'c');
    emu.denySend(channel.id);
    expect((await api('POST', `/channels/${channel.id}/messages`, { content: 'x' })).json.code).toBe(50013);
    expect((await api('DELETE', `/channels/${channel.id}/messages/5`)).json.code).toBe(10008);
    expect((await api('POST', `/channels/${dm.id}/messages`, {})).json.code).toBe(50007);
    const open = emu.createTextChannel(guild.id, 'open');
    expect(
      (await api('POST', `/channels/${open.id}/messages`, { content: 'x'.repeat(2001) })).json.code,
    ).toBe(50035);
  });

  it('sends bucket headers, refuses over the limit with Retry-After and counts the violation', async () => {
    const guild = emu.createGuild('G');
    const channel = emu.createTextChannel(guild.id, 'c');
    const first = await api('POST', `/channels/${channel.id}/messages`, { content: '1' });
    expect(first.headers.get('content-type')).toBe('application/json');
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    expect(first.headers.get('x-ratelimit-bucket')).toMatch(/^[0-9a-f]{8}$/);
    expect(Number(first.headers.get('x-ratelimit-reset-after'))).toBeGreaterThan(0);
    await api('POST', `/channels/${channel.id}/messages`, { content: '2' });
    const third = await api('POST', `/channels/${channel.id}/messages`, { content: '3' });
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    expect(third.json).toMatchObject({ message: 'You are being rate limited.', global: false });
    expect(emu.violations).toHaveLength(1);
    // Another channel has its own bucket.
    const other = emu.createTextChannel(guild.id, 'd');
    expect((await api('POST', `/channels/${other.id}/messages`, { content: '1' })).status).toBe(200);
  });

  it('enforces the global limit with X-RateLimit-Global', () => {
    const limiter = new RateLimiter({ globalPerSecond: 3, globalSlackMs: 0 });
    const verdicts = [0, 1, 2, 3].map((i) => limiter.check(`/r${i}#GET`, '', true, 1000));
    expect(verdicts.map((v) => v.exceeded?.global ?? false)).toEqual([false, false, false, true]);
    expect(verdicts[3]?.headers['X-RateLimit-Global']).toBe('true');
    expect(limiter.check('/r#GET', '', true, 2000).exceeded).toBeUndefined();
    expect(limiter.violations).toHaveLength(1);
  });

  it('keeps the interaction clock: late first answers and second answers are refused', async () => {
    const user = emu.createUser('carol');
    const dm = emu.dmChannel(user.id);
    const late = emu.injectSlash(dm.id, user.id, 'verify');
    await new Promise((resolve) => setTimeout(resolve, 250));
    const tooLate = await api('POST', `/interactions/${late.id}/${late.token}/callback`, { type: 5 }, false);
    expect(tooLate).toMatchObject({ status: 404, json: { code: 10062 } });
    const fresh = emu.injectSlash(dm.id, user.id, 'verify');
    expect(
      (
        await api(
          'POST',
          `/interactions/${fresh.id}/${fresh.token}/callback`,
          { type: 4, data: { content: 'hi' } },
          false,
        )
      ).status,
    ).toBe(204);
    expect(
      (
        await api(
          'POST',
          `/interactions/${fresh.id}/${fresh.token}/callback`,
          { type: 4, data: { content: 'again' } },
          false,
        )
      ).json.code,
    ).toBe(40060);
    const followup = await api(
      'POST',
      `/webhooks/${emu.applicationId}/${fresh.token}`,
      { content: 'more' },
      false,
    );
    expect(followup.status).toBe(200);
    expect(emu.actionsIn(dm.id).map((a) => a.kind)).toEqual(['interaction-response', 'followup']);
    // A click may update the message it is on (type 7); a command may not.
    const menu = emu.world.addMessage({
      channelId: dm.id,
      authorId: emu.bot.id,
      content: 'pick',
    });
    const click = emu.injectButton(dm.id, user.id, menu.id, 'a');
    expect(
      (
        await api(
          'POST',
          `/interactions/${click.id}/${click.token}/callback`,
          { type: 7, data: { content: 'picked' } },
          false,
        )
      ).status,
    ).toBe(204);
    expect(emu.world.messages.get(menu.id)?.content).toBe('picked');
    const command = emu.injectSlash(dm.id, user.id, 'verify');
    expect(
      (await api('POST', `/interactions/${command.id}/${command.token}/callback`, { type: 6 }, false)).json
        .code,
    ).toBe(50035);
  });

  it('has an HTTP control API', async () => {
    const Created = z.looseObject({ id: z.string() });
    const control = async (name: string, body: unknown): Promise<unknown> =>
      (await fetch(`${emu.baseUrl}/_control/${name}`, { method: 'POST', body: JSON.stringify(body) })).json();
    const guild = Created.parse(await control('guild', { name: 'Sandbox' }));
    const user = Created.parse(await control('user', { username: 'dave' }));
    const channel = Created.parse(await control('channel', { guildId: guild.id, name: 'support' }));
    await control('join', { guildId: guild.id, userId: user.id });
    const message = Created.parse(
      await control('message', {
        channelId: channel.id,
        userId: user.id,
        content: 'hello',
        mentionBot: true,
      }),
    );
    expect(emu.world.messages.get(message.id)?.content).toBe(`<@${emu.bot.id}> hello`);
    expect(await control('message', { channelId: channel.id })).toMatchObject({
      error: expect.stringContaining('userId'),
    });
    expect(await control('state', {})).toMatchObject({ guilds: [{ id: guild.id, name: 'Sandbox' }] });
  });
});

describe('emulated gateway', () => {
  it('identifies, replays missed dispatches on resume and rejects bad tokens', async () => {
    const frames: { op: number; t?: string; s?: number; d?: { session_id?: string } }[] = [];
    const connect = () =>
      new Promise<WebSocket>((resolve) => {
        const ws = new WebSocket(`${emu.gatewayUrl}?v=10&encoding=json`);
        ws.on('message', (raw) => frames.push(JSON.parse(String(raw))));
        ws.on('open', () => resolve(ws));
      });
    const guild = emu.createGuild('G');
    const first = await connect();
    first.send(JSON.stringify({ op: 2, d: { token: emu.token, intents: 0, properties: {} } }));
    await emu.waitFor(() => frames.some((f) => f.t === 'GUILD_CREATE'));
    expect(frames.map((f) => f.op)).toEqual([10, 0, 0]);
    const sessionId = frames.find((f) => f.t === 'READY')?.d?.session_id ?? '';
    first.send(JSON.stringify({ op: 1, d: 2 }));
    await emu.waitFor(() => frames.some((f) => f.op === 11));
    emu.dropGateway();
    emu.memberJoin(guild.id, emu.createUser('erin').id);
    const second = await connect();
    second.send(JSON.stringify({ op: 6, d: { token: emu.token, session_id: sessionId, seq: 2 } }));
    await emu.waitFor(() => frames.some((f) => f.t === 'RESUMED'));
    expect(frames.filter((f) => f.t === 'GUILD_MEMBER_ADD')).toHaveLength(1);
    second.close();
    const bad = await connect();
    const closed = new Promise<number>((resolve) => bad.on('close', (code) => resolve(code)));
    bad.send(JSON.stringify({ op: 2, d: { token: 'wrong', intents: 0 } }));
    expect(await closed).toBe(4004);
  });
});
