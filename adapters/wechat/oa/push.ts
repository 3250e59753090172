/**
 * What WeChat pushes to the callback URL, parsed (never cast) from the flat XML fields.
 * Messages carry a MsgId; events do not, and WeChat's own advice is to deduplicate them
 * by FromUserName + CreateTime. Message types this code does not know are kept as
 * `other` so that nothing a user sent is dropped silently.
 */
import { z } from 'zod';

const Base = z.object({
  ToUserName: z.string().min(1),
  FromUserName: z.string().min(1),
  CreateTime: z.coerce.number().int().positive(),
});
const WithMsgId = Base.extend({ MsgId: z.string().min(1).max(64) });

export const OaMessagePush = z.discriminatedUnion('MsgType', [
  WithMsgId.extend({ MsgType: z.literal('text'), Content: z.string() }),
  WithMsgId.extend({ MsgType: z.literal('image'), PicUrl: z.string().optional(), MediaId: z.string() }),
  WithMsgId.extend({
    MsgType: z.literal('voice'),
    MediaId: z.string(),
    Format: z.string().optional(),
    Recognition: z.string().optional(),
  }),
  WithMsgId.extend({
    MsgType: z.enum(['video', 'shortvideo']),
    MediaId: z.string(),
    ThumbMediaId: z.string().optional(),
  }),
  WithMsgId.extend({
    MsgType: z.literal('location'),
    Location_X: z.coerce.number().min(-90).max(90),
    Location_Y: z.coerce.number().min(-180).max(180),
    Scale: z.coerce.number().optional(),
    Label: z.string().optional(),
  }),
  WithMsgId.extend({
    MsgType: z.literal('link'),
    Title: z.string(),
    Description: z.string().optional(),
    Url: z.string(),
  }),
]);
export type OaMessagePush = z.infer<typeof OaMessagePush>;

export const OaOtherPush = WithMsgId.extend({ MsgType: z.string().min(1) });
export type OaOtherPush = z.infer<typeof OaOtherPush>;

export const OaEventPush = Base.extend({
  MsgType: z.literal('event'),
  Event: z.string().min(1),
  EventKey: z.string().optional(),
  Ticket: z.string().optional(),
});
export type OaEventPush = z.infer<typeof OaEventPush>;

export type OaPush =
  | { kind: 'message'; push: OaMessagePush }
  | { kind: 'other'; push: OaOtherPush }
  | { kind: 'event'; push: OaEventPush };

export type PushParse = { ok: true; value: OaPush } | { ok: false; reason: string };

export function parsePush(fields: Record<string, string>): PushParse {
  if (fields.MsgType === 'event') {
    const event = OaEventPush.safeParse(fields);
    return event.success
      ? { ok: true, value: { kind: 'event', push: event.data } }
      : { ok: false, reason: z.prettifyError(event.error) };
  }
  const known = OaMessagePush.safeParse(fields);
  if (known.success) return { ok: true, value: { kind: 'message', push: known.data } };
  const isKnownType = OaMessagePush.options.some((o) => o.shape.MsgType.safeParse(fields.MsgType).success);
  if (isKnownType) return { ok: false, reason: z.prettifyError(known.error) };
  const other = OaOtherPush.safeParse(fields);
  return other.success
    ? { ok: true, value: { kind: 'other', push: other.data } }
    : { ok: false, reason: z.prettifyError(other.error) };
}

/** Retries repeat the MsgId; events repeat sender + time (+ event and key, so two menu clicks in one second both count). */
export function pushDedupeKey(push: OaPush): string {
  if (push.kind === 'event') {
    const { FromUserName, CreateTime, Event, EventKey } = push.push;
    return `ev:${FromUserName}:${CreateTime}:${Event}:${EventKey ?? ''}`;
  }
  return `msg:${push.push.MsgId}`;
}
