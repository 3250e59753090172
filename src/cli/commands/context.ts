/**
 * What one-shot commands (dlq, store, trust …) need: the config and a Redis connection.
 * They never start a private Redis: they act on the deployment's, so REDIS_URL (or
 * redis.url) must point at it; for the sandbox, `.verity/redis.url` names the one
 * `verity start` launched.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { SANDBOX_REDIS_URL_FILE } from '../../app/local-redis-service.ts';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../config/load.ts';
import type { VerityConfig } from '../../config/schema.ts';
import { ConversationStore } from '../../store/conversations.ts';
import { connectRedis } from '../../store/redis.ts';

export interface CommandContext {
  config: VerityConfig;
  redis: Redis;
  store: ConversationStore;
  close(): void;
}

export function commandContext(
  configFile = process.env.VERITY_CONFIG ?? DEFAULT_CONFIG_PATH,
): CommandContext {
  const { config } = loadConfig(configFile);
  const url =
    config.redis.url ??
    (existsSync(SANDBOX_REDIS_URL_FILE) ? readFileSync(SANDBOX_REDIS_URL_FILE, 'utf8').trim() : undefined);
  if (!url) {
    throw new Error(
      'no Redis to act on: set REDIS_URL (or redis.url), or run `verity start` for the sandbox first',
    );
  }
  const redis = connectRedis({ ...config.redis, url }, 'verity-cli');
  const store = new ConversationStore(redis, {
    prefix: config.redis.keyPrefix,
    shards: config.redis.shards,
    dedupeSeconds: Math.round(config.store.retention.dedupeHours * 3600),
    streamMaxLen: config.bus.maxLen,
  });
  return { config, redis, store, close: () => redis.disconnect() };
}
