/**
 * Queueing outbound commands for a channel's delivery worker, at most once per command id.
 */
import type { Redis } from 'ioredis';
import type { OutboundCommand } from '../core/model.ts';
import type { Keys } from '../store/keys.ts';
import { callScript } from '../store/scripts.ts';

export interface OutboundQueueOptions {
  markSeconds: number;
  maxLen: number;
}

export class OutboundQueue {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly options: OutboundQueueOptions,
  ) {}

  /** Returns false when a command with this id was queued before. */
  async emit(command: OutboundCommand, now = Date.now()): Promise<boolean> {
    const id = await callScript(
      this.redis,
      'verityEmitOnce',
      [this.keys.outboundStream(command.channel), this.keys.emitted(command.channel, command.id)],
      [JSON.stringify(command), this.options.markSeconds, this.options.maxLen, now],
    );
    return id !== '';
  }
}
