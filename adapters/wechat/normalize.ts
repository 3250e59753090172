/**
 * wechaty messages and Official Account events → Verity inbound events. One code path for
 * every puppet: the caller has already dropped the bot's own messages. Every message type
 * becomes a typed attachment rather than being dropped; names that impersonators abuse
 * (a shared contact card's nickname, a forwarded article's title/account) are carried in
 * the text and in `details` so the trust layer sees them.
 */
import type { Logger } from 'pino';
import type { Message, Wechaty } from 'wechaty';
import { types } from 'wechaty';
import type { Attachment, InboundEventInput } from '../../src/core/model.ts';
import type { OaEventPush } from './oa/push.ts';

export const CHANNEL = 'wechat';
const MAX_TEXT = 65_536;

type Puppet = Wechaty['puppet'];

interface Body {
  text: string;
  attachments: Attachment[];
}

/** wechaty normalizes seconds vs milliseconds (OA vs mock); anything unusable becomes "now". */
export function eventTime(msg: Message): number {
  const ms = msg.date().getTime();
  return Number.isFinite(ms) && ms > 0 ? ms : Date.now();
}

function details(entries: Record<string, string | number | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entries))
    if (v !== undefined && v !== '') out[k] = String(v).slice(0, 4096);
  return out;
}

/** Personal-account puppets deliver a card as `<msg username="…" nickname="…" …/>`. */
function cardFromXml(text: string): { id?: string; name?: string } {
  const attr = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(text)?.[1];
  const id = attr('username');
  const name = attr('nickname');
  return { ...(id ? { id } : {}), ...(name ? { name } : {}) };
}

async function body(msg: Message, puppet: Puppet, log: Logger): Promise<Body> {
  const text = msg.text();
  const fileId = msg.id;
  switch (msg.type()) {
    case types.Message.Text:
      return { text, attachments: [] };
    case types.Message.Image:
      return { text: '', attachments: [{ type: 'photo', fileId }] };
    case types.Message.Audio:
      return { text, attachments: [{ type: 'voice', fileId, details: details({ recognition: text }) }] };
    case types.Message.Video:
      return { text: '', attachments: [{ type: 'video', fileId }] };
    case types.Message.Emoticon:
      return { text: '', attachments: [{ type: 'sticker', fileId }] };
    case types.Message.Attachment:
      return { text: '', attachments: [{ type: 'document', fileId, name: text.slice(0, 512) }] };
    case types.Message.Location: {
      // Not msg.toLocation(): wechaty 1.20 constructs LocationImpl directly there, which throws.
      const loc = await puppet.messageLocation(msg.id);
      const place = loc.name || loc.address;
      return {
        text: place,
        attachments: [
          {
            type: 'location',
            details: details({
              latitude: loc.latitude,
              longitude: loc.longitude,
              name: loc.name,
              address: loc.address,
              accuracy: loc.accuracy,
            }),
          },
        ],
      };
    }
    case types.Message.Url: {
      const link = await msg.toUrlLink();
      const description = link.description();
      return {
        text: [link.title(), description].filter(Boolean).join('\n'),
        attachments: [
          {
            type: 'link',
            url: link.url().slice(0, 4096),
            name: link.title().slice(0, 512),
            details: details({ title: link.title(), description, url: link.url() }),
          },
        ],
      };
    }
    case types.Message.Contact: {
      let card = cardFromXml(text);
      try {
        const contact = await msg.toContact();
        card = { id: contact.id, name: contact.name() || card.name || '' };
      } catch (error) {
        log.debug({ err: error, messageId: msg.id }, 'contact card not resolvable; using its XML');
      }
      return {
        text: card.name ?? '',
        attachments: [
          { type: 'contact', ...(card.name ? { name: card.name } : {}), details: details({ ...card }) },
        ],
      };
    }
    default:
      return {
        text,
        attachments: [{ type: 'other', fileId, details: details({ wechatType: types.Message[msg.type()] }) }],
      };
  }
}

export async function messageToEvent(msg: Message, puppet: Puppet, log: Logger): Promise<InboundEventInput> {
  const talker = msg.talker();
  const room = msg.room();
  const { text, attachments } = await body(msg, puppet, log);
  const displayName = talker.name();
  return {
    type: 'message',
    channel: CHANNEL,
    eventId: `msg:${msg.id}`,
    platformMessageId: msg.id,
    thread: room
      ? { key: room.id, kind: 'group', title: (await room.topic()).slice(0, 512) }
      : { key: talker.id, kind: 'private' },
    sender: {
      channel: CHANNEL,
      userId: talker.id,
      ...(displayName ? { displayName: displayName.slice(0, 512) } : {}),
    },
    at: eventTime(msg),
    text: text.slice(0, MAX_TEXT),
    attachments,
    addressedToBot: room ? await msg.mentionSelf() : true,
  };
}

/** Keep what we can rather than lose a message whose details could not be read. */
export function partialEvent(msg: Message, error: string): InboundEventInput {
  const room = msg.room();
  return {
    type: 'message',
    channel: CHANNEL,
    eventId: `msg:${msg.id}`,
    platformMessageId: msg.id,
    thread: room ? { key: room.id, kind: 'group' } : { key: msg.talker().id, kind: 'private' },
    sender: { channel: CHANNEL, userId: msg.talker().id },
    at: eventTime(msg),
    text: msg.text().slice(0, MAX_TEXT),
    attachments: [{ type: 'other', details: { error: error.slice(0, 512) } }],
  };
}

/**
 * Follow → member joined (the router greets and sends the verification message, and a
 * follower who comes back is reachable again); unfollow → unreachable, "blocked" as WeChat's
 * 43004 refusal says of a send to them; a menu click or QR scan → a button press. Other
 * events (VIEW, periodic LOCATION reports, template-send receipts) carry nothing for
 * support: undefined.
 */
export function oaEventToEvent(push: OaEventPush, displayName?: string): InboundEventInput | undefined {
  const base = {
    channel: CHANNEL,
    eventId: `ev:${push.FromUserName}:${push.CreateTime}:${push.Event}:${push.EventKey ?? ''}`,
    thread: { key: push.FromUserName, kind: 'private' as const },
    sender: { channel: CHANNEL, userId: push.FromUserName, ...(displayName ? { displayName } : {}) },
    at: push.CreateTime * 1000,
  };
  switch (push.Event) {
    case 'subscribe':
      return { ...base, type: 'member', change: 'joined' };
    case 'unsubscribe':
      return { ...base, type: 'reachability', unreachable: 'blocked' };
    case 'CLICK':
      return push.EventKey ? { ...base, type: 'button', data: push.EventKey.slice(0, 256) } : undefined;
    case 'SCAN':
      return { ...base, type: 'button', data: `scan:${push.EventKey ?? ''}`.slice(0, 256) };
    default:
      return undefined;
  }
}
