/**
 * Login sessions in Redis. The cookie holds a random 256-bit token; Redis holds only its
 * SHA-256, with the user id and the CSRF token, and expires it after `ttlSeconds` of
 * inactivity (sliding). Ending a user's sessions (password or role change, disable) removes
 * every one of them.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { InboxKeys } from '../keys.ts';

const SessionRecord = z.object({ userId: z.string(), csrf: z.string(), createdAt: z.number() });
export type SessionRecord = z.infer<typeof SessionRecord>;

export interface Session extends SessionRecord {
  tokenHash: string;
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class SessionStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: InboxKeys,
    private readonly ttlSeconds = 12 * 3600,
  ) {}

  async create(userId: string): Promise<{ token: string; csrf: string }> {
    const token = randomBytes(32).toString('base64url');
    const csrf = randomBytes(32).toString('base64url');
    const tokenHash = hashToken(token);
    const record: SessionRecord = { userId, csrf, createdAt: Date.now() };
    await this.redis
      .multi()
      .set(this.keys.session(tokenHash), JSON.stringify(record), 'EX', this.ttlSeconds)
      .sadd(this.keys.userSessions(userId), tokenHash)
      .expire(this.keys.userSessions(userId), this.ttlSeconds)
      .exec();
    return { token, csrf };
  }

  /** The session of a cookie token, refreshed; undefined when unknown or expired. */
  async get(token: string): Promise<Session | undefined> {
    const tokenHash = hashToken(token);
    const key = this.keys.session(tokenHash);
    const [[, raw] = [], [, alive] = []] =
      (await this.redis.multi().get(key).expire(key, this.ttlSeconds).exec()) ?? [];
    if (typeof raw !== 'string' || alive !== 1) return undefined;
    try {
      const parsed = SessionRecord.safeParse(JSON.parse(raw));
      return parsed.success ? { ...parsed.data, tokenHash } : undefined;
    } catch {
      return undefined;
    }
  }

  async end(session: Session): Promise<void> {
    await this.redis
      .multi()
      .del(this.keys.session(session.tokenHash))
      .srem(this.keys.userSessions(session.userId), session.tokenHash)
      .exec();
  }

  async endAll(userId: string): Promise<void> {
    const hashes = await this.redis.smembers(this.keys.userSessions(userId));
    const tx = this.redis.multi().del(this.keys.userSessions(userId));
    for (const h of hashes) tx.del(this.keys.session(h));
    await tx.exec();
  }
}
