/**
 * The HTTP endpoint WeChat pushes to. Unlike the stock puppet's Express webhook, every
 * POST is authenticated before its body is read (signature over token/timestamp/nonce, a
 * timestamp no older than `maxSkewSeconds`, and in safe mode `msg_signature` plus
 * decryption); forgeries get 403. An authentic push is handed on and answered once it is
 * handled, or when the answer budget runs out, whichever comes first: storage that is
 * slow can never make us miss WeChat's 5-second deadline, and a push that could not be
 * stored is answered 500 so WeChat retries it. Retries of a push already handled are
 * answered without being handed on again; a retry of one still in flight waits with it.
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
  /** Resolves once the push is durably handled; rejects if it could not be. */
  onPush: (push: OaPush) => Promise<void>;
  /**
   * How long the answer may wait for `onPush` (0: answer at once). Within it, a stored push
   * is answered `success` and a failed one 500, so WeChat retries it; past it, `success`
   * anyway, because a late answer makes WeChat show the user an error.
   */
  answerBudgetMs?: number;
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
  private readonly inFlight = new Map<string, Promise<void>>();
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
      const key = pushDedupeKey(push);
      let handling = this.inFlight.get(key);
      if (!handling) {
        if (this.recent.checkAndAdd(key)) {
          this.options.logger.debug({ key }, 'wechat push retry ignored');
          res.writeHead(200, { 'content-type': 'text/plain' }).end('success');
          return;
        }
        handling = this.handOn(key, push);
      }
      if ((await this.settledWithinBudget(handling)) === 'failed') {
        throw new Refusal(500, 'push not stored; WeChat will retry it');
      }
      res.writeHead(200, { 'content-type': 'text/plain' }).end('success');
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      this.options.logger.warn({ status: error.status, reason: error.reason }, 'wechat callback refused');
      res
        .writeHead(error.status, { 'content-type': 'text/plain' })
        .end(error.status === 403 ? 'forbidden' : '');
    }
  }

  private handOn(key: string, push: OaPush): Promise<void> {
    const handling = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        try {
          this.options.onPush(push).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      });
    });
    this.inFlight.set(key, handling);
    handling.then(
      () => this.inFlight.delete(key),
      (error: unknown) => {
        this.inFlight.delete(key);
        this.recent.forget(key);
        this.options.logger.error({ err: error, key }, 'wechat push not handled; a retry will try again');
      },
    );
    return handling;
  }

  private async settledWithinBudget(handling: Promise<void>): Promise<'stored' | 'failed' | 'pending'> {
    const budget = this.options.answerBudgetMs ?? 0;
    if (budget <= 0) return 'pending';
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      handling.then(
        () => 'stored' as const,
        () => 'failed' as const,
      ),
      new Promise<'pending'>((resolve) => {
        timer = setTimeout(() => resolve('pending'), budget);
      }),
    ]);
    clearTimeout(timer);
    return outcome;
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
