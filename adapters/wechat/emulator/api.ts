/**
 * The emulator's `cgi-bin` HTTP surface: the calls the Official Account puppet makes, with
 * WeChat's JSON envelopes and errcodes. Bodies are validated as strictly as WeChat does
 * (unknown msgtype → 40008, oversized text → 45002) so adapter bugs show up here.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { type EmulatedAccount, ERR } from './account.ts';

export const MAX_TEXT_BYTES = 2048;

const MediaRef = z.object({ media_id: z.string().min(1) });
const CustomSend = z.discriminatedUnion('msgtype', [
  z.object({
    touser: z.string().min(1),
    msgtype: z.literal('text'),
    text: z.object({ content: z.string().min(1) }),
  }),
  z.object({ touser: z.string().min(1), msgtype: z.literal('image'), image: MediaRef }),
  z.object({ touser: z.string().min(1), msgtype: z.literal('voice'), voice: MediaRef }),
  z.object({
    touser: z.string().min(1),
    msgtype: z.literal('video'),
    video: MediaRef.extend({ title: z.string().optional(), description: z.string().optional() }),
  }),
  z.object({
    touser: z.string().min(1),
    msgtype: z.literal('news'),
    news: z.object({
      articles: z
        .array(
          z.object({
            title: z.string().min(1),
            description: z.string().optional(),
            url: z.string().min(1),
            picurl: z.string().optional(),
          }),
        )
        .length(1),
    }),
  }),
  z.object({
    touser: z.string().min(1),
    msgtype: z.literal('msgmenu'),
    msgmenu: z.object({
      head_content: z.string().optional(),
      list: z.array(z.object({ id: z.string(), content: z.string() })).min(1),
      tail_content: z.string().optional(),
    }),
  }),
]);

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

export async function handleApi(
  account: EmulatedAccount,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const route = `${req.method} ${url.pathname}`;
  const q = url.searchParams;

  if (route === 'GET /cgi-bin/token') {
    json(res, account.issueToken(q.get('appid') ?? '', q.get('secret') ?? ''));
    return;
  }
  const body = await readBody(req);
  const tokenError = account.checkToken(q.get('access_token'));
  if (tokenError) {
    json(res, tokenError);
    return;
  }

  switch (route) {
    case 'POST /cgi-bin/message/custom/send':
      json(res, customSend(account, body));
      return;
    case 'POST /cgi-bin/message/custom/typing':
      json(res, { errcode: 0, errmsg: 'ok' });
      return;
    case 'POST /cgi-bin/media/upload':
      json(res, upload(account, q.get('type'), req.headers['content-type'], body));
      return;
    case 'GET /cgi-bin/user/info': {
      const user = account.users.get(q.get('openid') ?? '');
      if (!user) {
        json(res, ERR.invalidOpenId);
        return;
      }
      json(
        res,
        user.subscribed
          ? {
              subscribe: 1,
              openid: user.openid,
              nickname: user.nickname,
              language: 'zh_CN',
              headimgurl: '',
              subscribe_time: Math.floor((user.followedAt ?? account.now()) / 1000),
              remark: '',
            }
          : { subscribe: 0, openid: user.openid },
      );
      return;
    }
    default:
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errcode: 40066, errmsg: `invalid url ${url.pathname}` }));
  }
}

function customSend(account: EmulatedAccount, body: Buffer): { errcode: number; errmsg: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    return { errcode: 47001, errmsg: 'data format error' };
  }
  if (typeof raw === 'object' && raw !== null && 'msgtype' in raw) {
    const known = CustomSend.options.some((o) => o.shape.msgtype.value === raw.msgtype);
    if (!known) return ERR.invalidMessageType;
  }
  const parsed = CustomSend.safeParse(raw);
  if (!parsed.success)
    return { errcode: 47001, errmsg: `data format error: ${z.prettifyError(parsed.error)}` };
  const message = parsed.data;
  if (message.msgtype === 'text' && Buffer.byteLength(message.text.content, 'utf8') > MAX_TEXT_BYTES) {
    return ERR.contentTooLong;
  }
  for (const ref of [
    message.msgtype === 'image' ? message.image : undefined,
    message.msgtype === 'voice' ? message.voice : undefined,
    message.msgtype === 'video' ? message.video : undefined,
  ]) {
    if (ref && !account.media.has(ref.media_id)) return ERR.invalidMediaId;
  }
  const { touser, msgtype, ...rest } = message;
  const content = message.msgtype === 'text' ? message.text.content : JSON.stringify(rest);
  return account.deliver(touser, msgtype, rest, content) ?? { errcode: 0, errmsg: 'ok' };
}

function upload(
  account: EmulatedAccount,
  type: string | null,
  contentType: string | undefined,
  body: Buffer,
): Record<string, unknown> {
  if (type === null || !['image', 'voice', 'video', 'thumb'].includes(type)) {
    return { errcode: 40004, errmsg: 'invalid media type' };
  }
  if (!contentType?.startsWith('multipart/form-data') || body.length === 0) {
    return { errcode: 41005, errmsg: 'media data missing' };
  }
  const mediaId = randomBytes(16).toString('base64url');
  account.media.set(mediaId, { type, size: body.length });
  return { type, media_id: mediaId, created_at: Math.floor(account.now() / 1000) };
}
