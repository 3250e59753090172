/**
 * A private three-master Redis Cluster for the tests that prove the key schema and the
 * bus work across slots: real redis-server processes in cluster mode, slots assigned and
 * nodes joined with CLUSTER commands (no redis-cli needed), no replicas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort, type LocalRedis, startLocalRedis } from '../../src/store/local-redis.ts';

const SLOTS = 16_384;

export interface LocalCluster {
  /** Seed nodes, `host:port`, as `redis.cluster.nodes` takes them. */
  nodes: string[];
  stop(): Promise<void>;
}

export async function startLocalCluster(masters = 3): Promise<LocalCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'verity-cluster-'));
  const servers: Array<{ server: LocalRedis; busPort: number }> = [];
  const clients: Redis[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      // The bus port is chosen too: the default (port + 10000) may be taken or out of range.
      const busPort = await freePort();
      const server = await startLocalRedis({
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${i}.conf`),
          '--cluster-port',
          String(busPort),
        ],
      });
      servers.push({ server, busPort });
      clients.push(new Redis(server.port, '127.0.0.1', { lazyConnect: false }));
    }
    const per = Math.ceil(SLOTS / masters);
    for (const [i, client] of clients.entries()) {
      await client.call('CLUSTER', 'ADDSLOTSRANGE', i * per, Math.min(SLOTS, (i + 1) * per) - 1);
    }
    const [first, ...others] = clients;
    for (const [i] of others.entries()) {
      const node = servers[i + 1]!;
      await first!.call('CLUSTER', 'MEET', '127.0.0.1', node.server.port, node.busPort);
    }
    const deadline = Date.now() + 20_000;
    for (const client of clients) {
      while (!String(await client.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error('the local Redis Cluster did not reach cluster_state:ok');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (error) {
    await Promise.all(servers.map(({ server }) => server.stop()));
    throw error;
  } finally {
    for (const client of clients) client.disconnect();
  }
  return {
    nodes: servers.map(({ server }) => `127.0.0.1:${server.port}`),
    async stop() {
      await Promise.all(servers.map(({ server }) => server.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
