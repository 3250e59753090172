/**
 * One conversation suite, the same on every channel: the real adapter and emulator (the
 * WeChat mock puppet), the whole pipeline, and the deployment's handler chain (trust, then
 * support) built by createServices exactly as `verity start` builds it.
 *   - a FAQ question gets the knowledge-base answer;
 *   - "talk to a person" hands the conversation over, with a ticket and a queue place;
 *   - an agent's reply from the inbox reaches the user on that channel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { memoryLogger, orgAdapter, startOrg } from '../../adapters/discord/testing.ts';
import { WechatAdapter } from '../../adapters/wechat/adapter.ts';
import { loadWechatConfig } from '../../adapters/wechat/config.ts';
import { createMockPuppet } from '../../adapters/wechat/puppets.ts';
import { replyAsAgent } from '../../src/agents/actions.ts';
import type { Runtime } from '../../src/app/runtime.ts';
import { createServices } from '../../src/app/services.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { ChannelAdapter } from '../../src/core/channel.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { captureLog, testConfig, testRuntime, waitFor } from '../support/pipeline.ts';
import { dropPrefix, testRedis } from '../support/redis.ts';
import { startEmulator, stopAll, telegramAdapter } from './support/telegram.ts';

const WAIT = 20_000;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await stopAll();
});

/** What the suite needs from a channel: a user who writes, and what the user received. */
interface Driver {
  adapter: ChannelAdapter;
  say(text: string): Promise<void>;
  received(): string[];
  threadKey(): string;
}

const drivers: Record<string, () => Promise<Driver>> = {
  telegram: async () => {
    const emu = await startEmulator();
    const user = emu.addUser({ first_name: 'Ann', language_code: 'en' });
    return {
      adapter: telegramAdapter(emu, captureLog().logger),
      say: async (text) => {
        emu.privateMessage(user, text);
      },
      received: () => emu.sentMessages(user.id).map((m) => m.text ?? ''),
      threadKey: () => String(user.id),
    };
  },
  discord: async () => {
    const org = await startOrg();
    cleanups.push(() => org.emu.close());
    let channelId = '';
    return {
      adapter: orgAdapter(org, { logger: memoryLogger().logger }),
      say: async (text) => {
        channelId = org.emu.injectDm(org.alice.id, text).channelId;
      },
      received: () => (channelId ? org.emu.botMessagesIn(channelId).map((m) => m.content ?? '') : []),
      threadKey: () => channelId,
    };
  },
  wechat: async () => {
    const handle = createMockPuppet();
    const adapter = new WechatAdapter({
      config: loadWechatConfig({ WECHATY_PUPPET: 'mock', WECHAT_START_TIMEOUT_MS: '10000' }),
      logger: createLogger('silent'),
      puppet: handle,
    });
    const alice = handle.mocker.createContact({ name: 'Alice' });
    const got: string[] = [];
    alice.on('message', (m: { text(): string | undefined; talker(): { id: string } }) => {
      if (m.talker().id === handle.self.id) got.push(m.text() ?? '');
    });
    return {
      adapter,
      say: async (text) => {
        alice.say(text).to(handle.self);
      },
      received: () => got,
      threadKey: () => alice.id,
    };
  },
};

async function deployment(driver: Driver): Promise<Runtime> {
  const prefix = `t-suite-${Math.random().toString(36).slice(2, 8)}`;
  const official = loadConfig('config/verity.yaml', {}).config.official;
  const lifted = '{ perSecond: 30, perChat: { count: 20, windowMs: 1000 } }';
  const extra = `  ${driver.adapter.channel}: { limits: ${lifted} }`;
  const config = { ...testConfig(prefix, extra), official };
  const services = await createServices({
    config,
    env: { VERITY_CODE_SECRET: 'a-test-secret-of-32-bytes-length' },
    redisUrl: testRedis().url,
    logger: createLogger('silent'),
  });
  const { runtime } = testRuntime({
    adapters: [driver.adapter],
    prefix,
    config: extra,
    middleware: services.middleware,
    enrich: services.enrich,
  });
  await runtime.start();
  cleanups.push(async () => {
    await runtime.stop();
    await services.stop();
    const { redis } = testRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });
  return runtime;
}

describe.each(Object.keys(drivers))('the conversation suite on %s', (channel) => {
  it('answers a FAQ, hands over to a person with a ticket, and delivers the agent reply', async () => {
    const driver = await drivers[channel]!();
    const runtime = await deployment(driver);

    await driver.say('How do I reset my 2FA? I lost my phone');
    await waitFor(
      () => driver.received().some((t) => /2FA|two-factor|authenticator/i.test(t)),
      WAIT,
      'the FAQ answer',
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}; received: ${JSON.stringify(driver.received())}`);
    });

    await driver.say('/human');
    // Support first asks, one at a time, what the agent will need; skipping each is allowed.
    let handoff: string | undefined;
    for (let asked = 0; !handoff && asked < 8; asked++) {
      const seen = driver.received().length;
      await waitFor(() => driver.received().length > seen, WAIT, 'the next question or the hand-off');
      await new Promise((r) => setTimeout(r, 300));
      handoff = driver.received().find((t) => /EX-\d{6}/.test(t));
      if (!handoff) await driver.say('skip');
    }
    expect(handoff).toBeDefined();
    const conversationId = await waitFor(() => runtime.store.findByThread(channel, driver.threadKey()), WAIT);
    const conversation = await runtime.store.get(conversationId);
    expect(conversation?.ticket).toBe(/EX-\d{6}/.exec(handoff ?? '')?.[0]);
    expect(conversation?.owner).toBe('none');

    await replyAsAgent(
      runtime,
      conversationId,
      { id: 'agent-1', name: 'Alice Chen' },
      'Hi, I am Alice from support. Let us get you back in.',
    );
    await waitFor(
      () => driver.received().some((t) => t.includes('Alice from support')),
      WAIT,
      'the agent reply',
    );
    expect((await runtime.store.get(conversationId))?.owner).toBe('agent');
  }, 90_000);
});
