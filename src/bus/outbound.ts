/**
 * Queueing outbound commands for a channel's delivery workers, at most once per command id,
 * on the stream of the shard its thread belongs to (so one worker sends a chat's commands).
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
    const shard = this.keys.shardOfThread(command.channel, command.threadKey);
    const id = await callScript(
      this.redis,
      'verityEmitOnce',
      [
        this.keys.outboundStream(command.channel, shard),
        this.keys.emitted(command.channel, shard, command.id),
      ],
      [JSON.stringify(command), this.options.markSeconds, this.options.maxLen, now],
    );
    return id !== '';
  }
}
