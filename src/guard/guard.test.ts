/**
 * The trust layer as users meet it, through the real pipeline (real Redis, router,
 * delivery to a fake platform): what is stored, what the user is told, what moderators see.
 */
import { entropyToMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { wordlist as simplifiedChinese } from '@scure/bip39/wordlists/simplified-chinese.js';
import { afterEach, describe, expect, it } from 'vitest';
import { dm } from '../../test/support/events.ts';
import {
  type FakePlatform,
  FakePlatformAdapter,
  startFakePlatform,
} from '../../test/support/fake-platform.ts';
import { testConfig, testRuntime, waitFor } from '../../test/support/pipeline.ts';
import { dropPrefix, testRedis } from '../../test/support/redis.ts';
import type { Runtime } from '../app/runtime.ts';
import { createServices, type Services } from '../app/services.ts';
import { decodeLiveEntry } from '../bus/live.ts';
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../ops/logger.ts';

// Fixed but varied entropy: real phrases have no repeating runs (the shield discounts those).
const entropy = (salt: number) => Uint8Array.from({ length: 16 }, (_, i) => (i * 97 + salt) % 256);
const SEED = entropyToMnemonic(entropy(13), english);
// Chinese phrases must carry a valid checksum (the shield's guard against ordinary Chinese text).
const ZH_SEED = entropyToMnemonic(entropy(29), simplifiedChinese);

let stops: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

async function guarded(): Promise<{
  runtime: Runtime;
  platform: FakePlatform;
  adapter: FakePlatformAdapter;
  services: Services;
}> {
  const platform = await startFakePlatform();
  const adapter = new FakePlatformAdapter(platform.url);
  const official = loadConfig('config/verity.yaml', {}).config.official;
  const prefix = `t-guard-${Math.random().toString(36).slice(2, 8)}`;
  const config = testConfig(
    prefix,
    `support: {}\ntrust: { verificationSchedule: [{ channel: fake, threadKey: '-100', everyHours: 24 }] }`,
  );
  const { redisUrl } = { redisUrl: testRedis().url };
  const services = await createServices({
    config: { ...config, official },
    env: { VERITY_CODE_SECRET: 'a-test-secret-of-32-bytes-length' },
    redisUrl,
    logger: createLogger('silent'),
  });
  const { runtime } = testRuntime({
    adapters: [adapter],
    middleware: services.middleware,
    prefix,
    enrich: services.enrich,
  });
  await runtime.start();
  stops.push(async () => {
    await runtime.stop();
    await services.stop();
    await platform.close();
    const { redis } = testRedis();
    await dropPrefix(redis, prefix);
    redis.disconnect();
  });
  return { runtime, platform, adapter, services };
}

const fake = (user: string, overrides: Record<string, unknown> = {}) =>
  dm(user, {
    channel: 'fake',
    sender: { channel: 'fake', userId: user, displayName: `User ${user}` },
    ...overrides,
  });

const textsTo = (platform: FakePlatform, chat: string) =>
  platform.arrivals.filter((a) => a.chat === chat).map((a) => a.text);

describe('trust in the router', () => {
  it('redacts a pasted recovery phrase before storage (English and Chinese), alerts the user, and raises the case to urgent', async () => {
    const { runtime, platform, adapter } = await guarded();
    const { conversationId } = await adapter.sink!.ingest(fake('ann', { text: `my seed is ${SEED} help` }));
    await adapter.sink!.ingest(fake('ann', { text: `助记词 ${ZH_SEED}` }));
    const [zh, en] = await runtime.store
      .history(conversationId!, { limit: 2 })
      .then((h) => h.filter((m) => m.direction === 'in'));
    expect(en?.text).not.toContain(SEED.split(' ').slice(0, 3).join(' '));
    expect(en?.redactions[0]?.kind).toBe('seed-phrase');
    expect(zh?.text).not.toContain(ZH_SEED.split(' ').slice(0, 3).join(' '));
    // Nothing in Redis holds the phrase: the message list, the stream for the router, the live events.
    const { redis } = testRedis();
    const dump = JSON.stringify(
      await Promise.all(
        (await redis.keys(`${runtime.store.keys.prefix}:*`)).map(async (k) => {
          const type = await redis.type(k);
          if (type === 'list') return redis.lrange(k, 0, -1);
          if (type === 'stream') return redis.xrange(k, '-', '+');
          if (type === 'hash') return redis.hgetall(k);
          return type === 'string' ? redis.get(k) : '';
        }),
      ),
    );
    redis.disconnect();
    expect(dump).not.toContain(SEED.split(' ').slice(0, 4).join(' '));
    expect(dump).not.toContain(JSON.stringify(ZH_SEED.split(' ').slice(0, 4).join(' ')).slice(1, -1));
    await waitFor(
      () => textsTo(platform, 'chat-ann').some((t) => t.includes('recovery phrase')),
      10_000,
      'the alert',
    );
    const conv = await waitFor(async () => {
      const c = await runtime.store.get(conversationId!);
      return c?.priority === 'urgent' ? c : undefined;
    });
    expect(conv.tags).toContain('secret-leaked');
  });

  it('leaves ordinary text with a few wordlist words alone', async () => {
    const { runtime, adapter } = await guarded();
    const { conversationId } = await adapter.sink!.ingest(
      fake('bo', { text: 'I want to access my account, able to help?' }),
    );
    const [message] = await runtime.store.history(conversationId!, { limit: 1 });
    expect(message?.text).toBe('I want to access my account, able to help?');
    expect(message?.redactions).toEqual([]);
  });

  it('warns about a lookalike domain and names the real one', async () => {
    const { platform, adapter } = await guarded();
    await adapter.sink!.ingest(
      fake('cy', { text: 'support told me to log in at examp1e-wallet.com, is that you?' }),
    );
    const warning = await waitFor(
      () => textsTo(platform, 'chat-cy').find((t) => t.includes('examp1e-wallet.com')),
      10_000,
    );
    expect(warning).toContain('example.com');
  });

  it('warns about an account moderators flagged, seen by the scanner within a second', async () => {
    const { platform, adapter, services } = await guarded();
    await services.registry.flag({
      kind: 'handle',
      value: '@crypto_helpdesk_247',
      reason: 'reported scam',
      by: 'mod',
      channel: 'fake',
    });
    await new Promise((r) => setTimeout(r, 1000));
    await adapter.sink!.ingest(fake('dee', { text: 'is @crypto_helpdesk_247 your support?' }));
    await waitFor(
      () => textsTo(platform, 'chat-dee').some((t) => t.includes('known scam')),
      10_000,
      'the warning',
    );
  });

  it('/verify sends the verification message with a code; the code verifies for its holder only', async () => {
    const { platform, adapter } = await guarded();
    await adapter.sink!.ingest(fake('eve', { text: '/verify' }));
    const message = await waitFor(
      () => textsTo(platform, 'chat-eve').find((t) => t.includes('Verification code')),
      10_000,
    );
    const code = /([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(message)?.[1];
    expect(code).toBeDefined();
    await adapter.sink!.ingest(fake('eve', { text: `/verify ${code}` }));
    await waitFor(() => textsTo(platform, 'chat-eve').some((t) => t.includes('is genuine')), 10_000, 'valid');
    await adapter.sink!.ingest(fake('fay', { text: `/verify ${code}` }));
    await waitFor(
      () => textsTo(platform, 'chat-fay').some((t) => t.includes('was not issued by us')),
      10_000,
      'refused',
    );
  });

  it('/check tells official from lookalike, and /report queues a report for moderators', async () => {
    const { platform, adapter, services } = await guarded();
    await adapter.sink!.ingest(fake('gus', { text: '/check example.com and @ExampIeSupport' }));
    const answer = await waitFor(
      () => textsTo(platform, 'chat-gus').find((t) => t.includes('@ExampIeSupport')),
      10_000,
    );
    expect(answer).toContain('official');
    expect(answer).toContain('imitates');
    await adapter.sink!.ingest(fake('gus', { text: '/report @fake_admin_99 asked for my seed' }));
    await waitFor(() => textsTo(platform, 'chat-gus').some((t) => t.includes('report')), 10_000);
    const reports = await services.registry.pendingReports();
    expect(reports.map((r) => r.value)).toContain('fake_admin_99');
  });

  it('sends the scheduled verification message to a configured group once per period; its code verifies there', async () => {
    const { platform, adapter, services } = await guarded();
    const now = Date.now();
    await services.scheduledVerification(now);
    await services.scheduledVerification(now + 1000);
    const message = await waitFor(
      () => textsTo(platform, '-100').find((t) => t.includes('Verification code')),
      10_000,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(textsTo(platform, '-100').filter((t) => t.includes('Verification code'))).toHaveLength(1);
    const code = /([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/.exec(message)?.[1];
    await adapter.sink!.ingest(
      fake('hal', { thread: { key: '-100', kind: 'group' }, text: `/verify ${code}`, addressedToBot: true }),
    );
    await waitFor(
      () => textsTo(platform, '-100').some((t) => t.includes('is genuine')),
      10_000,
      'the group code verified',
    );
  });

  it('alerts moderators when a member who looks like staff joins a group', async () => {
    const { runtime, adapter } = await guarded();
    const since = `${Date.now()}-0`;
    await adapter.sink!.ingest({
      type: 'member',
      change: 'joined',
      channel: 'fake',
      eventId: 'join-1',
      thread: { key: '-100', kind: 'group' },
      sender: { channel: 'fake', userId: '666', displayName: 'Alice Chen', handle: '@ExampleSupport_Help' },
      at: Date.now(),
    });
    const alert = await waitFor(
      async () => {
        const entries = await runtime.redis.xrange(runtime.store.keys.liveStream(), since, '+');
        return entries
          .flatMap(([, fields]) => decodeLiveEntry(fields[1]))
          .find((e) => e.type === 'alert' && e.data.kind === 'lookalike-member');
      },
      10_000,
      'a moderator alert',
    );
    expect(alert?.data.kind).toBe('lookalike-member');
  });
});
