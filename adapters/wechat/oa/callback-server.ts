/**
 * The HTTP endpoint WeChat pushes to. Unlike the stock puppet's Express webhook, every
 * POST is authenticated before its body is read (signature over token/timestamp/nonce, a
 * timestamp no older than `maxSkewSeconds`, and in safe mode `msg_signature` plus
 * decryption); forgeries get 403. Authentic pushes are answered `success` at once and
 * handed on afterwards, so slow processing can never miss WeChat's 5-second deadline;
 * retries of a push already taken are answered but not handed on again.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { decryptMessage, OaCryptoError } from './crypto.ts';
import { type OaPush, parsePush, pushDedupeKey } from './push.ts';
import { RecentKeys } from './recent-keys.ts';
import { sign, signatureMatches } from './signature.ts';
import { parseFlatXml, XmlShapeError } from './xml.ts';

const MAX_BODY_BYTES = 64 * 1024;

export interface CallbackServerOptions {
  appId: string;
  token: string;
  aesKey?: Buffer;
  host: string;
  port: number;
  maxSkewSeconds: number;
  logger: Logger;
  onPush: (push: OaPush) => void;
  dedupeWindowMs?: number;
  now?: () => number;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export class OaCallbackServer {
  private server: Server | undefined;
  private readonly recent: RecentKeys;
  private readonly now: () => number;

  constructor(private readonly options: CallbackServerOptions) {
    this.now = options.now ?? Date.now;
    this.recent = new RecentKeys(options.dedupeWindowMs ?? 10 * 60_000, 100_000, this.now);
  }

  async listen(): Promise<AddressInfo> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'wechat callback handler failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return this.address()!;
  }

  address(): AddressInfo | undefined {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address : undefined;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const query = new URL(req.url ?? '/', 'http://callback').searchParams;
    try {
      this.authenticate(query);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/plain' }).end(query.get('echostr') ?? '');
        return;
      }
      if (req.method !== 'POST') throw new Refusal(405, 'method not allowed');
      const push = this.readPush(query, await readBody(req));
      const duplicate = this.recent.checkAndAdd(pushDedupeKey(push));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('success');
      if (duplicate) {
        this.options.logger.debug({ key: pushDedupeKey(push) }, 'wechat push retry ignored');
        return;
      }
      setImmediate(() => {
        try {
          this.options.onPush(push);
        } catch (error) {
          this.options.logger.error({ err: error, key: pushDedupeKey(push) }, 'wechat push handler failed');
        }
      });
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.options.logger.warn({ status: error.status, reason: error.reason }, 'wechat callback refused');
      res
        .writeHead(error.status, { 'content-type': 'text/plain' })
        .end(error.status === 403 ? 'forbidden' : '');
    }
  }

  private authenticate(query: URLSearchParams): void {
    const timestamp = query.get('timestamp') ?? '';
    const nonce = query.get('nonce') ?? '';
    const expected = sign([this.options.token, timestamp, nonce]);
    if (!/^\d{1,12}$/.test(timestamp) || !signatureMatches(expected, query.get('signature') ?? undefined)) {
      throw new Refusal(403, 'bad signature');
    }
    const skew = Math.abs(this.now() / 1000 - Number(timestamp));
    if (skew > this.options.maxSkewSeconds) throw new Refusal(403, `timestamp off by ${Math.round(skew)} s`);
  }

  private readPush(query: URLSearchParams, body: string): OaPush {
    let fields = parseXml(body);
    if (query.get('encrypt_type') === 'aes') {
      const encrypted = fields.Encrypt;
      if (!this.options.aesKey) throw new Refusal(400, 'encrypted push but no EncodingAESKey configured');
      if (encrypted === undefined) throw new Refusal(400, 'encrypted push without <Encrypt>');
      const expected = sign([
        this.options.token,
        query.get('timestamp') ?? '',
        query.get('nonce') ?? '',
        encrypted,
      ]);
      if (!signatureMatches(expected, query.get('msg_signature') ?? undefined)) {
        throw new Refusal(403, 'bad msg_signature');
      }
      try {
        fields = parseXml(decryptMessage(this.options.aesKey, this.options.appId, encrypted));
      } catch (error) {
        if (error instanceof OaCryptoError) throw new Refusal(400, error.message);
        throw error;
      }
    }
    const parsed = parsePush(fields);
    if (!parsed.ok) throw new Refusal(400, `push not understood: ${parsed.reason}`);
    return parsed.value;
  }
}

function parseXml(text: string): Record<string, string> {
  try {
    return parseFlatXml(text);
  } catch (error) {
    if (error instanceof XmlShapeError) throw new Refusal(400, `malformed XML: ${error.message}`);
    throw error;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Refusal(413, 'push too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
