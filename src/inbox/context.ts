/**
 * What the inbox needs from the rest of Verity (a Runtime provides all of it), and the
 * services it builds on top, shared by its route plugins.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Desk } from '../agents/actions.ts';
import type { AdapterHealth } from '../core/channel.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { ConversationStore } from '../store/conversations.ts';
import type { AuditLog } from './audit.ts';
import type { LoginLimiter, LoginLimits } from './auth/rate-limit.ts';
import type { SessionStore } from './auth/sessions.ts';
import type { UserStore } from './auth/users.ts';
import type { Contacts } from './contacts.ts';
import type { Library } from './library.ts';
import type { LiveHub } from './live-hub.ts';
import type { Routes } from './route.ts';
import type { TrustDesk } from './trust-desk.ts';

export interface RuntimeHealth {
  ok: boolean;
  redis: string;
  channels: Record<string, AdapterHealth>;
}

export interface InboxConfig {
  host: string;
  port: number;
  publicUrl?: string | undefined;
}

export interface InboxDeps {
  redis: Redis;
  store: ConversationStore;
  live: Desk['live'];
  metrics: Metrics;
  health: () => RuntimeHealth;
  config: InboxConfig;
  logger: Logger;
  /** The moderators' registry and the scanner behind "check this entity"; without it those routes answer 503. */
  trust?: TrustDesk;
  /** Issues the verification code an agent can put in a reply (src/trust VerificationCodes or CodeLedger). */
  codes?: { issue(who: { channel: string; userId: string }): { code: string } | Promise<{ code: string }> };
  /** How a new ticket number is written (the support section's prefix); default `T-000042`. */
  ticketFormat?: (n: number) => string;
  loginLimits?: LoginLimits;
  sessionTtlSeconds?: number;
  /** How long one blocking read of the live stream waits (shorter in tests). */
  liveBlockMs?: number;
}

export interface Inbox {
  deps: InboxDeps;
  desk: Desk;
  users: UserStore;
  sessions: SessionStore;
  limiter: LoginLimiter;
  audit: AuditLog;
  library: Library;
  contacts: Contacts;
  hub: LiveHub;
  routes: Routes;
  secureCookies: boolean;
}
