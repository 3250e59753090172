/**
 * The WeChat channel through the whole Verity pipeline: the OA platform emulator and the
 * hardened Official Account puppet (the production path), or the mock puppet, with a
 * runtime on the test run's Redis. Cleanups are shared with the Telegram helpers.
 */
import { WechatAdapter } from '../../../adapters/wechat/adapter.ts';
import { loadWechatConfig } from '../../../adapters/wechat/config.ts';
import {
  emulatorEnv,
  startWechatOaEmulator,
  type WechatOaEmulator,
} from '../../../adapters/wechat/emulator/index.ts';
import { createMockPuppet } from '../../../adapters/wechat/puppets.ts';
import { quietLogger } from '../../../adapters/wechat/testing.ts';
import type { Runtime } from '../../../src/app/runtime.ts';
import type { ChannelAdapter } from '../../../src/core/channel.ts';
import type { Middleware } from '../../../src/router/composer.ts';
import type { RouterContext } from '../../../src/router/context.ts';
import { type TestLog, testRuntime, waitFor } from '../../support/pipeline.ts';
import { dropPrefix, testRedis } from '../../support/redis.ts';
import { onCleanup, TELEGRAM_LIMITS } from './telegram.ts';

/** Sends are paced by the platform's quotas here, not by a per-second rate. */
const WECHAT_LIMITS = '{ perSecond: 100, perChat: { count: 10, windowMs: 1000 } }';

export async function startOaEmulator(): Promise<WechatOaEmulator> {
  const emulator = await startWechatOaEmulator({ answerTimeoutMs: 5000 });
  onCleanup(() => emulator.close());
  return emulator;
}

export function oaAdapter(emulator: WechatOaEmulator): WechatAdapter {
  const config = loadWechatConfig({ ...emulatorEnv(emulator), WECHAT_START_TIMEOUT_MS: '10000' });
  return new WechatAdapter({ config, logger: quietLogger, ingestRetry: { initialMs: 20, maxMs: 200 } });
}

/** A runtime over `adapters` (WeChat and maybe Telegram), started, stopped by stopAll(). */
export async function wechatRuntime(options: {
  adapters: ChannelAdapter[];
  middleware?: Middleware<RouterContext>;
}): Promise<{ runtime: Runtime; log: TestLog }> {
  const { runtime, prefix, log } = testRuntime({
    adapters: options.adapters,
    ...(options.middleware ? { middleware: options.middleware } : {}),
    config: `  wechat: { limits: ${WECHAT_LIMITS} }\n  telegram: { limits: ${TELEGRAM_LIMITS} }`,
  });
  onCleanup(async () => {
    await runtime.stop();
    const { redis } = testRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });
  await runtime.start();
  return { runtime, log };
}

/** Emulator + hardened OA puppet + runtime, with the emulator pushing to the adapter. */
export async function oaPipeline(middleware?: Middleware<RouterContext>) {
  const emulator = await startOaEmulator();
  const adapter = oaAdapter(emulator);
  const { runtime, log } = await wechatRuntime({
    adapters: [adapter],
    ...(middleware ? { middleware } : {}),
  });
  const callback = adapter.health().info?.callback;
  if (!callback) throw new Error(`wechat adapter has no callback address: ${adapter.health().detail}`);
  emulator.setCallbackUrl(callback);
  return { emulator, adapter, runtime, log };
}

/** The mock puppet through the same adapter and pipeline. */
export async function mockPipeline(middleware?: Middleware<RouterContext>) {
  const handle = createMockPuppet();
  const adapter = new WechatAdapter({
    config: loadWechatConfig({ WECHATY_PUPPET: 'mock', WECHAT_START_TIMEOUT_MS: '10000' }),
    logger: quietLogger,
    puppet: handle,
    ingestRetry: { initialMs: 20, maxMs: 200 },
  });
  const { runtime, log } = await wechatRuntime({
    adapters: [adapter],
    ...(middleware ? { middleware } : {}),
  });
  return { handle, adapter, runtime, log };
}

export async function wechatConversation(runtime: Runtime, threadKey: string): Promise<string> {
  return await waitFor(
    () => runtime.store.findByThread('wechat', threadKey),
    15_000,
    `a conversation for ${threadKey}`,
  );
}
