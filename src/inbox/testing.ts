/**
 * A whole inbox for tests: a runtime (store, router, delivery through the fake platform),
 * the real trust registry and scanner (so entities get verdicts on ingest), one user per
 * role, and helpers to log in and send requests. Used by the API and browser tests.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { inject } from 'vitest';
import {
  type FakePlatform,
  FakePlatformAdapter,
  startFakePlatform,
} from '../../test/support/fake-platform.ts';
import { captureLog, testConfig } from '../../test/support/pipeline.ts';
import { Runtime } from '../app/runtime.ts';
import type { InboundEvent, InboundEventInput } from '../core/model.ts';
import { Composer } from '../router/composer.ts';
import type { RouterContext } from '../router/context.ts';
import type { IngestEnrichment } from '../store/conversations.ts';
import { ScamRegistry, secretEntities, shield, TrustScanner, VerificationCodes } from '../trust/index.ts';
import type { LoginLimits } from './auth/rate-limit.ts';
import type { Role } from './auth/users.ts';
import { buildInbox, type InboxServer } from './server.ts';
import { trustDesk } from './trust-desk.ts';

export const PASSWORD = 'correct horse battery';

export interface Session {
  cookie: string;
  csrf: string;
  userId: string;
}

export interface InboxFixture {
  runtime: Runtime;
  platform: FakePlatform;
  adapter: FakePlatformAdapter;
  server: InboxServer;
  app: FastifyInstance;
  registry: ScamRegistry;
  userIds: Record<Role, string>;
  sessions: Record<Role, Session>;
  login(username: string, password?: string): Promise<Session>;
  request(session: Session | undefined, options: InjectOptions): Promise<LightMyRequestResponse>;
  /** Sends a message "from the platform" through the channel's sink; returns the conversation id. */
  ingest(
    text: string,
    options?: { userId?: string; displayName?: string; handle?: string; thread?: string },
  ): Promise<string>;
  close(): Promise<void>;
}

export async function inboxFixture(
  options: { listen?: boolean; loginLimits?: LoginLimits; publicUrl?: string } = {},
): Promise<InboxFixture> {
  const prefix = `t-inbox-${randomUUID().slice(0, 8)}`;
  const platform = await startFakePlatform();
  const adapter = new FakePlatformAdapter(platform.url);
  const { logger } = captureLog();
  const config = testConfig(prefix);
  let scanner: TrustScanner | undefined;
  const runtime = new Runtime({
    config,
    redisUrl: inject('redisUrl'),
    roles: ['router', 'adapter:fake'],
    adapters: [adapter],
    // The bot stays silent, so every message a test sees came from the test.
    middleware: new Composer<RouterContext>().middleware(),
    logger,
    blockMs: 50,
    enrich: (event: InboundEvent): IngestEnrichment => {
      if (event.type !== 'message' || !scanner) return {};
      const shielded = shield(event.text);
      return {
        text: shielded.text,
        redactions: shielded.redactions,
        entities: [
          ...secretEntities(shielded.redactions),
          ...scanner.scan(shielded.text, {
            channel: event.channel,
            sender: {
              channel: event.sender.channel,
              userId: event.sender.userId,
              ...(event.sender.handle ? { handle: event.sender.handle } : {}),
              ...(event.sender.displayName ? { displayName: event.sender.displayName } : {}),
            },
          }),
        ],
      };
    },
  });
  const registry = new ScamRegistry({ redis: runtime.redis, prefix: `${prefix}:trust:`, pollMs: 100 });
  await registry.start();
  scanner = new TrustScanner(config.official, registry.index);
  await runtime.start();
  const server = await buildInbox({
    redis: runtime.redis,
    store: runtime.store,
    live: runtime.live,
    metrics: runtime.metrics,
    health: () => runtime.health(),
    config: { host: '127.0.0.1', port: 0, ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}) },
    logger,
    trust: trustDesk(registry, scanner),
    codes: new VerificationCodes({ secret: 'test-secret-of-32-bytes-at-least!' }),
    liveBlockMs: 200,
    ...(options.loginLimits ? { loginLimits: options.loginLimits } : {}),
  });
  const { app, inbox } = server;
  if (options.listen) await app.listen({ host: '127.0.0.1', port: 0 });
  else await app.ready();

  const create = async (role: Role) =>
    (await inbox.users.create({ username: role, name: `${role} one`, role, password: PASSWORD })).id;
  const userIds: Record<Role, string> = {
    agent: await create('agent'),
    moderator: await create('moderator'),
    admin: await create('admin'),
  };

  async function login(username: string, password = PASSWORD): Promise<Session> {
    const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
    if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
    const cookie = String(res.headers['set-cookie']).split(';')[0] ?? '';
    const body = res.json<{ csrfToken: string; user: { id: string } }>();
    return { cookie, csrf: body.csrfToken, userId: body.user.id };
  }

  const sessions = {
    agent: await login('agent'),
    moderator: await login('moderator'),
    admin: await login('admin'),
  };

  let counter = 0;
  return {
    runtime,
    platform,
    adapter,
    server,
    app,
    registry,
    userIds,
    sessions,
    login,
    request: (session, opts) =>
      app.inject({
        ...opts,
        headers: {
          ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrf } : {}),
          ...(opts.headers ?? {}),
        },
      }),
    async ingest(text, o = {}) {
      counter++;
      const userId = o.userId ?? 'u1';
      const event: InboundEventInput = {
        type: 'message',
        channel: 'fake',
        eventId: `e-${randomUUID()}`,
        thread: { key: o.thread ?? `chat-${userId}`, kind: 'private' },
        sender: {
          channel: 'fake',
          userId,
          ...(o.displayName ? { displayName: o.displayName } : { displayName: `User ${userId}` }),
          ...(o.handle ? { handle: o.handle } : {}),
        },
        at: Date.now(),
        platformMessageId: `p-${counter}-${randomUUID().slice(0, 6)}`,
        text,
        attachments: [],
      };
      const sink = adapter.sink;
      if (!sink) throw new Error('the fake adapter is not started');
      const outcome = await sink.ingest(event);
      if (!outcome.conversationId) throw new Error(`ingest failed: ${JSON.stringify(outcome)}`);
      return outcome.conversationId;
    },
    async close() {
      await app.close();
      await registry.stop();
      await runtime.stop();
      await platform.close();
    },
  };
}
