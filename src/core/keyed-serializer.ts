/**
 * Runs tasks one after another per key and concurrently across keys; a failed task does
 * not stop the next one, and idle keys are forgotten. Adapters use it per thread: a
 * platform hands out a chat's messages in order, but a batch (or parallel webhook calls)
 * would otherwise be stored concurrently and could land out of order, or a retried one
 * after its successor.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  get size(): number {
    return this.tails.size;
  }
}
