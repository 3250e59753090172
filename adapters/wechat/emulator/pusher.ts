/**
 * Pushes to the account's callback URL the way WeChat does: XML body, `signature` over
 * the sorted [token, timestamp, nonce] in the query (plus `msg_signature` and an
 * `<Encrypt>` body in safe mode), and up to three retries of the same body when no answer
 * arrives within the deadline. It can also forge pushes (bad or missing signature, stale
 * timestamp) to prove the receiver refuses them.
 */
import { randomInt } from 'node:crypto';
import { encryptMessage } from '../oa/crypto.ts';
import { sign } from '../oa/signature.ts';
import { buildFlatXml } from '../oa/xml.ts';

export interface PushAttempt {
  /** HTTP status, or `timeout`/`error` when no answer came. */
  status: number | 'timeout' | 'error';
  body: string;
  ms: number;
}

export interface PushResult {
  /** The MsgId of a message push (events have none). */
  msgId?: string;
  /** Answered 200 with `success`, an empty body or an XML reply. */
  delivered: boolean;
  attempts: PushAttempt[];
}

export interface Forgery {
  signature?: 'bad' | 'missing';
  /** Seconds added to the timestamp (negative = in the past). */
  timestampSkewS?: number;
}

export interface PusherOptions {
  appId: string;
  token: string;
  aesKey?: Buffer;
  answerTimeoutMs: number;
  maxRetries: number;
  callbackUrl: () => string | undefined;
}

export class Pusher {
  readonly log: Array<{ fields: Record<string, string | number>; result: PushResult }> = [];

  constructor(private readonly options: PusherOptions) {}

  async push(fields: Record<string, string | number>, forgery: Forgery = {}): Promise<PushResult> {
    const attempts: PushAttempt[] = [];
    const result: PushResult = { delivered: false, attempts };
    if (typeof fields.MsgId === 'string') result.msgId = fields.MsgId;
    for (let attempt = 0; attempt <= this.options.maxRetries; attempt++) {
      const outcome = await this.attempt(fields, forgery);
      attempts.push(outcome);
      if (typeof outcome.status === 'number' && outcome.status < 500) {
        result.delivered =
          outcome.status === 200 &&
          (outcome.body === 'success' || outcome.body === '' || outcome.body.startsWith('<xml>'));
        break;
      }
    }
    this.log.push({ fields, result });
    return result;
  }

  private async attempt(fields: Record<string, string | number>, forgery: Forgery): Promise<PushAttempt> {
    const target = this.options.callbackUrl();
    if (!target) throw new Error('the emulator has no callback URL yet (setCallbackUrl)');
    const timestamp = String(Math.floor(Date.now() / 1000) + (forgery.timestampSkewS ?? 0));
    const nonce = String(randomInt(1e9, 1e10 - 1));
    const url = new URL(target);
    url.searchParams.set('timestamp', timestamp);
    url.searchParams.set('nonce', nonce);
    if (forgery.signature !== 'missing') {
      const signature = sign([this.options.token, timestamp, nonce]);
      url.searchParams.set(
        'signature',
        forgery.signature === 'bad' ? signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : signature,
      );
    }
    if (typeof fields.FromUserName === 'string') url.searchParams.set('openid', fields.FromUserName);
    let body = buildFlatXml(fields);
    if (this.options.aesKey) {
      const encrypted = encryptMessage(this.options.aesKey, this.options.appId, body);
      url.searchParams.set('encrypt_type', 'aes');
      url.searchParams.set('msg_signature', sign([this.options.token, timestamp, nonce, encrypted]));
      body = buildFlatXml({ ToUserName: String(fields.ToUserName ?? ''), Encrypt: encrypted });
    }
    const started = performance.now();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body,
        signal: AbortSignal.timeout(this.options.answerTimeoutMs),
      });
      const text = await response.text();
      return { status: response.status, body: text, ms: performance.now() - started };
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      return { status: timedOut ? 'timeout' : 'error', body: '', ms: performance.now() - started };
    }
  }
}
