/**
 * `wechaty-puppet-official-account` 1.10.14 with its transport replaced.
 *
 * The stock puppet builds its `OfficialAccount` (Express webhook, unirest client, LevelDB
 * store) inside `onStart` with a hard-coded `https://api.weixin.qq.com/cgi-bin/`, leaves
 * POST pushes unauthenticated, never answers non-CLICK events, re-emits retries, drops
 * location/video/link pushes and voice `Recognition`, and throws away WeChat's errcode on
 * send errors. Those faults sit in protected members of an object the puppet creates
 * itself, so patching them would mean reaching into private state. Instead this subclass
 * keeps the puppet's wechaty surface (ids `gh_<appId>`, contact/room/tag stubs) and
 * supplies its own pieces: `OaCallbackServer` (authenticated, answers in time, dedupes),
 * `OaApiClient` (configurable base, errcodes kept), and an in-memory payload store (no
 * LevelDB, no HOME needed).
 *
 * Messages reach wechaty as `message` events; platform events (follow, unfollow, scan,
 * menu click …) have no wechaty counterpart and are published on `oaEvents`.
 */

import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { type payloads, types } from 'wechaty';
import { PuppetOA } from 'wechaty-puppet-official-account';
import type { OaSettings } from './config.ts';
import { OaApiClient, type OaUserInfo } from './oa/api-client.ts';
import { OaCallbackServer } from './oa/callback-server.ts';
import { aesKeyFrom } from './oa/crypto.ts';
import type { OaEventPush, OaMessagePush, OaPush } from './oa/push.ts';

/** The Official Account's settings (the two limits may be left to their defaults), and a logger. */
export type HardenedOaPuppetOptions = Omit<OaSettings, 'maxSkewSeconds' | 'answerBudgetMs'> &
  Partial<Pick<OaSettings, 'maxSkewSeconds' | 'answerBudgetMs'>> & { logger: Logger };

type StoredPush = Exclude<OaPush, { kind: 'event' }>;
/** Called by the consumer once a push is stored (or with the error when it cannot be). */
export type Acknowledge = (error?: unknown) => void;

const MAX_STORED = 10_000;
const CONTACT_TTL_MS = 10 * 60_000;
const HEARTBEAT_MS = 15_000;

export class HardenedOaPuppet extends PuppetOA {
  /** Follow/unfollow/scan/click and other `MsgType=event` pushes, once each. */
  readonly oaEvents = new EventEmitter<{ event: [OaEventPush, Acknowledge] }>();
  private readonly api: OaApiClient;
  private readonly server: OaCallbackServer;
  private readonly messages = new Map<string, StoredPush>();
  private readonly contacts = new Map<string, { payload: payloads.Contact; at: number }>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly pendingAcks = new Map<string, Acknowledge>();
  private readonly log: Logger;

  constructor(private readonly settings: HardenedOaPuppetOptions) {
    super({
      appId: settings.appId,
      appSecret: settings.appSecret,
      token: settings.token,
      port: settings.port,
    });
    this.log = settings.logger;
    this.api = new OaApiClient({
      apiBase: settings.apiBase,
      appId: settings.appId,
      appSecret: settings.appSecret,
      logger: settings.logger,
    });
    this.server = new OaCallbackServer({
      appId: settings.appId,
      token: settings.token,
      ...(settings.encodingAesKey ? { aesKey: aesKeyFrom(settings.encodingAesKey) } : {}),
      host: settings.host,
      port: settings.port,
      maxSkewSeconds: settings.maxSkewSeconds ?? 300,
      answerBudgetMs: settings.answerBudgetMs ?? 0,
      logger: settings.logger,
      onPush: (push) => this.onPush(push),
    });
  }

  get accountId(): string {
    return `gh_${this.settings.appId}`;
  }

  /** Where the callback server listens (its port is only known after start with port 0). */
  callbackAddress(): { host: string; port: number } | undefined {
    const address = this.server.address();
    return address ? { host: address.address, port: address.port } : undefined;
  }

  override async onStart(): Promise<void> {
    // A wrong secret or a server outside the IP whitelist fails here, before we accept pushes.
    await this.api.verify();
    await this.server.listen();
    this.heartbeat = setInterval(
      () => this.emit('heartbeat', { data: 'oa callback server listening' }),
      HEARTBEAT_MS,
    );
    this.heartbeat.unref();
    this.login(this.accountId);
    this.emit('ready', { data: 'ready' });
  }

  override async onStop(): Promise<void> {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.server.close();
    if (this.isLoggedIn) await this.logout('stopped');
  }

  /** Settles once the consumer acknowledges (never later than the answer budget needs). */
  private onPush(push: OaPush): Promise<void> {
    this.emit('heartbeat', { data: 'push received' });
    const budget = this.settings.answerBudgetMs ?? 0;
    return new Promise<void>((resolve, reject) => {
      const timer = budget > 0 ? setTimeout(() => settle(), budget).unref() : undefined;
      const settle: Acknowledge = (error) => {
        clearTimeout(timer);
        if (push.kind !== 'event') this.pendingAcks.delete(push.push.MsgId);
        if (error === undefined) resolve();
        else reject(error);
      };
      if (push.kind === 'event') {
        if (!this.oaEvents.emit('event', push.push, settle)) settle();
      } else {
        remember(this.messages, push.push.MsgId, push);
        if (budget > 0) this.pendingAcks.set(push.push.MsgId, settle);
        this.emit('message', { messageId: push.push.MsgId });
      }
      if (budget <= 0) settle();
    });
  }

  /** The consumer has stored message `messageId` (or failed to, with `error`). */
  acknowledge(messageId: string, error?: unknown): void {
    this.pendingAcks.get(messageId)?.(error);
  }

  /** The stock raw→parse pipeline cannot carry typed fields, so payloads are built here. */
  override async messagePayload(messageId: string): Promise<payloads.Message> {
    const stored = this.storedPush(messageId);
    const base = {
      id: stored.push.MsgId,
      talkerId: stored.push.FromUserName,
      // ToUserName is the account's original id (gh_…), not the gh_<appId> wechaty knows us by.
      listenerId: this.accountId,
      timestamp: stored.push.CreateTime,
    };
    if (stored.kind === 'other') return { ...base, type: types.Message.Unknown, text: '' };
    const push = stored.push;
    switch (push.MsgType) {
      case 'text':
        return { ...base, type: types.Message.Text, text: push.Content };
      case 'image':
        return {
          ...base,
          type: types.Message.Image,
          text: '',
          ...(push.PicUrl ? { filename: push.PicUrl } : {}),
        };
      case 'voice':
        return { ...base, type: types.Message.Audio, text: push.Recognition ?? '' };
      case 'video':
      case 'shortvideo':
        return { ...base, type: types.Message.Video, text: '' };
      case 'location':
        return { ...base, type: types.Message.Location, text: push.Label ?? '' };
      case 'link':
        return { ...base, type: types.Message.Url, text: push.Title };
    }
  }

  /** The typed push behind a message (media ids, recognition text, coordinates …). */
  storedPush(messageId: string): StoredPush {
    const push = this.messages.get(messageId);
    if (!push) throw new Error(`wechat message ${messageId} is not (or no longer) in the payload store`);
    return push;
  }

  private knownPush(messageId: string): OaMessagePush | undefined {
    const stored = this.storedPush(messageId);
    return stored.kind === 'message' ? stored.push : undefined;
  }

  override async messageLocation(messageId: string): Promise<payloads.Location> {
    const push = this.knownPush(messageId);
    if (push?.MsgType !== 'location') throw new Error(`wechat message ${messageId} is not a location`);
    return {
      accuracy: push.Scale ?? 0,
      address: push.Label ?? '',
      latitude: push.Location_X,
      longitude: push.Location_Y,
      name: push.Label ?? '',
    };
  }

  override async messageUrl(messageId: string): Promise<payloads.UrlLink> {
    const push = this.knownPush(messageId);
    if (push?.MsgType !== 'link') throw new Error(`wechat message ${messageId} is not a link`);
    return {
      title: push.Title,
      url: push.Url,
      ...(push.Description ? { description: push.Description } : {}),
    };
  }

  /**
   * Contacts come from `user/info`; when that fails (unfollowed user, API hiccup) a bare
   * payload is returned instead, because wechaty drops a message whose talker cannot load.
   */
  override async contactPayload(contactId: string): Promise<payloads.Contact> {
    if (contactId.startsWith('gh_')) return bareContact(contactId, 'Official Account');
    const cached = this.contacts.get(contactId);
    if (cached && Date.now() - cached.at < CONTACT_TTL_MS) return cached.payload;
    let payload: payloads.Contact;
    try {
      payload = contactFromUserInfo(await this.api.userInfo(contactId));
    } catch (error) {
      this.log.warn({ err: error, contactId }, 'wechat user/info failed; using a bare contact');
      return bareContact(contactId, '');
    }
    remember(this.contacts, contactId, { payload, at: Date.now() });
    return payload;
  }

  override async messageSendText(conversationId: string, text: string): Promise<string> {
    await this.api.sendCustom(conversationId, { msgtype: 'text', text: { content: text } });
    return `out-${randomUUID()}`;
  }

  override async messageSendUrl(conversationId: string, link: payloads.UrlLink): Promise<string> {
    await this.api.sendCustom(conversationId, {
      msgtype: 'news',
      news: {
        articles: [
          {
            title: link.title,
            url: link.url,
            ...(link.description ? { description: link.description } : {}),
            ...(link.thumbnailUrl ? { picurl: link.thumbnailUrl } : {}),
          },
        ],
      },
    });
    return `out-${randomUUID()}`;
  }

  override async messageSendFile(
    conversationId: string,
    file: Parameters<PuppetOA['messageSendFile']>[1],
  ): Promise<string> {
    const mime = file.mediaType;
    const kind = mime.startsWith('image/')
      ? 'image'
      : mime.startsWith('audio/')
        ? 'voice'
        : mime === 'video/mp4'
          ? 'video'
          : undefined;
    if (!kind) throw new Error(`WeChat customer-service messages cannot carry ${mime}`);
    const buffer = await file.toBuffer();
    const mediaId = await this.api.uploadMedia(
      kind,
      new Blob([new Uint8Array(buffer)], { type: mime }),
      file.name,
    );
    const message =
      kind === 'image'
        ? { msgtype: 'image' as const, image: { media_id: mediaId } }
        : kind === 'voice'
          ? { msgtype: 'voice' as const, voice: { media_id: mediaId } }
          : { msgtype: 'video' as const, video: { media_id: mediaId } };
    await this.api.sendCustom(conversationId, message);
    return `out-${randomUUID()}`;
  }
}

/** Map insertion order is age order: past the cap, the oldest entry goes. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_STORED) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}

function bareContact(id: string, name: string): payloads.Contact {
  return {
    id,
    name,
    gender: types.ContactGender.Unknown,
    type: types.Contact.Individual,
    phone: [],
    avatar: '',
  };
}

function contactFromUserInfo(info: OaUserInfo): payloads.Contact {
  return {
    ...bareContact(info.openid, info.nickname ?? ''),
    friend: info.subscribe === 1,
    ...(info.remark ? { alias: info.remark } : {}),
    ...(info.headimgurl ? { avatar: info.headimgurl } : {}),
    ...(info.unionid ? { weixin: info.unionid } : {}),
  };
}
