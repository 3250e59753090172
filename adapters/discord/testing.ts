/**
 * Test and bench fixtures: an emulated organization's Discord (guild, support channel,
 * staff and moderator roles, users), a recording InboundSink that validates what it gets
 * like the real one, and an adapter wired to both. Not used in production code.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { z } from 'zod';
import type { InboundSink, IngestOutcome } from '../../src/core/channel.ts';
import { InboundEvent } from '../../src/core/model.ts';
import { DiscordAdapter } from './adapter.ts';
import { DiscordSettings, type DiscordSettingsInput } from './config.ts';
import {
  type DiscordEmulator,
  type DiscordEmulatorOptions,
  type EmuUser,
  startDiscordEmulator,
} from './emulator/emulator.ts';
import { Perm } from './emulator/world.ts';

export class RecordingSink implements InboundSink {
  readonly events: InboundEvent[] = [];
  readonly rejected: string[] = [];
  readonly #seen = new Set<string>();
  /** Calls to fail (throw) before succeeding again, to exercise retries. */
  failNext = 0;
  calls = 0;

  async ingest(event: unknown): Promise<IngestOutcome> {
    this.calls += 1;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('sink unavailable (test)');
    }
    const parsed = InboundEvent.safeParse(event);
    if (!parsed.success) {
      const reason = z.prettifyError(parsed.error);
      this.rejected.push(reason);
      return { status: 'rejected', reason };
    }
    if (this.#seen.has(parsed.data.eventId)) return { status: 'duplicate' };
    this.#seen.add(parsed.data.eventId);
    this.events.push(parsed.data);
    return { status: 'stored', conversationId: `discord:${parsed.data.thread.key}` };
  }

  async waitFor<T>(pick: (events: InboundEvent[]) => T | undefined, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = pick(this.events);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`sink: timed out; got ${JSON.stringify(this.events.map((e) => e.type))}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/** A logger whose lines tests can read. */
export function memoryLogger(): { logger: Logger; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return {
    logger: pino({ level: 'debug' }, stream),
    lines: () => chunks.join('').split('\n').filter(Boolean),
  };
}

export interface Org {
  emu: DiscordEmulator;
  guildId: string;
  supportChannelId: string;
  generalChannelId: string;
  staffRoleId: string;
  moderatorRoleId: string;
  alice: EmuUser;
  mod: EmuUser;
}

export async function startOrg(opts: DiscordEmulatorOptions = {}): Promise<Org> {
  const emu = await startDiscordEmulator(opts);
  const guild = emu.createGuild('Example Wallet');
  const support = emu.createTextChannel(guild.id, 'support');
  const general = emu.createTextChannel(guild.id, 'general');
  const staff = emu.createRole(guild.id, 'Staff', Perm.ManageThreads);
  const moderators = emu.createRole(guild.id, 'Moderators', Perm.ModerateMembers);
  const alice = emu.createUser('alice', { globalName: 'Alice' });
  const mod = emu.createUser('mod', { globalName: 'Mod' });
  emu.addMember(guild.id, alice.id);
  emu.addMember(guild.id, mod.id, { roles: [staff.id, moderators.id] });
  return {
    emu,
    guildId: guild.id,
    supportChannelId: support.id,
    generalChannelId: general.id,
    staffRoleId: staff.id,
    moderatorRoleId: moderators.id,
    alice,
    mod,
  };
}

export function orgSettings(org: Org, overrides: Partial<DiscordSettingsInput> = {}): DiscordSettings {
  return DiscordSettings.parse({
    guildIds: [org.guildId],
    supportChannelIds: [org.supportChannelId],
    staffRoleIds: [org.staffRoleId],
    moderatorRoleIds: [org.moderatorRoleId],
    ingestRetryMs: 20,
    ...overrides,
  });
}

export function orgAdapter(
  org: Org,
  opts: { settings?: Partial<DiscordSettingsInput>; logger?: Logger; interactionFallbackMs?: number } = {},
): DiscordAdapter {
  return new DiscordAdapter({
    settings: orgSettings(org, opts.settings),
    credentials: { token: org.emu.token, applicationId: org.emu.applicationId, apiBase: org.emu.apiBase },
    logger: opts.logger ?? pino({ level: 'silent' }),
    readyTimeoutMs: 10_000,
    stopTimeoutMs: 2000,
    ...(opts.interactionFallbackMs ? { interactionFallbackMs: opts.interactionFallbackMs } : {}),
  });
}

export interface OrgAdapterHarness {
  org: Org;
  /** The adapter the test runs (unset until `boot`); whatever it holds at the end is stopped. */
  adapter: DiscordAdapter;
  sink: RecordingSink;
  /** A started adapter for the org, recording into a fresh sink. */
  boot(opts?: Parameters<typeof orgAdapter>[1]): Promise<void>;
}

/** A fresh emulated org for every test of the calling file, and the adapter a test boots on it. */
export function useOrgAdapter(): OrgAdapterHarness {
  let org: Org | undefined;
  let adapter: DiscordAdapter | undefined;
  let sink: RecordingSink | undefined;
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} used before it was made`);
    return value;
  };
  beforeEach(async () => {
    org = await startOrg();
    adapter = undefined;
    sink = undefined;
  });
  afterEach(async () => {
    // The client goes first: an emulator closed under a live client makes it reconnect in a loop.
    await adapter?.stop();
    await org?.emu.close();
  });
  return {
    get org() {
      return need(org, 'the org');
    },
    get adapter() {
      return need(adapter, 'the adapter');
    },
    set adapter(next: DiscordAdapter) {
      adapter = next;
    },
    get sink() {
      return need(sink, 'the sink');
    },
    async boot(opts = {}) {
      adapter = orgAdapter(need(org, 'the org'), opts);
      sink = new RecordingSink();
      await adapter.start(sink);
    },
  };
}
