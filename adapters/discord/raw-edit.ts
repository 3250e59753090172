/**
 * Edits in DM channels discord.js has not seen since it started. Its MESSAGE_UPDATE handler
 * resolves the channel without a type, gets no text channel, and drops the update without
 * an event, so a user who edits an old DM (say, to swap an address) would go unnoticed. For
 * exactly that case the raw dispatch is checked and turned into the edit event here.
 */
import type { Client } from 'discord.js';
import { z } from 'zod';
import type { NormalizeContext, Normalized } from './normalize.ts';

const Snowflake = z.string().regex(/^\d{1,21}$/);

const RawDmEdit = z.object({
  t: z.literal('MESSAGE_UPDATE'),
  d: z.object({
    id: Snowflake,
    channel_id: Snowflake,
    guild_id: z.undefined().optional(),
    author: z.object({
      id: Snowflake,
      username: z.string().max(256),
      global_name: z.string().max(512).nullish(),
      bot: z.boolean().optional(),
    }),
    content: z.string().max(65_536),
    edited_timestamp: z.iso.datetime({ offset: true }),
  }),
});

/** The edit event for a raw MESSAGE_UPDATE discord.js will drop; `undefined` for any other packet. */
export function rawDmEdit(packet: unknown, client: Client, ctx: NormalizeContext): Normalized | undefined {
  // Every dispatch passes here and few are edits: a failed parse (an error built) for each
  // cost about as much as normalizing the message itself (profiled in bench/discord.ts).
  if (typeof packet !== 'object' || packet === null || Reflect.get(packet, 't') !== 'MESSAGE_UPDATE')
    return undefined;
  const parsed = RawDmEdit.safeParse(packet);
  if (!parsed.success) return undefined;
  const { d } = parsed.data;
  const cached = client.channels.cache.get(d.channel_id);
  if (cached?.isTextBased()) return undefined;
  if (d.author.id === ctx.botId) return { kind: 'ignored', why: 'our own message' };
  const at = Date.parse(d.edited_timestamp);
  return {
    kind: 'event',
    event: {
      type: 'edit',
      channel: 'discord',
      eventId: `${d.id}:edit:${at}`,
      thread: { key: d.channel_id, kind: 'private' },
      sender: {
        channel: 'discord',
        userId: d.author.id,
        handle: d.author.username,
        displayName: d.author.global_name ?? d.author.username,
        isBot: d.author.bot ?? false,
      },
      at,
      platformMessageId: d.id,
      text: d.content,
    },
  };
}
