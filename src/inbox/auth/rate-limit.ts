/**
 * Login throttling in Redis, shared by every inbox process: fixed windows counted per
 * client address (every attempt) and per username (failures only, so a victim's account
 * is not locked by someone else's successful logins, and guessing one account from many
 * addresses still stops).
 */
import type { Redis } from 'ioredis';
import type { InboxKeys } from '../keys.ts';

export interface LoginLimits {
  perIp: { max: number; windowSeconds: number };
  perUser: { max: number; windowSeconds: number };
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perIp: { max: 30, windowSeconds: 300 },
  perUser: { max: 8, windowSeconds: 900 },
};

export class LoginLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: InboxKeys,
    private readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  /** Counts this attempt; returns seconds to wait when over a limit, else 0. */
  async attempt(ip: string, username: string): Promise<number> {
    const ipKey = this.keys.loginAttempts('ip', ip);
    const userKey = this.keys.loginAttempts('user', username.toLowerCase());
    const replies =
      (await this.redis
        .multi()
        .incr(ipKey)
        .expire(ipKey, this.limits.perIp.windowSeconds, 'NX')
        .ttl(ipKey)
        .get(userKey)
        .ttl(userKey)
        .exec()) ?? [];
    const ipCount = Number(replies[0]?.[1] ?? 0);
    const userFailures = Number(replies[3]?.[1] ?? 0);
    if (ipCount > this.limits.perIp.max) return Math.max(Number(replies[2]?.[1] ?? 1), 1);
    if (userFailures >= this.limits.perUser.max) return Math.max(Number(replies[4]?.[1] ?? 1), 1);
    return 0;
  }

  async failed(username: string): Promise<void> {
    const key = this.keys.loginAttempts('user', username.toLowerCase());
    await this.redis.multi().incr(key).expire(key, this.limits.perUser.windowSeconds, 'NX').exec();
  }

  async succeeded(username: string): Promise<void> {
    await this.redis.del(this.keys.loginAttempts('user', username.toLowerCase()));
  }
}
