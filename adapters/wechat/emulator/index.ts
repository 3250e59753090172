/**
 * A local WeChat Official Account platform for tests and the sandbox: the `cgi-bin` API
 * (token, message/custom/send, media/upload, user/info) with WeChat's rules and errcodes,
 * signed callback pushes to the adapter (with retries and forgeries), and a control API
 * to act as users (follow, send, click), move the clock, and read what the account sent.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { createServer } from 'node:http';
import { aesKeyFrom } from '../oa/crypto.ts';
import { EmulatedAccount, type EmulatedUser, type SentMessage } from './account.ts';
import { handleApi } from './api.ts';
import { type Forgery, Pusher, type PushResult } from './pusher.ts';

export type { EmulatedUser, SentMessage } from './account.ts';
export { QUOTA, WINDOW_MS } from './account.ts';
export type { Forgery, PushAttempt, PushResult } from './pusher.ts';

export interface WechatOaEmulatorOptions {
  appId?: string;
  appSecret?: string;
  /** The callback Token configured in the account's server settings. */
  token?: string;
  /** Safe mode: pushes are encrypted with this EncodingAESKey. */
  encodingAesKey?: string;
  callbackUrl?: string;
  /** WeChat waits 5 s for an answer before retrying. */
  answerTimeoutMs?: number;
  maxRetries?: number;
  /** How long a superseded access token keeps working (WeChat: 5 min). */
  tokenGraceMs?: number;
  host?: string;
  port?: number;
}

export type UserMessage =
  | { type: 'text'; content: string }
  | { type: 'image'; picUrl?: string; mediaId?: string }
  | { type: 'voice'; mediaId?: string; format?: string; recognition?: string }
  | { type: 'video' | 'shortvideo'; mediaId?: string; thumbMediaId?: string }
  | { type: 'location'; latitude: number; longitude: number; scale?: number; label?: string }
  | { type: 'link'; title: string; description?: string; url: string };

export interface WechatOaEmulator {
  /** Base for the adapter's `WECHAT_OA_API_BASE`, ending in `/cgi-bin/`. */
  readonly apiBase: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly token: string;
  /** The account's own id as pushes show it in ToUserName. */
  readonly accountId: string;
  setCallbackUrl(url: string): void;
  follow(openid: string, options?: { nickname?: string; scene?: string }): Promise<PushResult>;
  unfollow(openid: string): Promise<PushResult>;
  scan(openid: string, scene: string): Promise<PushResult>;
  click(openid: string, eventKey: string): Promise<PushResult>;
  userSends(openid: string, message: UserMessage): Promise<PushResult>;
  /** WeChat pushing an earlier message again with the same MsgId (as after a lost answer). */
  redeliver(msgId: string): Promise<PushResult>;
  /** A push that did not come from WeChat (bad/missing signature, stale timestamp). */
  forge(openid: string, message: UserMessage, forgery: Forgery): Promise<PushResult>;
  advance(ms: number): void;
  now(): number;
  sentTo(openid: string): SentMessage[];
  readonly sent: readonly SentMessage[];
  waitForSent(openid: string, count: number, timeoutMs?: number): Promise<SentMessage[]>;
  setIpWhitelisted(allowed: boolean): void;
  /** Invalidate every live access token now (the next call answers 40001). */
  revokeTokens(): void;
  readonly tokensIssued: number;
  user(openid: string): EmulatedUser | undefined;
  readonly pushes: Pusher['log'];
  close(): Promise<void>;
}

/**
 * The environment that points the adapter's Official Account puppet at this emulator
 * (callback server on an OS-chosen local port; call `setCallbackUrl` once it listens).
 */
export function emulatorEnv(emulator: WechatOaEmulator): Record<string, string> {
  return {
    WECHATY_PUPPET: 'official-account',
    WECHATY_PUPPET_OA_APP_ID: emulator.appId,
    WECHATY_PUPPET_OA_APP_SECRET: emulator.appSecret,
    WECHATY_PUPPET_OA_TOKEN: emulator.token,
    WECHATY_PUPPET_OA_HOST: '127.0.0.1',
    WECHATY_PUPPET_OA_PORT: '0',
    WECHAT_OA_API_BASE: emulator.apiBase,
  };
}

function messageFields(message: UserMessage): Record<string, string | number> {
  switch (message.type) {
    case 'text':
      return { MsgType: 'text', Content: message.content };
    case 'image':
      return {
        MsgType: 'image',
        PicUrl: message.picUrl ?? 'http://mmbiz.qpic.cn/emulated.jpg',
        MediaId: message.mediaId ?? randomBytes(12).toString('base64url'),
      };
    case 'voice':
      return {
        MsgType: 'voice',
        MediaId: message.mediaId ?? randomBytes(12).toString('base64url'),
        Format: message.format ?? 'amr',
        ...(message.recognition === undefined ? {} : { Recognition: message.recognition }),
      };
    case 'video':
    case 'shortvideo':
      return {
        MsgType: message.type,
        MediaId: message.mediaId ?? randomBytes(12).toString('base64url'),
        ThumbMediaId: message.thumbMediaId ?? randomBytes(12).toString('base64url'),
      };
    case 'location':
      return {
        MsgType: 'location',
        Location_X: message.latitude,
        Location_Y: message.longitude,
        Scale: message.scale ?? 15,
        Label: message.label ?? '',
      };
    case 'link':
      return {
        MsgType: 'link',
        Title: message.title,
        Description: message.description ?? '',
        Url: message.url,
      };
  }
}

export async function startWechatOaEmulator(
  options: WechatOaEmulatorOptions = {},
): Promise<WechatOaEmulator> {
  const appId = options.appId ?? `wx${randomBytes(8).toString('hex')}`;
  const appSecret = options.appSecret ?? randomBytes(16).toString('hex');
  const token = options.token ?? randomBytes(12).toString('hex');
  // The original id (原始ID) WeChat puts in ToUserName; unrelated to the AppID, as on the platform.
  const accountId = `gh_${randomBytes(6).toString('hex')}`;
  const account = new EmulatedAccount(appId, appSecret, options.tokenGraceMs ?? 300_000);
  let callbackUrl = options.callbackUrl;
  let nextMsgId = BigInt(24_000_000_000_000_000) + BigInt(randomInt(1e9));
  const pusher = new Pusher({
    appId,
    token,
    ...(options.encodingAesKey ? { aesKey: aesKeyFrom(options.encodingAesKey) } : {}),
    answerTimeoutMs: options.answerTimeoutMs ?? 5000,
    maxRetries: options.maxRetries ?? 3,
    callbackUrl: () => callbackUrl,
  });
  const pushed = new Map<string, Record<string, string | number>>();

  const server = createServer((req, res) => {
    handleApi(account, req, res).catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('emulator server has no TCP address');
  const base = (openid: string) => ({
    ToUserName: accountId,
    FromUserName: openid,
    CreateTime: Math.floor(account.now() / 1000),
  });
  const event = (openid: string, name: string, key?: string) =>
    pusher.push({
      ...base(openid),
      MsgType: 'event',
      Event: name,
      ...(key === undefined ? {} : { EventKey: key }),
    });
  const followerOnly = (openid: string): void => {
    if (!account.users.get(openid)?.subscribed) throw new Error(`${openid} does not follow the account`);
  };

  return {
    apiBase: `http://127.0.0.1:${address.port}/cgi-bin/`,
    appId,
    appSecret,
    token,
    accountId,
    setCallbackUrl(url) {
      callbackUrl = url;
    },
    async follow(openid, opts = {}) {
      const user = account.user(openid, opts.nickname);
      user.subscribed = true;
      user.followedAt = account.now();
      account.interact(openid, 'follow');
      return event(openid, 'subscribe', opts.scene === undefined ? undefined : `qrscene_${opts.scene}`);
    },
    async unfollow(openid) {
      const user = account.user(openid);
      user.subscribed = false;
      user.grants = [];
      return event(openid, 'unsubscribe');
    },
    async scan(openid, scene) {
      followerOnly(openid);
      account.interact(openid, 'scan');
      return event(openid, 'SCAN', scene);
    },
    async click(openid, eventKey) {
      followerOnly(openid);
      account.interact(openid, 'click');
      return event(openid, 'CLICK', eventKey);
    },
    async userSends(openid, message) {
      followerOnly(openid);
      account.interact(openid, 'message');
      const msgId = String(nextMsgId++);
      const fields = { ...base(openid), ...messageFields(message), MsgId: msgId };
      pushed.set(msgId, fields);
      return pusher.push(fields);
    },
    async redeliver(msgId) {
      const fields = pushed.get(msgId);
      if (!fields) throw new Error(`no push with MsgId ${msgId}`);
      return pusher.push(fields);
    },
    async forge(openid, message, forgery) {
      return pusher.push({ ...base(openid), ...messageFields(message), MsgId: String(nextMsgId++) }, forgery);
    },
    advance: (ms) => account.advance(ms),
    now: () => account.now(),
    sentTo: (openid) => account.sent.filter((m) => m.openid === openid),
    get sent() {
      return account.sent;
    },
    async waitForSent(openid, count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const sent = account.sent.filter((m) => m.openid === openid);
        if (sent.length >= count) return sent;
        if (Date.now() > deadline) {
          throw new Error(`waited ${timeoutMs} ms for ${count} message(s) to ${openid}, got ${sent.length}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    setIpWhitelisted(allowed) {
      account.ipWhitelisted = allowed;
    },
    revokeTokens: () => account.revokeTokens(),
    get tokensIssued() {
      return account.tokensIssued;
    },
    user: (openid) => account.users.get(openid),
    pushes: pusher.log,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
