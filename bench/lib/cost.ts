/**
 * What a bench run cost, independent of how busy the machine was: CPU of this process and
 * of redis-server, and Redis commands by kind, between a snapshot and now.
 */
import type { Redis } from 'ioredis';

export interface Cost {
  /** CPU milliseconds of this process. */
  nodeCpuMs: number;
  /** CPU milliseconds of redis-server (user + system). */
  redisCpuMs: number;
  /** Commands redis-server executed, by name. */
  commands: Map<string, number>;
}

/** Calls per command since the server started (INFO commandstats). */
async function commandStats(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (match[1] && match[2]) calls.set(match[1], Number(match[2]));
  }
  return calls;
}

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000;
}

/** CPU milliseconds of this process since `start` (a `process.cpuUsage()` snapshot). */
export function processCpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** Starts measuring; the returned function gives the cost since. */
export async function measureCost(redis: Redis): Promise<() => Promise<Cost>> {
  const commandsBefore = await commandStats(redis);
  const redisBefore = await redisCpuMs(redis);
  const cpu = process.cpuUsage();
  return async () => {
    const nodeCpuMs = processCpuMs(cpu);
    const redisCpu = (await redisCpuMs(redis)) - redisBefore;
    const commands = new Map<string, number>();
    for (const [name, calls] of await commandStats(redis)) {
      const delta = calls - (commandsBefore.get(name) ?? 0);
      if (delta > 0) commands.set(name, delta);
    }
    return { nodeCpuMs, redisCpuMs: redisCpu, commands };
  };
}

/** Commands per message: the total and the most frequent kinds. */
export function commandsPerMessage(commands: Map<string, number>, messages: number, top = 5) {
  const per = [...commands].map(([name, n]) => [name, n / messages] as const).sort((a, b) => b[1] - a[1]);
  return {
    total: per.reduce((sum, [, n]) => sum + n, 0),
    top: per
      .slice(0, top)
      .map(([name, n]) => `${name} ${n.toFixed(1)}`)
      .join(', '),
  };
}
