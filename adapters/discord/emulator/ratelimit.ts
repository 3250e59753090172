/**
 * Discord's REST rate limits as the emulator enforces them: per-route buckets keyed by
 * route and major parameter, and one global per-second limit. A request over a limit is
 * answered 429 with Discord's headers and body and counted as a violation, so tests and
 * benches can assert that a client never overran a limit. Injected faults (429 storms,
 * 500s, malformed bodies) are kept apart: they are not violations.
 */

export interface BucketLimit {
  limit: number;
  windowMs: number;
}

export interface RateLimitOptions {
  /** Messages sent per channel (Discord: 5 per 5 s). */
  messages?: BucketLimit;
  /** Every other bucketed route. */
  other?: BucketLimit;
  /** Requests per second across routes (Discord: 50); 0 turns it off. */
  globalPerSecond?: number;
  /**
   * Slack on the global window: clients count their second from when they send, the
   * emulator from when it receives, so jitter of a few ms must not read as a violation.
   */
  globalSlackMs?: number;
}

export interface LimitVerdict {
  headers: Record<string, string>;
  /** Set when the request is refused: seconds to wait and whether the limit is global. */
  exceeded?: { retryAfter: number; global: boolean };
}

interface Window {
  startedAt: number;
  count: number;
}

export interface Violation {
  route: string;
  global: boolean;
  at: number;
}

export class RateLimiter {
  readonly violations: Violation[] = [];
  readonly #buckets = new Map<string, Window>();
  #global: Window = { startedAt: 0, count: 0 };
  readonly #messages: BucketLimit;
  readonly #other: BucketLimit;
  #globalPerSecond: number;
  readonly #globalSlackMs: number;

  constructor(opts: RateLimitOptions = {}) {
    this.#messages = opts.messages ?? { limit: 5, windowMs: 5000 };
    this.#other = opts.other ?? { limit: 50, windowMs: 1000 };
    this.#globalPerSecond = opts.globalPerSecond ?? 50;
    this.#globalSlackMs = opts.globalSlackMs ?? 100;
  }

  setGlobalPerSecond(perSecond: number): void {
    this.#globalPerSecond = perSecond;
  }

  /**
   * Counts one request. `route` is the bucket's route template, `major` its major
   * parameter; `global` false for routes Discord exempts (interaction callbacks).
   */
  check(route: string, major: string, global: boolean, now = Date.now()): LimitVerdict {
    if (global && this.#globalPerSecond > 0) {
      const windowMs = 1000 - this.#globalSlackMs;
      if (now - this.#global.startedAt >= windowMs) this.#global = { startedAt: now, count: 0 };
      this.#global.count += 1;
      if (this.#global.count > this.#globalPerSecond) {
        const retryAfter = Math.max(0.001, (this.#global.startedAt + 1000 - now) / 1000);
        this.violations.push({ route, global: true, at: now });
        return {
          headers: { 'X-RateLimit-Global': 'true', 'X-RateLimit-Scope': 'global' },
          exceeded: { retryAfter, global: true },
        };
      }
    }
    const limit = route.endsWith('/messages#POST') ? this.#messages : this.#other;
    const key = `${route}:${major}`;
    let window = this.#buckets.get(key);
    if (!window || now - window.startedAt >= limit.windowMs) {
      window = { startedAt: now, count: 0 };
      this.#buckets.set(key, window);
    }
    window.count += 1;
    const resetAt = window.startedAt + limit.windowMs;
    const resetAfter = Math.max(0, (resetAt - now) / 1000);
    const headers = {
      'X-RateLimit-Limit': String(limit.limit),
      'X-RateLimit-Remaining': String(Math.max(0, limit.limit - window.count)),
      'X-RateLimit-Reset': (resetAt / 1000).toFixed(3),
      'X-RateLimit-Reset-After': resetAfter.toFixed(3),
      'X-RateLimit-Bucket': bucketHash(route),
    };
    if (window.count > limit.limit) {
      this.violations.push({ route: key, global: false, at: now });
      return {
        headers: { ...headers, 'X-RateLimit-Scope': 'user' },
        exceeded: { retryAfter: resetAfter, global: false },
      };
    }
    this.#sweep(now);
    return { headers };
  }

  /** Idle windows are dropped so a long run with many channels keeps a small map. */
  #sweep(now: number): void {
    if (this.#buckets.size < 10_000) return;
    for (const [key, window] of this.#buckets) {
      if (now - window.startedAt > 60_000) this.#buckets.delete(key);
    }
  }
}

function bucketHash(route: string): string {
  let hash = 0;
  for (const char of route) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** What an injected fault answers instead of the real handler. */
export type Fault =
  | { kind: '429'; retryAfter: number; global?: boolean }
  | { kind: '500' }
  | { kind: 'raw'; status: number; body: string; contentType?: string };

/** Faults to answer, in order, for requests whose path matches. */
export class FaultQueue {
  readonly #queue: { match: RegExp; fault: Fault }[] = [];

  push(fault: Fault, count = 1, match: RegExp = /.*/): void {
    for (let i = 0; i < count; i += 1) this.#queue.push({ match, fault });
  }

  take(path: string): Fault | undefined {
    const index = this.#queue.findIndex((entry) => entry.match.test(path));
    if (index < 0) return undefined;
    return this.#queue.splice(index, 1)[0]?.fault;
  }

  clear(): void {
    this.#queue.length = 0;
  }
}
