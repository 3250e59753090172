/**
 * The emulated Official Account's state and WeChat's rules over it: access tokens (7200 s;
 * a new one retires the previous after a grace period), followers, the 48-hour customer
 * service window and the per-interaction send quotas, and what the account sent. Time is
 * a virtual clock (real time plus an offset) so tests can jump past 48 hours.
 */
import { randomBytes } from 'node:crypto';

export const ERR = {
  invalidCredential: { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' },
  invalidOpenId: { errcode: 40003, errmsg: 'invalid openid' },
  invalidAppId: { errcode: 40013, errmsg: 'invalid appid' },
  invalidSecret: { errcode: 40125, errmsg: 'invalid appsecret' },
  ipNotWhitelisted: { errcode: 40164, errmsg: 'invalid ip, not in whitelist' },
  tokenExpired: { errcode: 42001, errmsg: 'access_token expired' },
  windowClosed: { errcode: 45015, errmsg: 'response out of time limit or subscription is canceled' },
  quotaExhausted: { errcode: 45047, errmsg: 'out of response count limit' },
  contentTooLong: { errcode: 45002, errmsg: 'content size out of limit' },
  invalidMessageType: { errcode: 40008, errmsg: 'invalid message type' },
  invalidMediaId: { errcode: 40007, errmsg: 'invalid media_id' },
} as const;
export type PlatformError = (typeof ERR)[keyof typeof ERR];

export const TOKEN_LIFETIME_S = 7200;
export const WINDOW_MS = 48 * 3600_000;
/** Sends allowed per user message (within 48 h) and per click/follow/scan (within 1 min). */
export const QUOTA = { message: { count: 5, ms: WINDOW_MS }, action: { count: 3, ms: 60_000 } } as const;

export type Interaction = 'message' | 'click' | 'follow' | 'scan';

interface Grant {
  kind: Interaction;
  expiresAt: number;
  remaining: number;
}

export interface EmulatedUser {
  openid: string;
  nickname: string;
  subscribed: boolean;
  followedAt?: number;
  grants: Grant[];
}

export interface SentMessage {
  openid: string;
  msgtype: string;
  /** The text for `text` messages; the JSON of the typed part otherwise. */
  content: string;
  body: Record<string, unknown>;
  at: number;
}

export class EmulatedAccount {
  private offsetMs = 0;
  private readonly tokens = new Map<string, { expiresAt: number; retiresAt?: number }>();
  readonly users = new Map<string, EmulatedUser>();
  readonly sent: SentMessage[] = [];
  readonly media = new Map<string, { type: string; size: number }>();
  ipWhitelisted = true;
  tokensIssued = 0;

  constructor(
    readonly appId: string,
    readonly appSecret: string,
    private readonly tokenGraceMs: number,
  ) {}

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  issueToken(appId: string, secret: string): PlatformError | { access_token: string; expires_in: number } {
    if (!this.ipWhitelisted) return ERR.ipNotWhitelisted;
    if (appId !== this.appId) return ERR.invalidAppId;
    if (secret !== this.appSecret) return ERR.invalidSecret;
    const now = this.now();
    for (const [value, token] of this.tokens) {
      token.retiresAt = Math.min(token.retiresAt ?? Number.POSITIVE_INFINITY, now + this.tokenGraceMs);
      if (token.retiresAt <= now) this.tokens.delete(value);
    }
    const value = randomBytes(24).toString('base64url');
    this.tokens.set(value, { expiresAt: now + TOKEN_LIFETIME_S * 1000 });
    this.tokensIssued++;
    return { access_token: value, expires_in: TOKEN_LIFETIME_S };
  }

  /** Undefined when the call may proceed. */
  checkToken(value: string | null): PlatformError | undefined {
    if (!this.ipWhitelisted) return ERR.ipNotWhitelisted;
    const token = value === null ? undefined : this.tokens.get(value);
    const now = this.now();
    // A token superseded by a newer one is "not latest" (40001) once its grace is over.
    if (!token || (token.retiresAt !== undefined && token.retiresAt <= now)) return ERR.invalidCredential;
    if (token.expiresAt <= now) return ERR.tokenExpired;
    return undefined;
  }

  /** Every live token stops working at once (as after a secret reset). */
  revokeTokens(): void {
    this.tokens.clear();
  }

  user(openid: string, nickname?: string): EmulatedUser {
    let user = this.users.get(openid);
    if (!user) {
      user = { openid, nickname: nickname ?? `user-${openid.slice(-4)}`, subscribed: false, grants: [] };
      this.users.set(openid, user);
    } else if (nickname !== undefined) {
      user.nickname = nickname;
    }
    return user;
  }

  /** A user action opens (or extends) the right to send them customer-service messages. */
  interact(openid: string, kind: Interaction): void {
    const user = this.user(openid);
    const rule = kind === 'message' ? QUOTA.message : QUOTA.action;
    const now = this.now();
    user.grants = user.grants.filter((g) => g.expiresAt > now);
    user.grants.push({ kind, expiresAt: now + rule.ms, remaining: rule.count });
  }

  /** Applies the window and quota rules, and records the message when it may be sent. */
  deliver(
    openid: string,
    msgtype: string,
    body: Record<string, unknown>,
    content: string,
  ): PlatformError | undefined {
    const user = this.users.get(openid);
    if (!user) return ERR.invalidOpenId;
    if (!user.subscribed) return ERR.windowClosed;
    const now = this.now();
    const open = user.grants.filter((g) => g.expiresAt > now).sort((a, b) => a.expiresAt - b.expiresAt);
    if (open.length === 0) return ERR.windowClosed;
    const grant = open.find((g) => g.remaining > 0);
    if (!grant) return ERR.quotaExhausted;
    grant.remaining--;
    this.sent.push({ openid, msgtype, content, body, at: now });
    return undefined;
  }
}
