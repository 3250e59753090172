/**
 * Telegram's flood limits as sliding windows. A send that would exceed one is a
 * *violation*: counted (so tests and benchmarks can assert there were none) and, when
 * enforcing, refused with the `retry_after` Telegram would give.
 */
import type { EmulatorLimits, LimitKind, RateLimitRule } from './types.ts';

export const TELEGRAM_LIMITS: EmulatorLimits = {
  perSecond: 30,
  perChat: { count: 1, windowMs: 1000 },
  perGroup: { count: 20, windowMs: 60_000 },
  toleranceMs: 25,
};

export interface LimitVerdict {
  kind: LimitKind;
  retryAfterSeconds: number;
}

class SlidingWindow {
  private readonly stamps: number[] = [];

  constructor(private readonly rule: RateLimitRule) {}

  /** Milliseconds until a send at `now` fits, 0 when it fits already. */
  waitFor(now: number, toleranceMs: number): number {
    const horizon = now - this.rule.windowMs + toleranceMs;
    while (this.stamps.length > 0 && (this.stamps[0] ?? 0) <= horizon) this.stamps.shift();
    if (this.stamps.length < this.rule.count) return 0;
    const oldest = this.stamps[this.stamps.length - this.rule.count] ?? now;
    return Math.max(1, oldest - horizon);
  }

  record(now: number): void {
    this.stamps.push(now);
  }

  idle(now: number): boolean {
    const last = this.stamps[this.stamps.length - 1];
    return last === undefined || last <= now - this.rule.windowMs;
  }
}

export class FloodControl {
  private bot: SlidingWindow;
  private readonly chats = new Map<number, SlidingWindow>();
  private readonly groups = new Map<number, SlidingWindow>();
  private readonly counts: Record<LimitKind, number> = { bot: 0, chat: 0, group: 0 };
  private sweepAt = 0;

  constructor(
    private limits: EmulatorLimits | false,
    private enforce: boolean,
  ) {
    this.bot = new SlidingWindow({ count: limits ? limits.perSecond : 1, windowMs: 1000 });
  }

  configure(limits: EmulatorLimits | false, enforce: boolean): void {
    this.limits = limits;
    this.enforce = enforce;
    this.bot = new SlidingWindow({ count: limits ? limits.perSecond : 1, windowMs: 1000 });
    this.chats.clear();
    this.groups.clear();
  }

  get violations(): Readonly<Record<LimitKind, number>> {
    return { ...this.counts };
  }

  /**
   * Checks one message send to `chatId` at `now`. Returns the refusal when it must be
   * refused; otherwise records the send. Violations are counted even when not enforced.
   */
  admit(chatId: number, now: number): LimitVerdict | undefined {
    const limits = this.limits;
    if (!limits) return undefined;
    this.sweep(now);
    const windows: [LimitKind, SlidingWindow][] = [
      ['bot', this.bot],
      ['chat', this.window(this.chats, chatId, limits.perChat)],
    ];
    if (chatId < 0 && limits.perGroup) {
      windows.push(['group', this.window(this.groups, chatId, limits.perGroup)]);
    }
    let refusal: LimitVerdict | undefined;
    for (const [kind, window] of windows) {
      const wait = window.waitFor(now, limits.toleranceMs);
      if (wait > 0 && (refusal === undefined || wait / 1000 > refusal.retryAfterSeconds)) {
        refusal = { kind, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
      }
    }
    if (refusal) {
      this.counts[refusal.kind] += 1;
      if (this.enforce) return refusal;
    }
    for (const [, window] of windows) window.record(now);
    return undefined;
  }

  private window(map: Map<number, SlidingWindow>, id: number, rule: RateLimitRule): SlidingWindow {
    let window = map.get(id);
    if (!window) {
      window = new SlidingWindow(rule);
      map.set(id, window);
    }
    return window;
  }

  /** Forgets idle chats so a long benchmark over many chats does not grow without bound. */
  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + 60_000;
    for (const map of [this.chats, this.groups]) {
      for (const [id, window] of map) if (window.idle(now)) map.delete(id);
    }
  }
}
