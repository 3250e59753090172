/**
 * Keys seen within a time window, oldest dropped first: enough to recognise WeChat's
 * retries (three within ~15 s) while staying bounded under any push rate.
 */
export class RecentKeys {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly maxKeys: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** True if `key` was already seen in the window; otherwise remembers it. */
  checkAndAdd(key: string): boolean {
    const now = this.now();
    this.prune(now);
    if (this.seen.has(key)) return true;
    this.seen.set(key, now);
    return false;
  }

  forget(key: string): void {
    this.seen.delete(key);
  }

  private prune(now: number): void {
    for (const [key, at] of this.seen) {
      if (now - at < this.windowMs && this.seen.size < this.maxKeys) break;
      this.seen.delete(key);
    }
  }
}
