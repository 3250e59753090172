/**
 * Every Redis key Verity uses is built here, so the key schema can be read in one place
 * (docs/store.md draws it).
 *
 * Conversations are spread over `shards` hash tags (`{s7}`): all keys of one conversation,
 * its thread mapping, its dedupe marks, the indexes that list it and its inbound stream
 * share one tag, so ingest is a single atomic script on one Redis Cluster slot. A
 * conversation id starts with its shard (`7-1k3`: shard 7, the shard's 1k3rd in base 36),
 * so any key of it is found without a lookup.
 */

/** FNV-1a: stable across processes and versions (unlike a language's built-in hash). */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export const UNASSIGNED = '~';

export type IndexField = 'status' | 'assignee' | 'channel' | 'priority' | 'team' | 'language' | 'tag';

export class Keys {
  constructor(
    readonly prefix: string,
    readonly shards: number,
  ) {}

  shardOfThread(channel: string, threadKey: string): number {
    return fnv1a(`${channel}|${threadKey}`) % this.shards;
  }

  shardOfConversation(conversationId: string): number {
    const dash = conversationId.indexOf('-');
    const shard = Number(conversationId.slice(0, dash));
    if (dash < 1 || !Number.isInteger(shard) || shard < 0 || shard >= this.shards) {
      throw new RangeError(`not a conversation id of this store: ${conversationId}`);
    }
    return shard;
  }

  allShards(): number[] {
    return Array.from({ length: this.shards }, (_, i) => i);
  }

  /** `verity:{s7}:` — everything below shares the shard's hash tag. */
  shard(shard: number): string {
    return `${this.prefix}:{s${shard}}:`;
  }

  threads(shard: number): string {
    return `${this.shard(shard)}threads`;
  }

  seen(shard: number, channel: string, eventId: string): string {
    return `${this.shard(shard)}seen:${channel}:${eventId}`;
  }

  conversation(id: string): string {
    return `${this.shard(this.shardOfConversation(id))}c:${id}`;
  }

  /** Suffixes of a conversation's keys, mirrored by the Lua scripts. */
  messages(id: string): string {
    return `${this.conversation(id)}:m`;
  }
  edits(id: string): string {
    return `${this.conversation(id)}:e`;
  }
  deliveries(id: string): string {
    return `${this.conversation(id)}:d`;
  }
  platformIds(id: string): string {
    return `${this.conversation(id)}:p`;
  }
  album(id: string, album: string): string {
    return `${this.conversation(id)}:album:${album}`;
  }
  /**
   * The sent mark of a reply stored in a conversation: beside the conversation, so that
   * record-delivery.lua sets it together with the delivery state, in the same call.
   */
  replySent(id: string, commandId: string): string {
    return `${this.conversation(id)}:sent:${commandId}`;
  }

  /** Activity indexes (all, status, assignee) are sorted sets; the others plain sets (see lua/_conversation.lua). */
  index(shard: number, field: IndexField | 'all', value?: string): string {
    return field === 'all' ? `${this.shard(shard)}i:all` : `${this.shard(shard)}i:${field}:${value ?? ''}`;
  }

  resolvedAt(shard: number): string {
    return `${this.shard(shard)}i:resolved-at`;
  }

  inboundStream(shard: number): string {
    return `${this.shard(shard)}stream:inbound`;
  }

  /** Held by the one router that reads the shard's inbound stream (src/bus/shard-leases.ts). */
  routerLease(shard: number): string {
    return `${this.shard(shard)}lease:router`;
  }

  /**
   * A channel's outbound commands for the threads of one shard (`shardOfThread`), with their
   * emit marks beside them, so emit-once is atomic. One stream per shard, each read by one
   * delivery worker at a time (its lease), keeps a chat's replies in order across processes.
   */
  outboundStream(channel: string, shard: number): string {
    return `${this.shard(shard)}out:${channel}`;
  }
  emitted(channel: string, shard: number, commandId: string): string {
    return `${this.shard(shard)}out:${channel}:emitted:${commandId}`;
  }
  /** The sent mark of a command that is not a stored reply (edits, deletions, typing …). */
  sent(channel: string, shard: number, commandId: string): string {
    return `${this.shard(shard)}out:${channel}:sent:${commandId}`;
  }
  /** Held by the one delivery worker of the channel that reads the shard's outbound stream. */
  deliveryLease(channel: string, shard: number): string {
    return `${this.shard(shard)}lease:deliver:${channel}`;
  }

  // ---- global (unsharded) keys ----

  /**
   * The one outbound stream of a channel before outbound streams were sharded (and its
   * sent marks): read until empty after an upgrade, so nothing queued then is lost.
   */
  legacyOutboundStream(channel: string): string {
    return `${this.prefix}:{out:${channel}}:stream`;
  }
  legacySent(channel: string, commandId: string): string {
    return `${this.prefix}:{out:${channel}}:sent:${commandId}`;
  }
  /** The routers alive, scored by when each counts as gone unless it says otherwise. */
  routers(): string {
    return `${this.prefix}:routers`;
  }
  /** A channel's delivery workers alive, scored like `routers`. */
  deliverers(channel: string): string {
    return `${this.prefix}:deliverers:${channel}`;
  }
  liveStream(): string {
    return `${this.prefix}:stream:live`;
  }
  deadLetters(): string {
    return `${this.prefix}:stream:dead`;
  }
  /**
   * The id of a channel's bottleneck limiter. bottleneck names its keys `b_<id>_…`, so the
   * tag in the id puts them all on one Cluster slot, which its scripts need.
   */
  limiterId(channel: string): string {
    return `${this.prefix}:{limit:${channel}}:global`;
  }

  /** A rate-limit window log; every window of a channel shares the channel's tag. */
  window(channel: string, scope: string): string {
    return `${this.prefix}:{limit:${channel}}:window:${scope}`;
  }
  ticketSequence(): string {
    return `${this.prefix}:ticket:seq`;
  }
  ticket(number: string): string {
    return `${this.prefix}:ticket:${number}`;
  }
  /** Namespace handed to a subsystem that keeps its own keys (trust registry, inbox sessions …). */
  namespace(name: string): string {
    return `${this.prefix}:${name}:`;
  }
}
