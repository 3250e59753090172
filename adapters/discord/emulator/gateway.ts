/**
 * The emulator's WebSocket gateway (JSON encoding, no compression): HELLO → IDENTIFY →
 * READY + GUILD_CREATE per guild, heartbeats, and RESUME with replay of every dispatch
 * after the client's `seq`. Dispatches are buffered per session even while its socket is
 * gone, so a client that resumes misses nothing.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { z } from 'zod';
import { guildCreatePayload, type Json, userPayload } from './payloads.ts';
import type { World } from './world.ts';

const Frame = z.object({ op: z.number().int(), d: z.unknown() });
const Identify = z.object({ token: z.string(), intents: z.number().int() }).loose();
const Resume = z
  .object({ token: z.string(), session_id: z.string(), seq: z.number().int().nullable() })
  .loose();

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  seq: number;
  buffer: Dispatch[];
  socket: WebSocket | null;
}

const REPLAY_LIMIT = 10_000;

export interface GatewayOptions {
  token: string;
  world: World;
  /** Where clients connect and resume (`ws://127.0.0.1:PORT/gateway`), set once listening. */
  url: () => string;
  heartbeatIntervalMs?: number;
}

export class Gateway {
  readonly #wss = new WebSocketServer({ noServer: true });
  readonly #sessions = new Map<string, Session>();
  readonly #opts: GatewayOptions;
  identifies = 0;
  resumes = 0;

  constructor(opts: GatewayOptions) {
    this.#opts = opts;
    this.#wss.on('connection', (socket) => this.#accept(socket));
  }

  get url(): string {
    return this.#opts.url();
  }

  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
  }

  /** Sessions with a live, identified socket. */
  get connected(): number {
    let count = 0;
    for (const session of this.#sessions.values()) if (session.socket) count += 1;
    return count;
  }

  /** Sends an event to every session (buffered for sessions whose socket is gone). */
  dispatch(t: string, d: unknown): void {
    for (const session of this.#sessions.values()) {
      session.seq += 1;
      const entry: Dispatch = { s: session.seq, t, d };
      session.buffer.push(entry);
      if (session.buffer.length > REPLAY_LIMIT) session.buffer.shift();
      session.socket?.send(JSON.stringify({ op: 0, ...entry }));
    }
  }

  /** Closes every socket as Discord does on a server-side hiccup (4000: the client resumes). */
  drop(code = 4000): void {
    for (const session of this.#sessions.values()) {
      session.socket?.close(code, 'dropped by the emulator');
      session.socket = null;
    }
  }

  async close(): Promise<void> {
    for (const client of this.#wss.clients) client.terminate();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
  }

  #accept(socket: WebSocket): void {
    const send = (payload: Json) => socket.send(JSON.stringify(payload));
    send({ op: 10, d: { heartbeat_interval: this.#opts.heartbeatIntervalMs ?? 41_250 } });
    let session: Session | null = null;
    socket.on('message', (raw) => {
      const parsed = Frame.safeParse(safeJson(String(raw)));
      if (!parsed.success) {
        socket.close(4002, 'Error while decoding payload.');
        return;
      }
      const { op, d } = parsed.data;
      if (op === 1) {
        send({ op: 11 });
      } else if (op === 2) {
        const identify = Identify.safeParse(d);
        if (!identify.success || identify.data.token !== this.#opts.token) {
          socket.close(4004, 'Authentication failed.');
          return;
        }
        session = this.#identify(socket);
      } else if (op === 6) {
        const resume = Resume.safeParse(d);
        const known = resume.success ? this.#sessions.get(resume.data.session_id) : undefined;
        if (!resume.success || resume.data.token !== this.#opts.token || !known) {
          send({ op: 9, d: false });
          return;
        }
        session = known;
        this.#resume(known, socket, resume.data.seq ?? 0);
      }
    });
    socket.on('close', () => {
      if (session && session.socket === socket) session.socket = null;
    });
  }

  #identify(socket: WebSocket): Session {
    this.identifies += 1;
    const { world } = this.#opts;
    // One bot token: a client that identifies again has abandoned its socketless sessions.
    for (const [id, old] of this.#sessions) if (!old.socket) this.#sessions.delete(id);
    const session: Session = { id: world.snowflake(), seq: 0, buffer: [], socket };
    this.#sessions.set(session.id, session);
    const guilds = [...world.guilds.values()];
    const sendDispatch = (t: string, d: unknown) => {
      session.seq += 1;
      session.buffer.push({ s: session.seq, t, d });
      socket.send(JSON.stringify({ op: 0, s: session.seq, t, d }));
    };
    sendDispatch('READY', {
      v: 10,
      user: { ...userPayload(world.bot), verified: true, mfa_enabled: false },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: 'normal',
      resume_gateway_url: this.#opts.url(),
      application: { id: world.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      shard: [0, 1],
    });
    for (const guild of guilds) sendDispatch('GUILD_CREATE', guildCreatePayload(world, guild));
    return session;
  }

  #resume(session: Session, socket: WebSocket, seq: number): void {
    this.resumes += 1;
    session.socket?.close(4000, 'replaced by a resumed connection');
    session.socket = socket;
    for (const entry of session.buffer) {
      if (entry.s > seq) socket.send(JSON.stringify({ op: 0, ...entry }));
    }
    session.seq += 1;
    socket.send(JSON.stringify({ op: 0, s: session.seq, t: 'RESUMED', d: {} }));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
