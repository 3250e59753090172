/**
 * Malformed gateway dispatches and REST responses: the process must not crash, every drop
 * must be logged with a reason, nothing malformed may reach the sink, and good traffic must
 * still flow afterwards.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/core/errors.ts';
import { OutboundCommand } from '../../src/core/model.ts';
import type { DiscordAdapter } from './adapter.ts';
import { memoryLogger, type Org, orgAdapter, RecordingSink, startOrg } from './testing.ts';

const crashes: unknown[] = [];
const onCrash = (error: unknown) => crashes.push(error);
beforeAll(() => {
  process.on('unhandledRejection', onCrash);
  process.on('uncaughtException', onCrash);
});
afterAll(() => {
  process.off('unhandledRejection', onCrash);
  process.off('uncaughtException', onCrash);
});

let org: Org;
let adapter: DiscordAdapter;
let sink: RecordingSink;
let log: ReturnType<typeof memoryLogger>;

beforeEach(async () => {
  org = await startOrg();
  log = memoryLogger();
  adapter = orgAdapter(org, {
    logger: log.logger,
    settings: { tickets: { postButton: false }, commands: { register: 'off' } },
  });
  sink = new RecordingSink();
  await adapter.start(sink);
});

afterEach(async () => {
  await adapter.stop();
  await org.emu.close();
});

/** A small deterministic PRNG (mulberry32) so a failing case can be replayed. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const PALETTE: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1e21,
  Number.NaN,
  '',
  'x',
  'ｅｖｉｌ',
  'a'.repeat(70_000),
  [],
  [null],
  {},
  { id: 'not-a-snowflake' },
  true,
  '123',
];

async function settle(ms = 150): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function goodTrafficFlows(): Promise<void> {
  const dm = org.emu.injectDm(org.alice.id, 'still there?');
  await sink.waitFor((events) => events.find((e) => e.eventId === dm.id));
  await adapter.send(
    OutboundCommand.parse({
      type: 'send',
      id: 'ok',
      channel: 'discord',
      threadKey: dm.channelId,
      text: 'yes',
    }),
  );
  expect(org.emu.botMessagesIn(dm.channelId).at(-1)?.content).toBe('yes');
}

describe('malformed gateway dispatches', () => {
  it('drops the ones known to crash discord.js, with a logged reason', async () => {
    const { guildId, supportChannelId } = org;
    org.emu.rawDispatch('MESSAGE_CREATE', {
      id: '1',
      channel_id: supportChannelId,
      guild_id: guildId,
      content: 'no author',
    });
    org.emu.rawDispatch('MESSAGE_CREATE', {
      id: '2',
      channel_id: '999',
      channel_type: 1,
      content: 'dm without author',
    });
    org.emu.rawDispatch('GUILD_MEMBER_ADD', {
      guild_id: guildId,
      roles: [],
      joined_at: new Date().toISOString(),
    });
    org.emu.rawDispatch('GUILD_MEMBER_UPDATE', { guild_id: guildId, nick: 'x' });
    org.emu.rawDispatch('INTERACTION_CREATE', { id: '3', type: 2 });
    org.emu.rawDispatch('MESSAGE_CREATE', null);
    org.emu.rawDispatch('MESSAGE_CREATE', 'a string');
    await settle();
    const health = adapter.health();
    expect(health.ok).toBe(true);
    expect(Number(health.info?.quarantinedDispatches)).toBe(7);
    const dropped = log.lines().filter((line) => line.includes('malformed gateway dispatch dropped'));
    expect(dropped).toHaveLength(7);
    expect(dropped[0]).toContain('author');
    expect(sink.events).toHaveLength(0);
    await goodTrafficFlows();
    expect(crashes).toEqual([]);
  });

  it('survives a crash inside discord.js that the schema guard does not know', async () => {
    // GUILD_ROLE_CREATE is not screened: discord.js reads `role.id` of a missing role.
    org.emu.rawDispatch('GUILD_ROLE_CREATE', { guild_id: org.guildId });
    await settle();
    expect(Number(adapter.health().info?.caughtLibraryErrors)).toBe(1);
    expect(log.lines().some((line) => line.includes('discord.js failed on a gateway dispatch'))).toBe(true);
    await goodTrafficFlows();
    expect(crashes).toEqual([]);
  });

  it('lets odd but well-formed payloads through as invalid or ignored, never as bad events', async () => {
    const author = {
      id: org.alice.id,
      username: 'alice',
      discriminator: '0',
      global_name: null,
      avatar: null,
    };
    const base = {
      channel_id: org.supportChannelId,
      guild_id: org.guildId,
      author,
      timestamp: new Date().toISOString(),
      mentions: [],
      attachments: [],
      embeds: [],
      type: 0,
    };
    org.emu.rawDispatch('MESSAGE_CREATE', { ...base, id: '11', content: 12345 });
    org.emu.rawDispatch('MESSAGE_CREATE', { ...base, id: '12', content: 'x'.repeat(100_000) });
    org.emu.rawDispatch('MESSAGE_CREATE', {
      ...base,
      id: '13',
      content: 'fine',
      unknown_field: { deep: [1, 2] },
    });
    org.emu.rawDispatch('SOMETHING_NEW', { whatever: true });
    await settle();
    expect(sink.rejected).toEqual([]);
    expect(sink.events.map((e) => e.eventId)).toEqual(['13']);
    expect(log.lines().filter((line) => line.includes('unreadable event ignored'))).toHaveLength(2);
    await goodTrafficFlows();
    expect(crashes).toEqual([]);
  });

  it('survives 600 randomly mutated dispatches', async () => {
    const random = prng(20_261_121);
    const index = (length: number) => Math.floor(random() * length);
    const user = () => ({
      id: org.alice.id,
      username: 'alice',
      discriminator: '0',
      global_name: 'Alice',
      avatar: null,
    });
    const templates: Record<string, () => Record<string, unknown>> = {
      MESSAGE_CREATE: () => ({
        id: String(1e17 + Math.floor(random() * 1e9)),
        channel_id: org.supportChannelId,
        guild_id: org.guildId,
        author: user(),
        content: 'hi',
        timestamp: new Date().toISOString(),
        mentions: [],
        attachments: [],
        embeds: [],
        type: 0,
      }),
      MESSAGE_UPDATE: () => ({
        id: '5',
        channel_id: org.supportChannelId,
        guild_id: org.guildId,
        author: user(),
        content: 'edited',
        edited_timestamp: new Date().toISOString(),
      }),
      GUILD_MEMBER_ADD: () => ({
        guild_id: org.guildId,
        user: user(),
        roles: [],
        joined_at: new Date().toISOString(),
        nick: 'Support',
      }),
      GUILD_MEMBER_UPDATE: () => ({
        guild_id: org.guildId,
        user: user(),
        roles: [],
        joined_at: new Date().toISOString(),
        nick: 'Admin',
      }),
      INTERACTION_CREATE: () => ({
        id: '7',
        application_id: org.emu.applicationId,
        type: 3,
        token: 't',
        channel_id: org.supportChannelId,
        guild_id: org.guildId,
        member: { user: user(), roles: [], permissions: '0' },
        data: { custom_id: 'x', component_type: 2 },
        version: 1,
      }),
      THREAD_CREATE: () => ({
        id: '8',
        type: 12,
        guild_id: org.guildId,
        parent_id: org.supportChannelId,
        name: 't',
      }),
      MESSAGE_DELETE: () => ({ id: '9', channel_id: org.supportChannelId, guild_id: org.guildId }),
      TYPING_START: () => ({ channel_id: org.supportChannelId, user_id: org.alice.id, timestamp: 1 }),
      GUILD_ROLE_UPDATE: () => ({
        guild_id: org.guildId,
        role: { id: org.staffRoleId, name: 'Staff', permissions: '0', position: 1 },
      }),
    };
    const names = Object.keys(templates);
    for (let i = 0; i < 600; i += 1) {
      const name = names[index(names.length)] ?? 'MESSAGE_CREATE';
      const payload = templates[name]?.() ?? {};
      const keys = Object.keys(payload);
      for (let m = 1 + Math.floor(random() * 3); m > 0; m -= 1) {
        const key = keys[index(keys.length)] ?? 'id';
        if (random() < 0.3) delete payload[key];
        else payload[key] = PALETTE[index(PALETTE.length)];
      }
      org.emu.rawDispatch(name, payload);
    }
    await settle(500);
    const info = adapter.health().info ?? {};
    expect(Number(info.quarantinedDispatches) + Number(info.caughtLibraryErrors)).toBeGreaterThan(0);
    expect(sink.rejected).toEqual([]);
    await goodTrafficFlows();
    expect(crashes).toEqual([]);
  });
});

describe('malformed REST responses', () => {
  it.each([
    ['200 with a non-JSON body', { kind: 'raw' as const, status: 200, body: 'OK' }],
    [
      '200 with broken JSON',
      { kind: 'raw' as const, status: 200, body: '{"id":', contentType: 'application/json' },
    ],
    [
      '200 with JSON lacking an id',
      { kind: 'raw' as const, status: 200, body: '{"content":"x"}', contentType: 'application/json' },
    ],
    [
      '400 with an HTML body',
      { kind: 'raw' as const, status: 400, body: '<html>bad</html>', contentType: 'text/html' },
    ],
    [
      '403 with a JSON body of the wrong shape',
      { kind: 'raw' as const, status: 403, body: '[1,2,3]', contentType: 'application/json' },
    ],
    ['502 from a proxy', { kind: 'raw' as const, status: 502, body: 'Bad Gateway' }],
  ])('turns %s into a DeliveryError and carries on', async (_name, fault) => {
    const dm = org.emu.dmChannel(org.alice.id);
    org.emu.injectFault(fault, 4, /\/messages$/);
    const error = await adapter
      .send(
        OutboundCommand.parse({ type: 'send', id: 'x', channel: 'discord', threadKey: dm.id, text: 'hello' }),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    // A body without an id is a success we cannot confirm: delivery must see a failure.
    expect(error).toBeInstanceOf(DeliveryError);
    org.emu.faults.clear();
    await goodTrafficFlows();
    expect(crashes).toEqual([]);
  });
});
