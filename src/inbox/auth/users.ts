/**
 * Inbox accounts in Redis: a username, a display name, one role and a scrypt hash.
 * Roles are ordered (agent < moderator < admin): a moderator also answers conversations,
 * an admin can do everything.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { newId } from '../../store/ids.ts';
import type { InboxKeys } from '../keys.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from './passwords.ts';

export const Role = z.enum(['agent', 'moderator', 'admin']);
export type Role = z.infer<typeof Role>;

const RANK: Record<Role, number> = { agent: 1, moderator: 2, admin: 3 };

export function roleAllows(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

export const Username = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,31}$/, 'a username is 2–32 lower-case letters, digits, . _ or -');
export const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `a password has at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256);

export const StoredUser = z.object({
  id: z.string(),
  username: Username,
  name: z.string().min(1).max(128),
  role: Role,
  passwordHash: z.string(),
  disabled: z.boolean().default(false),
  createdAt: z.number(),
});
export type StoredUser = z.infer<typeof StoredUser>;
/** What leaves the server: never the hash. */
export type PublicUser = Omit<StoredUser, 'passwordHash'>;

export function publicUser(user: StoredUser): PublicUser {
  const { passwordHash: _, ...rest } = user;
  return rest;
}

export class UserError extends Error {
  constructor(
    readonly code: 'USERNAME_TAKEN' | 'USER_NOT_FOUND',
    message: string,
  ) {
    super(message);
  }
}

export class UserStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: InboxKeys,
  ) {}

  async create(input: {
    username: string;
    name?: string;
    role: Role;
    password: string;
  }): Promise<PublicUser> {
    const username = Username.parse(input.username.toLowerCase());
    const user: StoredUser = {
      id: newId(),
      username,
      name: input.name?.trim() || username,
      role: input.role,
      passwordHash: await hashPassword(Password.parse(input.password)),
      disabled: false,
      createdAt: Date.now(),
    };
    // HSETNX on the name index makes two concurrent creations of one username end with one user.
    const claimed = await this.redis.hsetnx(this.keys.usernames(), username, user.id);
    if (!claimed) throw new UserError('USERNAME_TAKEN', `the username ${username} is taken`);
    await this.redis.hset(this.keys.users(), user.id, JSON.stringify(user));
    return publicUser(user);
  }

  async get(id: string): Promise<StoredUser | undefined> {
    const raw = await this.redis.hget(this.keys.users(), id);
    return raw === null ? undefined : parseUser(raw);
  }

  async byUsername(username: string): Promise<StoredUser | undefined> {
    const id = await this.redis.hget(this.keys.usernames(), username.toLowerCase());
    return id === null ? undefined : this.get(id);
  }

  async list(): Promise<PublicUser[]> {
    const all = await this.redis.hvals(this.keys.users());
    return all
      .flatMap((raw) => parseUser(raw) ?? [])
      .map(publicUser)
      .sort((a, b) => a.username.localeCompare(b.username));
  }

  async count(): Promise<number> {
    return this.redis.hlen(this.keys.users());
  }

  /** Changes name, role, password or disabled state; the caller ends the user's sessions where needed. */
  async update(
    id: string,
    changes: { name?: string; role?: Role; password?: string; disabled?: boolean },
  ): Promise<PublicUser> {
    const user = await this.get(id);
    if (!user) throw new UserError('USER_NOT_FOUND', `no user ${id}`);
    const next: StoredUser = {
      ...user,
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.role !== undefined ? { role: changes.role } : {}),
      ...(changes.disabled !== undefined ? { disabled: changes.disabled } : {}),
      ...(changes.password !== undefined
        ? { passwordHash: await hashPassword(Password.parse(changes.password)) }
        : {}),
    };
    await this.redis.hset(this.keys.users(), id, JSON.stringify(next));
    return publicUser(next);
  }
}

function parseUser(raw: string): StoredUser | undefined {
  try {
    const parsed = StoredUser.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
