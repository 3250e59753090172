/**
 * WeChat has no inline buttons, so a send's buttons are shown as "1. …, 2. …". This
 * remembers, per private thread, which button data each number stood for, so that a reply
 * of just that number comes back as the button press it means. Any later send to the
 * thread replaces (or clears) the options, so an unrelated "2" later is plain text again.
 * In-memory and per process: after a restart a number reply is simply text.
 */
import type { Button, InboundEventInput } from '../../src/core/model.ts';

const TTL_MS = 24 * 3600_000;
const MAX_THREADS = 50_000;

export class NumberedOptions {
  private readonly byThread = new Map<string, { data: string[]; at: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Call after a successful send to a private thread. */
  remember(threadKey: string, buttons: readonly (readonly Button[])[] | undefined): void {
    this.byThread.delete(threadKey);
    const data = (buttons ?? []).flat().flatMap((b) => ('data' in b ? [b.data] : []));
    if (data.length === 0) return;
    this.byThread.set(threadKey, { data, at: this.now() });
    if (this.byThread.size > MAX_THREADS) {
      const oldest = this.byThread.keys().next();
      if (!oldest.done) this.byThread.delete(oldest.value);
    }
  }

  /** The button data a bare-number reply selects, if it selects one. */
  resolve(threadKey: string, text: string): string | undefined {
    const choice = /^\s*(\d{1,2})\s*$/.exec(text)?.[1];
    const options = this.byThread.get(threadKey);
    if (choice === undefined || !options || this.now() - options.at > TTL_MS) return undefined;
    const data = options.data[Number(choice) - 1];
    if (data !== undefined) this.byThread.delete(threadKey);
    return data;
  }

  /** A bare-number text reply in a private thread becomes the button press it stands for. */
  asButtonChoice(event: InboundEventInput): InboundEventInput {
    if (event.type !== 'message' || event.thread.kind !== 'private' || (event.attachments ?? []).length > 0) {
      return event;
    }
    const data = this.resolve(event.thread.key, event.text);
    if (data === undefined) return event;
    const { channel, eventId, thread, sender, at, platformMessageId } = event;
    return { type: 'button', channel, eventId, thread, sender, at, platformMessageId, data };
  }
}
