/**
 * The one interface a channel implements. The core never imports an adapter; the app
 * layer (src/app) wires adapters in by name, so a new channel is a new folder under
 * adapters/ plus a line in the registry.
 */
import type { Readable } from 'node:stream';
import type { InboundEventInput, OutboundCommand } from './model.ts';

export interface IngestOutcome {
  status: 'stored' | 'duplicate' | 'rejected';
  conversationId?: string;
  /** For `rejected`: why, in words an operator understands (from `z.prettifyError`). */
  reason?: string;
}

/**
 * Where an adapter hands what it received. `ingest` resolves only once the event is
 * durably in Redis, so an adapter acknowledges its platform after awaiting it and never
 * before. A malformed event resolves `rejected` (logged with its reason); it never throws
 * for bad input, so one bad update cannot stop the others.
 */
export interface InboundSink {
  ingest(event: InboundEventInput | unknown): Promise<IngestOutcome>;
}

export interface SendResult {
  platformMessageId?: string;
}

/** Which rate-limit buckets one outbound command counts against. */
export interface LimitScope {
  /** The thread the command goes to (limits per chat/channel). */
  chat: string;
  /** Group chats have a tighter limit on some platforms (Telegram: 20/min). */
  group: boolean;
}

export interface AdapterHealth {
  ok: boolean;
  detail: string;
  /** Extra facts for the admin page (login QR code, bot name …). */
  info?: Record<string, string>;
}

export interface FetchedFile {
  stream: Readable;
  mimeType?: string;
  size?: number;
  name?: string;
}

export interface ChannelAdapter {
  readonly channel: string;
  /** Connect to the platform and begin handing events to `sink`. Resolves once receiving. */
  start(sink: InboundSink): Promise<void>;
  /**
   * Make ready to send without receiving, for a process that only delivers (role
   * `deliver:<channel>`). Absent where sending needs what receiving holds: a logged-in
   * WeChat session, Discord's interactions waiting for their answer.
   */
  startSending?(): Promise<void>;
  /** Stop receiving (and sending); in-flight ingests finish first. */
  stop(): Promise<void>;
  /** Perform one outbound command; throws `DeliveryError` when the platform refuses. */
  send(command: OutboundCommand): Promise<SendResult>;
  limitScope(command: OutboundCommand): LimitScope;
  health(): AdapterHealth;
  fetchFile?(fileId: string): Promise<FetchedFile>;
}
