/**
 * The inbox server: the HTTP API under /api, live events, the web page, health and metrics.
 * `buildInbox` makes the fastify instance (tests drive it with `inject()`); `startInbox`
 * also listens, and is what the runtime's `inbox` role calls.
 */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { ConversationGone } from '../agents/actions.ts';
import { withBindings } from '../ops/logger.ts';
import { StoreError } from '../store/conversations.ts';
import { AuditLog } from './audit.ts';
import { installGuard } from './auth/guard.ts';
import { LoginLimiter } from './auth/rate-limit.ts';
import { SessionStore } from './auth/sessions.ts';
import { UserStore } from './auth/users.ts';
import { Contacts } from './contacts.ts';
import type { Inbox, InboxDeps } from './context.ts';
import { HttpError } from './errors.ts';
import { InboxKeys } from './keys.ts';
import { Library } from './library.ts';
import { LiveHub } from './live-hub.ts';
import { openApiDocument } from './openapi.ts';
import { buildPage, SECURITY_HEADERS } from './page.ts';
import { Routes } from './route.ts';
import { actionRoutes } from './routes/actions.ts';
import { adminRoutes } from './routes/admin.ts';
import { authRoutes } from './routes/auth.ts';
import { contactRoutes } from './routes/contacts.ts';
import { conversationRoutes } from './routes/conversations.ts';
import { eventRoutes } from './routes/events.ts';
import { libraryRoutes } from './routes/library.ts';
import { trustRoutes } from './routes/trust.ts';

const STORE_STATUS: Record<string, number> = {
  CONVERSATION_NOT_FOUND: 404,
  INVALID_CURSOR: 400,
  INVALID_TAG: 400,
};

export interface InboxServer {
  app: FastifyInstance;
  inbox: Inbox;
  close(): Promise<void>;
}

export async function buildInbox(deps: InboxDeps): Promise<InboxServer> {
  const keys = new InboxKeys(deps.store.keys.namespace('inbox'));
  const users = new UserStore(deps.redis, keys);
  const inbox: Inbox = {
    deps,
    desk: { store: deps.store, live: deps.live },
    users,
    sessions: new SessionStore(deps.redis, keys, deps.sessionTtlSeconds),
    limiter: new LoginLimiter(deps.redis, keys, deps.loginLimits),
    audit: new AuditLog(deps.redis, keys),
    library: new Library(deps.redis, keys),
    contacts: new Contacts(deps.redis, keys, deps.store),
    hub: new LiveHub(deps.redis, deps.store.keys.liveStream(), deps.logger, deps.liveBlockMs),
    routes: new Routes(),
    secureCookies: deps.config.publicUrl?.startsWith('https:') ?? false,
  };
  const page = await buildPage();
  const logger: FastifyBaseLogger = withBindings(deps.logger, { role: 'inbox' });
  const app = Fastify({
    loggerInstance: logger,
    // Behind a proxy, the operator sets publicUrl; only then are forwarded addresses trusted.
    trustProxy: deps.config.publicUrl !== undefined,
    bodyLimit: 256 * 1024,
  });

  app.setErrorHandler((error: FastifyError | HttpError | Error, request, reply) => {
    if (error instanceof HttpError)
      return reply.code(error.statusCode).send({ error: error.code, message: error.message });
    if (error instanceof ConversationGone)
      return reply.code(404).send({ error: error.code, message: error.message });
    if (error instanceof StoreError && STORE_STATUS[error.code])
      return reply.code(STORE_STATUS[error.code] ?? 400).send({ error: error.code, message: error.message });
    const status = 'statusCode' in error && typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status < 500) return reply.code(status).send({ error: 'BAD_REQUEST', message: error.message });
    request.log.error({ err: error, url: request.routeOptions.url }, 'inbox request failed');
    return reply.code(500).send({ error: 'INTERNAL', message: 'something went wrong; it was logged' });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ error: 'NOT_FOUND', message: 'no such route' }),
  );
  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    if (request.url.startsWith('/api/')) reply.header('cache-control', 'no-store');
    return payload;
  });

  installGuard(app, { users, sessions: inbox.sessions, audit: inbox.audit });
  const openStreams = new Set<() => void>();
  await app.register(
    async (api) => {
      await api.register(authRoutes(inbox), { prefix: '/auth' });
      await api.register(conversationRoutes(inbox));
      await api.register(actionRoutes(inbox));
      await api.register(libraryRoutes(inbox));
      await api.register(contactRoutes(inbox));
      await api.register(trustRoutes(inbox));
      await api.register(adminRoutes(inbox));
      await api.register(eventRoutes(inbox, openStreams));
      api.get('/docs', { config: { access: 'public' } }, async () =>
        openApiDocument(inbox.routes.documented, 'Verity inbox API'),
      );
    },
    { prefix: '/api' },
  );

  app.get('/healthz', { config: { access: 'public' } }, async () => ({ ok: true }));
  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    const health = deps.health();
    const ready = deps.redis.status === 'ready';
    return reply.code(ready ? 200 : 503).send({ ready, redis: health.redis, channelsOk: health.ok });
  });
  app.get('/metrics', { config: { access: 'public' } }, async (_request, reply) =>
    reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
  );
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page.html));
  app.get('/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(page.js));
  app.get('/style.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(page.css));

  app.addHook('onReady', async () => inbox.hub.start());
  app.addHook('preClose', async () => {
    for (const close of [...openStreams]) close();
    await inbox.hub.stop();
  });
  return { app, inbox, close: () => app.close() };
}

/** Builds the inbox and listens on `config.inbox` (host, port); `url` is where it listens. */
export async function startInbox(
  deps: InboxDeps,
): Promise<{ url: string; app: FastifyInstance; close(): Promise<void> }> {
  const server = await buildInbox(deps);
  const address = await server.app.listen({ host: deps.config.host, port: deps.config.port });
  deps.logger.info({ address }, 'inbox listening');
  return { url: address, app: server.app, close: server.close };
}
