/**
 * `verity start`: everything this process was asked to run, until SIGTERM/SIGINT, which
 * drain it (stop taking work, finish and acknowledge what is in flight) and exit 0.
 */
import { z } from 'zod';
import { type ChannelSetup, createChannel } from '../../app/channels.ts';
import { startSandboxRedis } from '../../app/local-redis-service.ts';
import { channelRoles, type Role, RoleName, Runtime } from '../../app/runtime.ts';
import { createServices } from '../../app/services.ts';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load.ts';
import { startInbox, trustDesk } from '../../inbox/index.ts';
import { startOpsServer } from '../../ops/http.ts';
import { createLogger } from '../../ops/logger.ts';
import { RedisServerMissingError } from '../../store/local-redis.ts';
import { parse } from '../args.ts';

const DRAIN_TIMEOUT_MS = 30_000;

const Args = z.object({
  positionals: z.tuple([]),
  config: z.string().default(process.env.VERITY_CONFIG ?? DEFAULT_CONFIG_PATH),
  roles: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean),
    )
    .pipe(z.array(RoleName).min(1))
    .optional(),
});

export async function start(argv: string[]): Promise<number> {
  const args = parse(argv, { config: { type: 'string' }, roles: { type: 'string' } }, Args);
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(args.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
  const { config, env } = loaded;
  const logger = createLogger(config.log.level);
  const cleanups: Array<() => Promise<unknown>> = [];

  let redisUrl = config.redis.url;
  // A Cluster or Sentinel names its own servers; only a deployment with none gets a private one.
  if (!redisUrl && !config.redis.cluster && !config.redis.sentinel) {
    if (!config.redis.autostart) {
      logger.fatal('no Redis: set REDIS_URL (or redis.url), or enable redis.autostart');
      return 1;
    }
    try {
      const local = await startSandboxRedis();
      cleanups.push(() => local.stop());
      redisUrl = local.url;
      logger.info(
        { url: local.url, data: '.verity/redis' },
        'started a private redis-server (no REDIS_URL given)',
      );
    } catch (error) {
      if (error instanceof RedisServerMissingError) {
        logger.fatal(error.message);
        return 1;
      }
      throw error;
    }
  }

  const enabled = Object.entries(config.channels)
    .filter(([, c]) => c.enabled)
    .map(([name]) => name);
  const roles: Role[] = args.roles ?? ['router', 'inbox', ...enabled.map((c) => `adapter:${c}` as const)];
  const setups: ChannelSetup[] = [];
  for (const name of enabled) {
    const parts = channelRoles(roles, name);
    if (!parts.receive && !parts.deliver) continue;
    try {
      const setup = await createChannel(name, {
        section: config.channels[name],
        env,
        logger: logger.child({ channel: name }),
        organization: config.organization.name,
      });
      setups.push(setup);
      cleanups.unshift(() => setup.close());
      if (setup.sandbox)
        logger.info(
          { channel: name, control: setup.sandbox },
          'sandbox: no token set, running against the local emulator',
        );
    } catch (error) {
      logger.error({ err: error, channel: name }, 'channel could not be set up; the others keep running');
    }
  }

  // Unused when a Cluster or Sentinel is configured: those name their servers themselves.
  const target = redisUrl ?? '';
  const services = await createServices({ config, env, redisUrl: target, logger });
  const runtime = new Runtime({
    config,
    redisUrl: target,
    roles,
    adapters: setups.map((s) => s.adapter),
    middleware: services.middleware,
    enrich: services.enrich,
    logger,
  });
  await runtime.start();
  if (roles.includes('router')) await services.startBackground(runtime.consumer);
  for (const setup of setups) setup.afterStart?.();
  const servers: Array<() => Promise<unknown>> = [];
  // The inbox serves /healthz, /readyz and /metrics beside the API; a process without it serves just those.
  if (roles.includes('inbox')) {
    const inbox = await startInbox({
      redis: runtime.redis,
      store: runtime.store,
      live: runtime.live,
      metrics: runtime.metrics,
      health: () => runtime.health(),
      config: config.inbox,
      logger: logger.child({ role: 'inbox' }),
      trust: trustDesk(services.registry, services.scanner),
      codes: services.ledger,
      ticketFormat: services.ticketFormat,
    });
    servers.push(() => inbox.close());
    logger.info(
      { url: inbox.url },
      'inbox ready; create the first admin with `verity users add NAME --role admin`',
    );
  } else {
    const ops = await startOpsServer(runtime, runtime.metrics.registry, {
      host: config.inbox.host,
      port: config.inbox.port,
    });
    servers.push(() => ops.close());
    logger.info(
      { url: `http://${config.inbox.host}:${config.inbox.port}` },
      'health and metrics at /healthz, /readyz, /metrics',
    );
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'draining');
      // Work in flight that cannot be acknowledged (Redis gone) is not lost: it stays
      // pending and another process takes it over. So a drain may give up after a while.
      const deadline = setTimeout(() => {
        logger.error(
          { afterMs: DRAIN_TIMEOUT_MS },
          'drain did not finish in time; exiting with work left pending',
        );
        resolve(1);
      }, DRAIN_TIMEOUT_MS);
      for (const close of servers)
        await close().catch((err: unknown) => logger.warn({ err }, 'server close failed'));
      await runtime.stop();
      await services.stop();
      for (const cleanup of cleanups)
        await cleanup().catch((err: unknown) => logger.warn({ err }, 'cleanup failed'));
      clearTimeout(deadline);
      resolve(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
