/**
 * A channel whose "platform" is this process: it records when each command was sent and
 * answers instantly, so a benchmark measures Verity, not a network.
 */
import type { ChannelAdapter, InboundSink, LimitScope, SendResult } from '../../src/core/channel.ts';
import type { OutboundCommand } from '../../src/core/model.ts';

export class RecordingAdapter implements ChannelAdapter {
  sink: InboundSink | undefined;
  readonly sent: Array<{ at: number; chat: string; text: string }> = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  constructor(readonly channel = 'bench') {}

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
  }

  async stop(): Promise<void> {}

  async send(command: OutboundCommand): Promise<SendResult> {
    this.sent.push({
      at: performance.now(),
      chat: command.threadKey,
      text: command.type === 'send' ? command.text : '',
    });
    const ready = this.waiters.filter((w) => this.sent.length >= w.count);
    this.waiters = this.waiters.filter((w) => this.sent.length < w.count);
    for (const w of ready) w.resolve();
    return { platformMessageId: String(this.sent.length) };
  }

  limitScope(command: OutboundCommand): LimitScope {
    return { chat: command.threadKey, group: false };
  }

  health() {
    return { ok: true, detail: 'bench' };
  }

  until(count: number): Promise<void> {
    if (this.sent.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}
