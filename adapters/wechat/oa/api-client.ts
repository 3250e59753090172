/**
 * The slice of WeChat's `cgi-bin` API the Official Account puppet needs, against a
 * configurable base (the real platform or the emulator). Every platform refusal becomes an
 * `OaApiError` that keeps WeChat's `errcode`, because the caller's decision (window closed,
 * quota used up, token stale) depends on it. The access token is fetched once and shared
 * by concurrent callers; a 40001/42001 answer drops it, fetches a new one and retries the
 * call once.
 */
import type { Logger } from 'pino';
import { z } from 'zod';

export const OA_TOKEN_ERRCODES: ReadonlySet<number> = new Set([40001, 40014, 42001]);

export class OaApiError extends Error {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly endpoint: string,
    options?: { cause?: unknown },
  ) {
    super(`WeChat ${endpoint} failed: ${errcode} ${errmsg}`, options);
    this.name = 'OaApiError';
  }
}

/** Network failures, non-JSON answers and HTTP 5xx: nothing to read an errcode from. */
export class OaTransportError extends Error {
  constructor(
    readonly endpoint: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`WeChat ${endpoint}: ${message}`, options);
    this.name = 'OaTransportError';
  }
}

const ErrorEnvelope = z.object({ errcode: z.number().int().optional(), errmsg: z.string().optional() });
const TokenAnswer = z.object({ access_token: z.string().min(1), expires_in: z.number().int().positive() });
const UploadAnswer = z.object({ media_id: z.string().min(1), type: z.string().optional() });
export const OaUserInfo = z.object({
  subscribe: z.number().int(),
  openid: z.string(),
  nickname: z.string().optional(),
  language: z.string().optional(),
  headimgurl: z.string().optional(),
  remark: z.string().optional(),
  unionid: z.string().optional(),
});
export type OaUserInfo = z.infer<typeof OaUserInfo>;

export type OaOutgoing =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } }
  | { msgtype: 'voice'; voice: { media_id: string } }
  | { msgtype: 'video'; video: { media_id: string; title?: string; description?: string } }
  | {
      msgtype: 'news';
      news: { articles: Array<{ title: string; description?: string; url: string; picurl?: string }> };
    };

export interface OaApiClientOptions {
  apiBase: string;
  appId: string;
  appSecret: string;
  logger: Logger;
  /** Refresh this long before WeChat's stated expiry (default 5 min). */
  refreshMarginMs?: number;
  requestTimeoutMs?: number;
}

export class OaApiClient {
  private token: { value: string; refreshAt: number } | undefined;
  private refreshing: Promise<string> | undefined;
  private readonly base: URL;

  constructor(private readonly options: OaApiClientOptions) {
    this.base = new URL(options.apiBase.endsWith('/') ? options.apiBase : `${options.apiBase}/`);
  }

  /** Fetches the first token: a start-up check that the credentials and IP whitelist are right. */
  async verify(): Promise<void> {
    this.token = undefined;
    await this.accessToken();
  }

  async sendCustom(touser: string, message: OaOutgoing): Promise<void> {
    await this.call('message/custom/send', { json: { touser, ...message } });
  }

  async uploadMedia(
    type: 'image' | 'voice' | 'video' | 'thumb',
    file: Blob,
    filename: string,
  ): Promise<string> {
    const answer = await this.call('media/upload', {
      query: { type },
      form: () => {
        const form = new FormData();
        form.append('media', file, filename);
        return form;
      },
    });
    return this.parse(UploadAnswer, answer, 'media/upload').media_id;
  }

  async userInfo(openid: string): Promise<OaUserInfo> {
    const answer = await this.call('user/info', { query: { openid, lang: 'zh_CN' } });
    return this.parse(OaUserInfo, answer, 'user/info');
  }

  private async accessToken(): Promise<string> {
    if (this.token && Date.now() < this.token.refreshAt) return this.token.value;
    this.refreshing ??= this.fetchToken().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async fetchToken(): Promise<string> {
    const url = new URL('token', this.base);
    url.searchParams.set('grant_type', 'client_credential');
    url.searchParams.set('appid', this.options.appId);
    url.searchParams.set('secret', this.options.appSecret);
    const answer = await this.request('token', url, { method: 'GET' });
    const parsed = this.parse(TokenAnswer, answer, 'token');
    const margin = Math.min(this.options.refreshMarginMs ?? 300_000, (parsed.expires_in * 1000) / 2);
    this.token = { value: parsed.access_token, refreshAt: Date.now() + parsed.expires_in * 1000 - margin };
    this.options.logger.info({ expiresIn: parsed.expires_in }, 'wechat access token refreshed');
    return parsed.access_token;
  }

  private async call(
    endpoint: string,
    body: { query?: Record<string, string>; json?: unknown; form?: () => FormData },
    retried = false,
  ): Promise<unknown> {
    const token = await this.accessToken();
    const url = new URL(endpoint, this.base);
    url.searchParams.set('access_token', token);
    for (const [k, v] of Object.entries(body.query ?? {})) url.searchParams.set(k, v);
    const init: RequestInit =
      body.json !== undefined
        ? { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body.json) }
        : body.form
          ? { method: 'POST', body: body.form() }
          : { method: 'GET' };
    try {
      return await this.request(endpoint, url, init);
    } catch (error) {
      if (!retried && error instanceof OaApiError && OA_TOKEN_ERRCODES.has(error.errcode)) {
        this.options.logger.warn({ errcode: error.errcode, endpoint }, 'wechat token refused; refreshing');
        if (this.token?.value === token) this.token = undefined;
        return this.call(endpoint, body, true);
      }
      throw error;
    }
  }

  private async request(endpoint: string, url: URL, init: RequestInit): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 10_000),
      });
    } catch (cause) {
      throw new OaTransportError(endpoint, 'request failed', { cause });
    }
    if (response.status >= 500) throw new OaTransportError(endpoint, `HTTP ${response.status}`);
    let json: unknown;
    try {
      json = await response.json();
    } catch (cause) {
      throw new OaTransportError(endpoint, `HTTP ${response.status} with a non-JSON body`, { cause });
    }
    const envelope = ErrorEnvelope.safeParse(json);
    if (!envelope.success) throw new OaTransportError(endpoint, z.prettifyError(envelope.error));
    const { errcode, errmsg } = envelope.data;
    if (errcode !== undefined && errcode !== 0) throw new OaApiError(errcode, errmsg ?? '', endpoint);
    return json;
  }

  private parse<T>(schema: z.ZodType<T>, value: unknown, endpoint: string): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw new OaTransportError(endpoint, `unexpected answer: ${z.prettifyError(parsed.error)}`);
    return parsed.data;
  }
}
