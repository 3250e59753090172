/**
 * How the emulator posts updates to a webhook: node:http with kept-alive connections
 * (global fetch spent more time on its own machinery than the receiver did on the update).
 */
import http from 'node:http';
import https from 'node:https';

export interface WebhookAnswer {
  status: number;
  statusText: string;
  body: string;
}

export class WebhookClient {
  private readonly agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };

  post(
    url: string,
    body: string,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<WebhookAnswer> {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const request = secure ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          agent: secure ? this.agents['https:'] : this.agents['http:'],
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              statusText: res.statusMessage ?? '',
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agents['http:'].destroy();
    this.agents['https:'].destroy();
  }
}
