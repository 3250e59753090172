/**
 * The Telegram channel through the whole Verity pipeline: the Bot API emulator, the real
 * telegraf adapter, and a runtime on the test run's Redis (store, router, rate-limited
 * delivery). Everything started here is stopped by `stopAll()` in the caller's afterEach.
 */

import type { Logger } from 'pino';
import { TelegramAdapter } from '../../../adapters/telegram/adapter.ts';
import {
  startTelegramEmulator,
  type TelegramEmulator,
  type TelegramEmulatorOptions,
} from '../../../adapters/telegram/emulator/emulator.ts';
import type { Runtime } from '../../../src/app/runtime.ts';
import type { Message } from '../../../src/core/model.ts';
import type { Middleware } from '../../../src/router/composer.ts';
import type { RouterContext } from '../../../src/router/context.ts';
import { captureLog, type TestLog, testRuntime, waitFor } from '../../support/pipeline.ts';
import { dropPrefix, testRedis } from '../../support/redis.ts';

/** Telegram's own flood limits, as Verity's channel config spells them. */
export const TELEGRAM_LIMITS =
  '{ perSecond: 30, perChat: { count: 1, windowMs: 1000 }, perGroup: { count: 20, windowMs: 60000 } }';

const cleanups: Array<() => Promise<unknown>> = [];

export async function stopAll(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

export function onCleanup(cleanup: () => Promise<unknown>): void {
  cleanups.push(cleanup);
}

export async function startEmulator(options: TelegramEmulatorOptions = {}): Promise<TelegramEmulator> {
  const emu = await startTelegramEmulator(options);
  onCleanup(() => emu.close());
  return emu;
}

export function telegramAdapter(
  emu: TelegramEmulator,
  logger: Logger,
  settings: Record<string, unknown> = {},
  webhookSecret?: string,
): TelegramAdapter {
  return new TelegramAdapter({
    token: emu.token,
    logger,
    settings: {
      apiRoot: emu.apiRoot,
      polling: { timeoutSeconds: 1 },
      ingestRetry: { initialMs: 20, maxMs: 200 },
      ...settings,
    },
    ...(webhookSecret !== undefined ? { webhookSecret } : {}),
  });
}

export interface TelegramPipeline {
  emu: TelegramEmulator;
  adapter: TelegramAdapter;
  runtime: Runtime;
  log: TestLog;
  /** The adapter's own log lines (webhook refusals, skipped updates). */
  adapterLog: TestLog;
  prefix: string;
}

/** Emulator + adapter + started runtime; `limits` is Verity's `channels.telegram.limits`. */
export async function telegramPipeline(
  options: {
    emulator?: TelegramEmulatorOptions;
    emu?: TelegramEmulator;
    middleware?: Middleware<RouterContext>;
    limits?: string;
    settings?: Record<string, unknown>;
    webhookSecret?: string;
  } = {},
): Promise<TelegramPipeline> {
  const emu = options.emu ?? (await startEmulator(options.emulator));
  const adapterLog = captureLog();
  const adapter = telegramAdapter(emu, adapterLog.logger, options.settings, options.webhookSecret);
  const { runtime, prefix, log } = testRuntime({
    adapters: [adapter],
    ...(options.middleware ? { middleware: options.middleware } : {}),
    config: `  telegram: { limits: ${options.limits ?? TELEGRAM_LIMITS} }`,
  });
  onCleanup(async () => {
    await runtime.stop();
    const { redis } = testRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });
  await runtime.start();
  return { emu, adapter, runtime, log, adapterLog: adapterLog.log, prefix };
}

/** The conversation of a chat once the store has it. */
export async function conversationOf(runtime: Runtime, chatId: number, timeoutMs = 15_000): Promise<string> {
  return await waitFor(
    () => runtime.store.findByThread('telegram', String(chatId)),
    timeoutMs,
    `a conversation for chat ${chatId}`,
  );
}

/** A conversation's messages, oldest first. */
export async function messagesOf(runtime: Runtime, conversationId: string): Promise<Message[]> {
  return (await runtime.store.history(conversationId, { limit: 500 })).reverse();
}
