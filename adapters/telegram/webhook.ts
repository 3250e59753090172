/**
 * The webhook receiver. The secret header is compared in constant time before a byte of
 * the body is read; Telegram gets its 200 only once the update is stored, and a 503 when
 * the adapter is stopping with the update unstored, so Telegram delivers it again.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

export interface WebhookServerOptions {
  host: string;
  port: number;
  path: string;
  secret: string;
  maxBodyBytes: number;
  logger: Logger;
  /** Resolves true when the update may be acknowledged. */
  handle(update: unknown): Promise<boolean>;
}

export interface WebhookServer {
  port: number;
  close(): Promise<void>;
}

/** Equal-length digests, so neither the secret's length nor its prefix leaks through timing. */
export function secretMatches(expected: string, given: string | string[] | undefined): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(expected).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handling = receive(opts, req, res)
      .catch((error: unknown) => {
        opts.logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          'telegram webhook failed',
        );
        if (!res.headersSent) reply(res, 500);
      })
      .finally(() => inFlight.delete(handling));
    inFlight.add(handling);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  return {
    port,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...inFlight]);
      // Telegram keeps connections alive; once every answer is written none is needed.
      server.closeAllConnections();
      await closed;
    },
  };
}

async function receive(opts: WebhookServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== opts.path) return reply(res, 404);
  if (req.method !== 'POST') return reply(res, 405);
  if (!secretMatches(opts.secret, req.headers[SECRET_HEADER])) {
    opts.logger.warn(
      {
        remote: req.socket.remoteAddress,
        header: req.headers[SECRET_HEADER] === undefined ? 'missing' : 'wrong',
      },
      'telegram webhook refused: secret token does not match',
    );
    res.setHeader('connection', 'close');
    reply(res, 401);
    req.resume();
    return;
  }
  const body = await readBody(req, opts.maxBodyBytes);
  if (body === undefined) return reply(res, 413);
  let update: unknown;
  try {
    update = JSON.parse(body.toString('utf8'));
  } catch {
    opts.logger.warn({ bytes: body.length }, 'telegram webhook: body is not JSON');
    return reply(res, 400);
  }
  reply(res, (await opts.handle(update)) ? 200 : 503);
}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > max) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function reply(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end();
}
