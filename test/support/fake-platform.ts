/**
 * A platform that counts: an HTTP server recording every send with its arrival time, so
 * tests can check that all processes together stayed within a limit in every window. It
 * can answer 429 (with retry-after) or 403 for chosen chats. FakePlatformAdapter is a
 * ChannelAdapter that sends to it, for pipeline tests that need no real platform.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChannelAdapter, InboundSink, LimitScope, SendResult } from '../../src/core/channel.ts';
import { DeliveryError } from '../../src/core/errors.ts';
import type { OutboundCommand } from '../../src/core/model.ts';

export interface Arrival {
  /** When the sending process issued the request (its clock; one machine, so comparable). */
  sentAt: number;
  /** When this server handled it (bunched up whenever this process is busy). */
  at: number;
  chat: string;
  id: string;
  text: string;
}

export interface FakePlatform {
  url: string;
  arrivals: Arrival[];
  /** Sends refused (429, 403), in order. */
  refusals: Array<{ chat: string; status: number }>;
  /** The next `times` sends to `chat` get 429 with this retry-after. */
  rateLimit(chat: string, times: number, retryAfterMs: number): void;
  block(chat: string): void;
  unblock(chat: string): void;
  /** Answer each accepted send after up to `ms` (at random), as a busy platform does. */
  slowDown(ms: number): void;
  /** Most sends issued in any window of `windowMs`, overall or for one chat. */
  maxInWindow(windowMs: number, chat?: string): number;
  close(): Promise<void>;
}

export async function startFakePlatform(): Promise<FakePlatform> {
  const arrivals: Arrival[] = [];
  const refusals: FakePlatform['refusals'] = [];
  const limited = new Map<string, { times: number; retryAfterMs: number }>();
  const blocked = new Set<string>();
  let answerWithinMs = 0;
  const server = createServer(async (req, res) => {
    const body = JSON.parse(await read(req)) as { chat: string; id: string; text: string; sentAt: number };
    const at = performance.timeOrigin + performance.now();
    const limit = limited.get(body.chat);
    if (limit && limit.times > 0) {
      limit.times--;
      refusals.push({ chat: body.chat, status: 429 });
      res
        .writeHead(429, { 'retry-after': String(limit.retryAfterMs / 1000) })
        .end(JSON.stringify({ retryAfterMs: limit.retryAfterMs }));
      return;
    }
    if (blocked.has(body.chat)) {
      refusals.push({ chat: body.chat, status: 403 });
      res.writeHead(403).end('{"error":"blocked"}');
      return;
    }
    arrivals.push({ sentAt: body.sentAt, at, chat: body.chat, id: body.id, text: body.text });
    if (answerWithinMs) await new Promise((r) => setTimeout(r, Math.random() * answerWithinMs));
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ messageId: String(arrivals.length) }));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    refusals,
    rateLimit: (chat, times, retryAfterMs) => limited.set(chat, { times, retryAfterMs }),
    block: (chat) => blocked.add(chat),
    unblock: (chat) => blocked.delete(chat),
    slowDown: (ms) => {
      answerWithinMs = ms;
    },
    maxInWindow(windowMs, chat) {
      const times = arrivals
        .filter((a) => chat === undefined || a.chat === chat)
        .map((a) => a.at)
        .sort((a, b) => a - b);
      let max = 0;
      for (let i = 0, j = 0; i < times.length; i++) {
        while (times[i]! - times[j]! >= windowMs) j++;
        max = Math.max(max, i - j + 1);
      }
      return max;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function read(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text;
}

export class FakePlatformAdapter implements ChannelAdapter {
  sink: InboundSink | undefined;

  constructor(
    private readonly url: string,
    readonly channel = 'fake',
  ) {}

  async start(sink: InboundSink): Promise<void> {
    this.sink = sink;
  }

  async stop(): Promise<void> {
    this.sink = undefined;
  }

  async send(command: OutboundCommand): Promise<SendResult> {
    const text = command.type === 'send' ? command.text : command.type;
    const res = await fetch(`${this.url}/send`, {
      method: 'POST',
      body: JSON.stringify({
        chat: command.threadKey,
        id: command.id,
        text,
        sentAt: performance.timeOrigin + performance.now(),
      }),
    });
    const body = (await res.json()) as { messageId?: string; retryAfterMs?: number };
    if (res.status === 429)
      throw new DeliveryError('rate-limited', 'rate-limited', 'slow down', body.retryAfterMs);
    if (res.status === 403) throw new DeliveryError('permanent', 'blocked', 'bot was blocked by the user');
    if (!res.ok) throw new DeliveryError('transient', `http-${res.status}`, 'platform error');
    return body.messageId ? { platformMessageId: body.messageId } : {};
  }

  limitScope(command: OutboundCommand): LimitScope {
    return { chat: command.threadKey, group: command.threadKey.startsWith('-') };
  }

  health() {
    return { ok: this.sink !== undefined, detail: this.sink ? 'running' : 'stopped' };
  }
}
