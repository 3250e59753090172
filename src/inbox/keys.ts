/**
 * The inbox's own Redis keys, all under `keys.namespace('inbox')` so they never collide
 * with the conversation store's. One builder, so the key schema reads in one place.
 */
export class InboxKeys {
  constructor(readonly base: string) {}

  /** hash id → user JSON */
  users(): string {
    return `${this.base}users`;
  }
  /** hash lower-case username → id */
  usernames(): string {
    return `${this.base}usernames`;
  }
  /** string: session JSON, keyed by the SHA-256 of the cookie token (a leaked dump holds no usable token) */
  session(tokenHash: string): string {
    return `${this.base}session:${tokenHash}`;
  }
  /** set of a user's session token hashes, so a password or role change ends them all */
  userSessions(userId: string): string {
    return `${this.base}user-sessions:${userId}`;
  }
  /** counter of login attempts in the current window */
  loginAttempts(scope: 'ip' | 'user', subject: string): string {
    return `${this.base}login:${scope}:${subject}`;
  }
  /** hash id → canned response JSON */
  canned(): string {
    return `${this.base}canned`;
  }
  /** hash id → macro JSON */
  macros(): string {
    return `${this.base}macros`;
  }
  /** stream of moderator and admin actions */
  audit(): string {
    return `${this.base}audit`;
  }
  /** hash member contact → contact it was merged into */
  contactMerges(): string {
    return `${this.base}contact-merges`;
  }
}
