/**
 * Collects what is added during one tick and writes it with one call: under load a
 * message makes several small Redis writes of the same kind (acks, live events), and one
 * command per tick instead of one per item is a measurable share of the pipeline's cost.
 */
export class PerTickBatch<T> {
  private queued: Array<{ item: T; done: () => void; failed: (error: unknown) => void }> = [];

  /** `write` gets the items of one tick, oldest first. */
  constructor(private readonly write: (items: T[]) => Promise<unknown>) {}

  /** Resolves once the item's batch is written; rejects with the batch's error. */
  add(item: T): Promise<void> {
    return new Promise((done, failed) => {
      this.queued.push({ item, done, failed });
      if (this.queued.length === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    this.write(batch.map((q) => q.item)).then(
      () => {
        for (const q of batch) q.done();
      },
      (error: unknown) => {
        for (const q of batch) q.failed(error);
      },
    );
  }
}
