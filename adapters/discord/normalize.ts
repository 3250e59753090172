/**
 * discord.js objects → Verity inbound events. discord.js copies gateway fields as they
 * come, so its TypeScript types promise more than a malformed dispatch delivers: every
 * field we use is read into a plain view and checked with zod before an event is built.
 * "Ignored" (our own messages, other guilds, system messages) is kept apart from "invalid".
 */
import type { GuildMember, Interaction, Message, PartialGuildMember, PartialMessage, User } from 'discord.js';
import { z } from 'zod';
import type { InboundEventInput } from '../../src/core/model.ts';

export type Normalized =
  | { kind: 'event'; event: InboundEventInput }
  | { kind: 'ignored'; why: string }
  | { kind: 'invalid'; reason: string };

export interface NormalizeContext {
  botId: string;
  /** Empty: every guild. */
  guildIds: ReadonlySet<string>;
  supportChannelIds: ReadonlySet<string>;
}

const Snowflake = z.string().regex(/^\d{1,21}$/);
const Time = z.number().int().nonnegative();

const UserView = z.object({
  id: Snowflake,
  username: z.string().max(256),
  globalName: z.string().max(512).nullable(),
  bot: z.boolean(),
});
type UserView = z.infer<typeof UserView>;

const ChannelView = z.object({
  id: Snowflake,
  /** discord.js ChannelType: 1 DM, 10/11/12 threads, anything else a guild channel. */
  type: z.number().int(),
  name: z.string().max(512).nullable(),
  /** Threads: who created it (our tickets are created by the bot). */
  ownerId: Snowflake.nullable(),
});

const MessageView = z.object({
  id: Snowflake,
  guildId: Snowflake.nullable(),
  channel: ChannelView,
  author: UserView,
  nickname: z.string().max(512).nullable(),
  content: z.string().max(65_536),
  system: z.boolean(),
  createdTimestamp: Time,
  editedTimestamp: Time.nullable(),
  referenceId: Snowflake.nullable(),
  mentionsBot: z.boolean(),
  repliedToBot: z.boolean(),
  attachments: z
    .array(
      z.object({
        id: Snowflake,
        name: z.string().max(512),
        size: z.number().int().nonnegative(),
        contentType: z.string().max(128).nullable(),
        url: z.string().max(4096),
      }),
    )
    .max(20),
});
type MessageView = z.infer<typeof MessageView>;

/** Reads a view from a library object; a getter that throws on a malformed object is a failure too. */
function readView<S extends z.ZodType>(
  schema: S,
  read: () => unknown,
): { ok: true; view: z.output<S> } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = read();
  } catch (error) {
    return { ok: false, reason: `unreadable: ${error instanceof Error ? error.message : String(error)}` };
  }
  const parsed = schema.safeParse(raw);
  return parsed.success
    ? { ok: true, view: parsed.data }
    : { ok: false, reason: z.prettifyError(parsed.error) };
}

function readUser(user: User | null | undefined): unknown {
  return user
    ? { id: user.id, username: user.username, globalName: user.globalName, bot: user.bot }
    : undefined;
}

function sender(user: UserView, nickname: string | null) {
  return {
    channel: 'discord',
    userId: user.id,
    handle: user.username,
    displayName: nickname ?? user.globalName ?? user.username,
    isBot: user.bot,
  };
}

const DM = 1;
const THREAD_TYPES = new Set([10, 11, 12]);

export function threadOf(channel: z.infer<typeof ChannelView>, guildId: string | null) {
  if (!guildId || channel.type === DM) return { key: channel.id, kind: 'private' as const };
  const kind = THREAD_TYPES.has(channel.type) ? ('thread' as const) : ('group' as const);
  return { key: channel.id, kind, ...(channel.name ? { title: channel.name } : {}) };
}

function readMessage(message: Message | PartialMessage, botId: string): unknown {
  const channel = message.channel;
  return {
    id: message.id,
    guildId: message.guildId,
    channel: {
      id: channel.id,
      type: channel.type,
      name: 'name' in channel ? channel.name : null,
      ownerId: channel.isThread() ? channel.ownerId : null,
    },
    author: readUser(message.author),
    nickname: message.member?.nickname ?? null,
    content: message.content,
    system: message.system,
    createdTimestamp: message.createdTimestamp,
    editedTimestamp: message.editedTimestamp,
    referenceId: message.reference?.messageId ?? null,
    mentionsBot: message.mentions.users.has(botId),
    repliedToBot: message.mentions.repliedUser?.id === botId,
    attachments: [...message.attachments.values()].map((a) => ({
      id: a.id,
      name: a.name,
      size: a.size,
      contentType: a.contentType,
      url: a.url,
    })),
  };
}

function screen(view: MessageView, ctx: NormalizeContext): string | undefined {
  if (view.author.id === ctx.botId) return 'our own message';
  if (view.system) return 'a system message';
  if (view.guildId && ctx.guildIds.size > 0 && !ctx.guildIds.has(view.guildId))
    return 'a guild we do not serve';
  return undefined;
}

function attachmentType(contentType: string | null): 'photo' | 'video' | 'audio' | 'document' {
  if (contentType?.startsWith('image/')) return 'photo';
  if (contentType?.startsWith('video/')) return 'video';
  if (contentType?.startsWith('audio/')) return 'audio';
  return 'document';
}

export function normalizeMessage(message: Message | PartialMessage, ctx: NormalizeContext): Normalized {
  const read = readView(MessageView, () => readMessage(message, ctx.botId));
  if (!read.ok) return { kind: 'invalid', reason: read.reason };
  const view = read.view;
  const why = screen(view, ctx);
  if (why) return { kind: 'ignored', why };
  const thread = threadOf(view.channel, view.guildId);
  const addressedToBot =
    thread.kind === 'private' ||
    view.mentionsBot ||
    view.repliedToBot ||
    ctx.supportChannelIds.has(view.channel.id) ||
    (thread.kind === 'thread' && view.channel.ownerId === ctx.botId);
  return {
    kind: 'event',
    event: {
      type: 'message',
      channel: 'discord',
      eventId: view.id,
      thread,
      sender: sender(view.author, view.nickname),
      at: view.createdTimestamp,
      platformMessageId: view.id,
      text: view.content,
      attachments: view.attachments.map((a) => ({
        type: attachmentType(a.contentType),
        name: a.name,
        size: a.size,
        ...(a.contentType ? { mimeType: a.contentType } : {}),
        fileId: a.url,
      })),
      ...(view.referenceId ? { replyToPlatformId: view.referenceId } : {}),
      addressedToBot,
    },
  };
}

export function normalizeEdit(message: Message | PartialMessage, ctx: NormalizeContext): Normalized {
  const read = readView(MessageView, () => readMessage(message, ctx.botId));
  if (!read.ok) return { kind: 'invalid', reason: read.reason };
  const view = read.view;
  const why = screen(view, ctx);
  if (why) return { kind: 'ignored', why };
  if (view.editedTimestamp === null)
    return { kind: 'ignored', why: 'an update that is not an edit (embeds unfurled)' };
  return {
    kind: 'event',
    event: {
      type: 'edit',
      channel: 'discord',
      eventId: `${view.id}:edit:${view.editedTimestamp}`,
      thread: threadOf(view.channel, view.guildId),
      sender: sender(view.author, view.nickname),
      at: view.editedTimestamp,
      platformMessageId: view.id,
      text: view.content,
    },
  };
}

const MemberView = z.object({
  guildId: Snowflake,
  guildName: z.string().max(512).nullable(),
  user: UserView,
  nickname: z.string().max(512).nullable(),
  joinedTimestamp: Time.nullable(),
});

function readMember(member: GuildMember | PartialGuildMember): unknown {
  return {
    guildId: member.guild.id,
    guildName: member.guild.name ?? null,
    user: readUser(member.user),
    nickname: member.nickname,
    joinedTimestamp: member.joinedTimestamp,
  };
}

const PreviousNames = z.object({ handle: z.string().max(256), displayName: z.string().max(512) });

function memberScreen(guildId: string, ctx: NormalizeContext): string | undefined {
  return ctx.guildIds.size > 0 && !ctx.guildIds.has(guildId) ? 'a guild we do not serve' : undefined;
}

export function normalizeJoin(member: GuildMember, ctx: NormalizeContext): Normalized {
  const read = readView(MemberView, () => readMember(member));
  if (!read.ok) return { kind: 'invalid', reason: read.reason };
  const v = read.view;
  const why = memberScreen(v.guildId, ctx);
  if (why) return { kind: 'ignored', why };
  const at = v.joinedTimestamp ?? Date.now();
  return {
    kind: 'event',
    event: {
      type: 'member',
      channel: 'discord',
      eventId: `${v.guildId}:${v.user.id}:join:${at}`,
      thread: { key: v.guildId, kind: 'group', ...(v.guildName ? { title: v.guildName } : {}) },
      sender: sender(v.user, v.nickname),
      at,
      change: 'joined',
    },
  };
}

/**
 * A nickname or user-name change. `previous` is what the member looked like before, so
 * the trust layer can tell a member who just became "Support Team" from one who always was.
 * Discord gives no time for renames: the event is stamped when received.
 */
export function normalizeRename(
  member: GuildMember | PartialGuildMember,
  readPrevious: () => { handle: unknown; displayName: unknown },
  ctx: NormalizeContext,
  now = Date.now(),
): Normalized {
  const read = readView(MemberView, () => readMember(member));
  if (!read.ok) return { kind: 'invalid', reason: read.reason };
  const v = read.view;
  const why = memberScreen(v.guildId, ctx);
  if (why) return { kind: 'ignored', why };
  const current = sender(v.user, v.nickname);
  // Unreadable old names still leave a rename worth reporting: the new name is what the trust layer checks.
  const old = readView(PreviousNames, readPrevious);
  const previous = old.ok ? old.view : undefined;
  if (previous && current.handle === previous.handle && current.displayName === previous.displayName) {
    return { kind: 'ignored', why: 'a member update that changed no name' };
  }
  return {
    kind: 'event',
    event: {
      type: 'member',
      channel: 'discord',
      eventId: `${v.guildId}:${v.user.id}:rename:${now}`,
      thread: { key: v.guildId, kind: 'group', ...(v.guildName ? { title: v.guildName } : {}) },
      sender: current,
      at: now,
      change: 'renamed',
      ...(previous ? { previous } : {}),
    },
  };
}

const InteractionView = z.object({
  id: Snowflake,
  guildId: Snowflake.nullable(),
  channel: ChannelView,
  user: UserView,
  nickname: z.string().max(512).nullable(),
  roles: z.array(Snowflake),
  createdTimestamp: Time,
});
export type InteractionView = z.infer<typeof InteractionView>;

/** The parts of an interaction every handler needs, checked. */
export function readInteraction(
  interaction: Interaction,
): { ok: true; view: InteractionView } | { ok: false; reason: string } {
  return readView(InteractionView, () => {
    const channel = interaction.channel;
    const member = interaction.inCachedGuild() ? interaction.member : null;
    return {
      id: interaction.id,
      guildId: interaction.guildId,
      // A DM channel is often not cached yet: its id and the missing guild tell enough.
      channel: channel
        ? {
            id: channel.id,
            type: channel.type,
            name: 'name' in channel ? channel.name : null,
            ownerId: channel.isThread() ? channel.ownerId : null,
          }
        : { id: interaction.channelId, type: interaction.guildId ? 0 : DM, name: null, ownerId: null },
      user: readUser(interaction.user),
      nickname: member?.nickname ?? null,
      roles: member ? [...member.roles.cache.keys()] : [],
      createdTimestamp: interaction.createdTimestamp,
    };
  });
}

/** A command invocation or component click as the router sees it. */
export function interactionEvent(
  view: InteractionView,
  data: string,
  platformMessageId?: string,
): InboundEventInput {
  return {
    type: 'button',
    channel: 'discord',
    eventId: view.id,
    thread: threadOf(view.channel, view.guildId),
    sender: sender(view.user, view.nickname),
    at: view.createdTimestamp,
    data: data.slice(0, 256),
    ...(platformMessageId ? { platformMessageId } : {}),
  };
}

/** Free text typed into a command option, as a message of its own. */
export function interactionText(view: InteractionView, text: string): InboundEventInput {
  return {
    type: 'message',
    channel: 'discord',
    eventId: `${view.id}:text`,
    thread: threadOf(view.channel, view.guildId),
    sender: sender(view.user, view.nickname),
    at: view.createdTimestamp,
    platformMessageId: `interaction:${view.id}`,
    text,
    addressedToBot: true,
  };
}
