/**
 * Discord end to end: the Discord emulator (REST + gateway), the real discord.js adapter,
 * and a Verity runtime on the test run's Redis (store, router, rate-limited delivery).
 * The machine running these may be busy: waits are generous and only outcomes and
 * counts are asserted, never durations.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DiscordSettingsInput } from '../../adapters/discord/config.ts';
import type { DiscordEmulatorOptions } from '../../adapters/discord/emulator/emulator.ts';
import { memoryLogger, type Org, orgAdapter, startOrg } from '../../adapters/discord/testing.ts';
import { TICKET_BUTTON_ID } from '../../adapters/discord/tickets.ts';
import type { Runtime } from '../../src/app/runtime.ts';
import type { InboundEvent, Message } from '../../src/core/model.ts';
import { Composer, type Middleware } from '../../src/router/composer.ts';
import type { RouterContext } from '../../src/router/context.ts';
import { echo, testRuntime, waitFor } from '../support/pipeline.ts';
import { dropPrefix, testRedis } from '../support/redis.ts';

const WAIT = 20_000;
/** Discord's own limits, as Verity's channel config spells them. */
const DISCORD_LIMITS = '{ perSecond: 50, perChat: { count: 5, windowMs: 5000 } }';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Pipeline {
  org: Org;
  runtime: Runtime;
  prefix: string;
  adapterLines: () => string[];
}

async function discordPipeline(
  options: {
    emulator?: DiscordEmulatorOptions;
    middleware?: Middleware<RouterContext>;
    limits?: string;
    settings?: Partial<DiscordSettingsInput>;
    /** Another process of the same deployment: same emulator, same Redis prefix. */
    sharing?: { org: Org; prefix: string };
  } = {},
): Promise<Pipeline> {
  const org = options.sharing?.org ?? (await startOrg(options.emulator));
  // The emulator closes last: a client left connected to a closed emulator reconnects in a loop.
  if (!options.sharing) cleanups.push(() => org.emu.close());
  const { logger, lines } = memoryLogger();
  const adapter = orgAdapter(org, { logger, ...(options.settings ? { settings: options.settings } : {}) });
  const { runtime, prefix } = testRuntime({
    ...(options.sharing ? { prefix: options.sharing.prefix } : {}),
    adapters: [adapter],
    middleware: options.middleware ?? echo(),
    config: `  discord: { limits: ${options.limits ?? DISCORD_LIMITS} }`,
  });
  cleanups.push(async () => {
    await runtime.stop();
    const { redis } = testRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });
  await runtime.start();
  return { org, runtime, prefix, adapterLines: lines };
}

async function conversationOf(runtime: Runtime, threadKey: string): Promise<string> {
  return await waitFor(
    () => runtime.store.findByThread('discord', threadKey),
    WAIT,
    `a conversation for ${threadKey}`,
  );
}

/** A conversation's messages, oldest first. */
async function messagesOf(runtime: Runtime, conversationId: string): Promise<Message[]> {
  return (await runtime.store.history(conversationId, { limit: 500 })).reverse();
}

/** Resolves once every outbound message of the conversation has a delivery outcome. */
async function settled(runtime: Runtime, conversationId: string, outbound: number): Promise<Message[]> {
  return await waitFor(
    async () => {
      const all = await messagesOf(runtime, conversationId);
      const out = all.filter((m) => m.direction === 'out');
      const done = out.every((m) => m.delivery && m.delivery.state !== 'queued');
      return out.length >= outbound && done ? all : undefined;
    },
    WAIT,
    `${outbound} delivery outcome(s) in ${conversationId}`,
  );
}

/** Lets stray duplicates (a replayed dispatch, a second delivery) show up before counting. */
const quiet = () => new Promise((resolve) => setTimeout(resolve, 500));

describe('discord through the pipeline', { timeout: 60_000 }, () => {
  it('a DM becomes a conversation and its reply reaches the user', async () => {
    const { org, runtime } = await discordPipeline();
    const dm = org.emu.injectDm(org.alice.id, 'is this the real support?');
    const [reply] = await org.emu.waitForBotMessage(dm.channelId, 1, WAIT);
    expect(reply?.content).toBe('echo: is this the real support?');
    expect(reply?.allowedMentions).toEqual({ parse: [] });

    const id = await conversationOf(runtime, dm.channelId);
    const conversation = await runtime.store.get(id);
    expect(conversation).toMatchObject({ channel: 'discord', threadKey: dm.channelId });
    const messages = await settled(runtime, id, 1);
    expect(messages.map((m) => [m.direction, m.text])).toEqual([
      ['in', 'is this the real support?'],
      ['out', 'echo: is this the real support?'],
    ]);
    expect(messages[0]?.platformMessageId).toBe(dm.id);
    expect(messages[1]?.delivery?.state).toBe('sent');
    // The reply's Discord id leads back to it (edits and replies to it are found).
    expect(await runtime.store.seqOfPlatformMessage(id, reply?.id ?? '')).toBe(messages[1]?.seq);
  });

  it('the ticket button opens a private thread, and a message there is answered in it', async () => {
    const { org, runtime } = await discordPipeline();
    const [prompt] = await org.emu.waitForBotMessage(org.supportChannelId, 1, WAIT);
    org.emu.injectButton(org.supportChannelId, org.alice.id, prompt?.id ?? '', TICKET_BUTTON_ID);
    const thread = await org.emu.waitForAction('thread', () => true, WAIT);
    expect(org.emu.world.channels.get(thread.channelId)?.type).toBe(12);
    expect(thread.parentId).toBe(org.supportChannelId);
    await org.emu.waitForAction('thread-member', (a) => a.userId === org.alice.id, WAIT);

    org.emu.injectGuildMessage(thread.channelId, org.alice.id, 'I sent funds to a fake support account');
    const replies = await org.emu.waitFor(
      () => {
        const found = org.emu
          .botMessagesIn(thread.channelId)
          .filter((m) => m.content === 'echo: I sent funds to a fake support account');
        return found.length > 0 ? found : undefined;
      },
      WAIT,
      'the echo in the ticket thread',
    );
    expect(replies).toHaveLength(1);
    const id = await conversationOf(runtime, thread.channelId);
    const inbound = (await messagesOf(runtime, id)).filter((m) => m.direction === 'in');
    expect(inbound.map((m) => m.text)).toContain('I sent funds to a fake support account');
    // Nothing of the conversation leaked into the public support channel.
    expect(
      org.emu.botMessagesIn(org.supportChannelId).filter((m) => m.content.includes('fake support')),
    ).toHaveLength(0);
  });

  it('a slash command reaches the router and its reply answers the interaction', async () => {
    const seen: InboundEvent[] = [];
    const middleware = new Composer<RouterContext>()
      .on('button', (ctx) => {
        seen.push(ctx.event);
        if (ctx.event.type === 'button' && ctx.event.data.startsWith('cmd:/verify ')) {
          ctx.reply({
            text: `${ctx.event.data.slice('cmd:/verify '.length)} is NOT an official domain.`,
            style: 'warning',
            ...(ctx.event.platformMessageId ? { replyToPlatformId: ctx.event.platformMessageId } : {}),
          });
        }
      })
      .middleware();
    const { org } = await discordPipeline({ middleware });
    await org.emu.waitForAction('commands', () => true, WAIT);
    const interaction = org.emu.injectSlash(org.supportChannelId, org.alice.id, 'verify', {
      what: 'examp1e-wallet.com',
    });
    const answerId = await org.emu.waitFor(
      () => org.emu.world.interactions.get(interaction.id)?.originalMessageId,
      WAIT,
      'the answer to /verify',
    );
    const answer = org.emu.world.messages.get(answerId);
    expect(JSON.stringify(answer?.embeds)).toContain('examp1e-wallet.com is NOT an official domain.');
    // Ephemeral: only the user who asked sees the verdict.
    expect(answer?.flags).toBe(64);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      type: 'button',
      eventId: interaction.id,
      data: 'cmd:/verify examp1e-wallet.com',
      sender: { userId: org.alice.id },
    });
    // The answer went to the interaction, not to the shared channel.
    expect(org.emu.botMessagesIn(org.supportChannelId).filter((m) => m.flags !== 64)).toHaveLength(1);
  });

  it('a member joining with an impersonating nickname reaches the router', async () => {
    const joined: InboundEvent[] = [];
    const middleware = new Composer<RouterContext>()
      .on('member:joined', (ctx) => {
        joined.push(ctx.event);
      })
      .middleware();
    const { org } = await discordPipeline({ middleware });
    const impostor = org.emu.createUser('examplesupport_', { globalName: 'Example Wallet' });
    org.emu.memberJoin(org.guildId, impostor.id, 'Example Support');
    await waitFor(() => joined.length > 0, WAIT, 'the join in the router');
    expect(joined).toHaveLength(1);
    expect(joined[0]).toMatchObject({
      type: 'member',
      change: 'joined',
      thread: { key: org.guildId, kind: 'group' },
      sender: { userId: impostor.id, handle: 'examplesupport_', displayName: 'Example Support' },
    });
  });

  it('a dropped gateway connection is resumed without losing a message', async () => {
    const { org, runtime } = await discordPipeline();
    const first = org.emu.injectDm(org.alice.id, 'before the drop');
    await org.emu.waitForBotMessage(first.channelId, 1, WAIT);
    org.emu.dropGateway();
    const missed = org.emu.injectDm(org.alice.id, 'sent while the bot was disconnected');
    const replies = await org.emu.waitForBotMessage(first.channelId, 2, WAIT);
    expect(replies.map((m) => m.content)).toEqual([
      'echo: before the drop',
      'echo: sent while the bot was disconnected',
    ]);
    await waitFor(() => org.emu.gateway.resumes >= 1, WAIT, 'a resume');
    expect(org.emu.gateway.identifies).toBe(1);

    const id = await conversationOf(runtime, first.channelId);
    await settled(runtime, id, 2);
    await quiet();
    const messages = await messagesOf(runtime, id);
    expect(messages.filter((m) => m.platformMessageId === missed.id)).toHaveLength(1);
    expect(messages.map((m) => [m.direction, m.text])).toEqual([
      ['in', 'before the drop'],
      ['out', 'echo: before the drop'],
      ['in', 'sent while the bot was disconnected'],
      ['out', 'echo: sent while the bot was disconnected'],
    ]);
    expect(org.emu.botMessagesIn(first.channelId)).toHaveLength(2);
  });

  it('a 429 storm under tight buckets ends with everything delivered and no bucket overrun', {
    timeout: 120_000,
  }, async () => {
    const { org, runtime } = await discordPipeline({
      emulator: { rateLimits: { messages: { limit: 3, windowMs: 2000 }, globalPerSecond: 20 } },
      // Stricter than the emulator on both counts, as a deployment is against Discord.
      limits: '{ perSecond: 10, perChat: { count: 3, windowMs: 2500 } }',
      settings: { rest: { globalRequestsPerSecond: 15, maxRateLimitWaitMs: 3000, timeoutMs: 15_000 } },
    });
    await org.emu.waitForBotMessage(org.supportChannelId, 1, WAIT);
    org.emu.injectFault({ kind: '429', retryAfter: 0.3 }, 6, /\/messages$/);
    org.emu.injectFault({ kind: '429', retryAfter: 0.5, global: true }, 2, /\/messages$/);
    const users = ['bob', 'carol', 'dave'].map((name) => {
      const user = org.emu.createUser(name);
      org.emu.addMember(org.guildId, user.id);
      return user;
    });
    const perUser = 6;
    const texts = new Map<string, string[]>();
    for (let i = 0; i < perUser; i += 1) {
      for (const user of users) {
        const dm = org.emu.injectDm(user.id, `question ${i} from ${user.username}`);
        texts.set(dm.channelId, [
          ...(texts.get(dm.channelId) ?? []),
          `echo: question ${i} from ${user.username}`,
        ]);
      }
    }
    for (const [channelId, expected] of texts) {
      const sent = await org.emu.waitForBotMessage(channelId, perUser, 60_000);
      expect(sent.map((m) => m.content)).toEqual(expected);
      const id = await conversationOf(runtime, channelId);
      const messages = await settled(runtime, id, perUser);
      expect(messages.filter((m) => m.direction === 'out').map((m) => m.delivery?.state)).toEqual(
        Array(perUser).fill('sent'),
      );
    }
    // Every injected 429 was met, and answered by waiting, not by overrunning a bucket.
    expect(org.emu.faults.take('/channels/x/messages')).toBeUndefined();
    expect(org.emu.violations).toEqual([]);
    await quiet();
    for (const channelId of texts.keys()) expect(org.emu.botMessagesIn(channelId)).toHaveLength(perUser);
  });

  it('a user who closed DMs (50007) makes the conversation unreachable, with the failure recorded', async () => {
    const { org, runtime } = await discordPipeline();
    org.emu.closeDms(org.alice.id);
    const dm = org.emu.injectDm(org.alice.id, 'please answer');
    const id = await conversationOf(runtime, dm.channelId);
    const messages = await settled(runtime, id, 1);
    const out = messages.find((m) => m.direction === 'out');
    expect(out?.text).toBe('echo: please answer');
    expect(out?.delivery).toMatchObject({ state: 'failed', error: 'blocked' });
    const conversation = await waitFor(
      async () => {
        const c = await runtime.store.get(id);
        return c?.unreachable ? c : undefined;
      },
      WAIT,
      'the conversation marked unreachable',
    );
    expect(conversation.unreachable).toBe('blocked');
    expect(org.emu.botMessagesIn(dm.channelId)).toHaveLength(0);
  });

  it('a reply held by a rate limit when the process stops is sent once, by the drain, and never again', async () => {
    const first = await discordPipeline();
    const { org } = first;
    await org.emu.waitForBotMessage(org.supportChannelId, 1, WAIT);
    // Longer than discord.js waits by itself: delivery holds the reply while the process stops.
    org.emu.injectFault({ kind: '429', retryAfter: 4 }, 1, /\/messages$/);
    const dm = org.emu.injectDm(org.alice.id, 'are you still there?');
    await waitFor(
      async () => {
        const counts = await first.runtime.metrics.deliveries.get();
        return counts.values.some((v) => v.labels.outcome === 'rate_limited' && v.value > 0);
      },
      WAIT,
      'the reply held by a rate limit',
    );
    const id = await conversationOf(first.runtime, dm.channelId);
    // The drain stops delivery before the adapter, so the held reply is still sent.
    await first.runtime.stop();
    expect(org.emu.botMessagesIn(dm.channelId).map((m) => m.content)).toEqual(['echo: are you still there?']);

    const next = await discordPipeline({ sharing: { org, prefix: first.prefix } });
    const messages = await settled(next.runtime, id, 1);
    expect(messages.filter((m) => m.direction === 'out').map((m) => m.delivery?.state)).toEqual(['sent']);
    await quiet();
    expect(org.emu.botMessagesIn(dm.channelId)).toHaveLength(1);
  });
});
