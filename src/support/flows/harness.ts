/**
 * Test harness for the support flows (imported by the *.test.ts files here only): a real
 * pipeline (store, router, delivery to a fake platform) on the test run's Redis, the
 * support middleware behind a stand-in for the trust layer, and a clock the test moves.
 */
import { pino } from 'pino';
import { dm } from '../../../test/support/events.ts';
import {
  type FakePlatform,
  FakePlatformAdapter,
  startFakePlatform,
} from '../../../test/support/fake-platform.ts';
import { type TestLog, testRuntime, waitFor } from '../../../test/support/pipeline.ts';
import { dropPrefix, testRedis } from '../../../test/support/redis.ts';
import type { Desk } from '../../agents/actions.ts';
import type { Runtime } from '../../app/runtime.ts';
import { InboundEvent } from '../../core/model.ts';
import { compose, type Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import { parseSupportConfig, type SupportConfigInput } from '../config.ts';
import { loadSupportData, type SupportData } from '../load.ts';
import { createSupport, type Support } from './index.ts';
import { SupportState } from './state.ts';

export const LANGUAGES = { default: 'en', supported: ['en', 'zh'] } as const;

let data: SupportData | undefined;
/** The real knowledge base and templates from config/, loaded once per test file. */
export function supportData(): SupportData {
  const parsed = parseSupportConfig({});
  if (!parsed.ok) throw new Error(parsed.error);
  data ??= loadSupportData(parsed.config, {
    default: LANGUAGES.default,
    supported: [...LANGUAGES.supported],
  });
  return data;
}

export interface Harness {
  runtime: Runtime;
  /** What the pipeline logged (router errors show up here). */
  log: TestLog;
  platform: FakePlatform;
  support: Support;
  state: SupportState;
  desk: Desk;
  clock: { now: number };
  /** A user message on a channel ("fake" or "other"); resolves with the conversation id. */
  say(user: string, text: string, overrides?: Record<string, unknown>, channel?: string): Promise<string>;
  press(user: string, data: string, channel?: string): Promise<void>;
  /** Texts the platform received in a user's chat (channel-agnostic: chats are per user). */
  received(user: string): string[];
  /** Waits until the user's chat got `count` messages in all, and returns the new ones since `from`. */
  waitReplies(user: string, count: number, from?: number): Promise<string[]>;
  /** No message arrives for the user within `ms` beyond what they have now. */
  quiet(user: string, ms?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function supportHarness(
  options: {
    config?: SupportConfigInput;
    trust?: (ctx: RouterContext) => unknown;
    agentsOnline?: (team: string, now: number) => number;
    start?: number;
  } = {},
): Promise<Harness> {
  const parsed = parseSupportConfig(options.config ?? {});
  if (!parsed.ok) throw new Error(parsed.error);
  const { matcher, templates } = supportData();
  const platform = await startFakePlatform();
  const adapters = [
    new FakePlatformAdapter(platform.url, 'fake'),
    new FakePlatformAdapter(platform.url, 'other'),
  ];
  let chain: Middleware<RouterContext> = (_ctx, next) => next();
  const { runtime, prefix, log } = testRuntime({ adapters, middleware: (ctx, next) => chain(ctx, next) });
  const clock = { now: options.start ?? Date.now() };
  const support = createSupport({
    matcher,
    templates,
    config: parsed.config,
    languages: LANGUAGES,
    org: 'Example',
    store: runtime.store,
    live: runtime.live,
    logger: pino({ level: 'silent' }),
    now: () => clock.now,
    ...(options.agentsOnline ? { agentsOnline: options.agentsOnline } : {}),
  });
  const trust = options.trust;
  const trustStub: Middleware<RouterContext> = async (ctx, next) => {
    if (trust) ctx.state.trust = trust(ctx);
    await next();
  };
  chain = compose([trustStub, support.middleware]);
  await runtime.start();
  const chat = (user: string) => `chat-${user}`;
  const received = (user: string) =>
    platform.arrivals.filter((a) => a.chat === chat(user)).map((a) => a.text);
  const sinkOf = (channel: string) => {
    const adapter = adapters.find((a) => a.channel === channel);
    if (!adapter?.sink) throw new Error(`no running adapter ${channel}`);
    return adapter.sink;
  };
  return {
    runtime,
    log,
    platform,
    support,
    state: new SupportState(runtime.redis, runtime.store.keys),
    desk: { store: runtime.store, live: runtime.live },
    clock,
    async say(user, text, overrides = {}, channel = 'fake') {
      const event = dm(user, {
        channel,
        sender: { channel, userId: user },
        text,
        at: clock.now,
        ...overrides,
      });
      const outcome = await sinkOf(channel).ingest(event);
      if (!outcome.conversationId) throw new Error(`not stored: ${JSON.stringify(outcome)}`);
      return outcome.conversationId;
    },
    async press(user, data, channel = 'fake') {
      const event = InboundEvent.parse({
        type: 'button',
        channel,
        eventId: `b-${Math.random().toString(36).slice(2)}`,
        thread: { key: chat(user), kind: 'private' },
        sender: { channel, userId: user },
        at: clock.now,
        data,
      });
      await sinkOf(channel).ingest(event);
    },
    received,
    async waitReplies(user, count, from) {
      const start = from ?? 0;
      await waitFor(
        () => received(user).length >= count,
        5000,
        `${count} messages to ${user} (got ${received(user).length})`,
      );
      return received(user).slice(start);
    },
    async quiet(user, ms = 300) {
      const before = received(user).length;
      await new Promise((r) => setTimeout(r, ms));
      if (received(user).length !== before) {
        throw new Error(`unexpected messages to ${user}: ${received(user).slice(before).join(' | ')}`);
      }
    },
    async stop() {
      await runtime.stop();
      await platform.close();
      const { redis } = testRedis();
      await dropPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}
