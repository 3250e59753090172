/**
 * /healthz (the process is alive), /readyz (it can do its work: Redis reachable, every
 * channel it runs started) and /metrics (Prometheus). Mounted by the inbox server, or by a
 * small server of their own in processes that do not run the inbox.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';

export interface HealthSource {
  health(): { ok: boolean; redis: string; channels: Record<string, { ok: boolean; detail: string }> };
}

export function opsRoutes(source: HealthSource, registry: Registry): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', async () => ({ ok: true }));
    app.get('/readyz', async (_req, reply) => {
      const health = source.health();
      return reply.code(health.ok ? 200 : 503).send(health);
    });
    app.get('/metrics', async (_req, reply) =>
      reply.header('content-type', registry.contentType).send(await registry.metrics()),
    );
  };
}

export async function startOpsServer(
  source: HealthSource,
  registry: Registry,
  options: { host: string; port: number },
): Promise<FastifyInstance> {
  const app = Fastify({ logger: false });
  await app.register(opsRoutes(source, registry));
  await app.listen({ host: options.host, port: options.port });
  return app;
}
