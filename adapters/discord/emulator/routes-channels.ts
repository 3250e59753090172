/**
 * REST routes for the bot's identity, DMs, channels, messages, typing and threads.
 */
import { z } from 'zod';
import { channelPayload, messagePayload, userPayload } from './payloads.ts';
import { Errors, parseBody, type RestContext, type RestReply, type Route } from './rest.ts';
import { ChannelType, type EmuChannel, type EmuMessage, Perm } from './world.ts';

const MessageBody = z
  .object({
    content: z.string().max(2000).optional(),
    embeds: z.array(z.looseObject({})).max(10).optional(),
    components: z.array(z.looseObject({})).max(5).optional(),
    message_reference: z.looseObject({ message_id: z.string() }).optional(),
    allowed_mentions: z.looseObject({}).optional(),
    flags: z.number().int().optional(),
  })
  .loose();

const EditBody = MessageBody.partial();
const OpenDmBody = z.looseObject({ recipient_id: z.string() });
const ThreadBody = z.looseObject({
  name: z.string().min(1).max(100),
  type: z.number().int().optional(),
  invitable: z.boolean().optional(),
  auto_archive_duration: z.number().int().optional(),
});

function channelOr404(ctx: RestContext, id: string | undefined): EmuChannel {
  const channel = id ? ctx.world.channels.get(id) : undefined;
  if (!channel) throw Errors.unknownChannel();
  return channel;
}

function messageOr404(ctx: RestContext, channel: EmuChannel, id: string | undefined): EmuMessage {
  const message = id ? ctx.world.messages.get(id) : undefined;
  if (!message || message.deleted || message.channelId !== channel.id) throw Errors.unknownMessage();
  return message;
}

function assertCanSend(ctx: RestContext, channel: EmuChannel): void {
  if (channel.type === ChannelType.DM) {
    const recipient = channel.recipientId ? ctx.world.users.get(channel.recipientId) : undefined;
    if (!recipient || recipient.dmsClosed || recipient.bot) throw Errors.cannotDm();
    return;
  }
  const isThread = channel.type === ChannelType.PrivateThread || channel.type === ChannelType.PublicThread;
  const perm = isThread ? Perm.SendMessagesInThreads : Perm.SendMessages;
  if (!channel.botCanSend || !ctx.world.botHas(channel, perm)) throw Errors.missingPermissions();
}

/** Stores a message and dispatches MESSAGE_CREATE, as Discord does for every message. */
export function postMessage(
  ctx: RestContext,
  channel: EmuChannel,
  fields: Partial<Omit<EmuMessage, 'id' | 'channelId'>> & { authorId: string },
): EmuMessage {
  const message = ctx.world.addMessage({ ...fields, channelId: channel.id });
  ctx.gateway.dispatch('MESSAGE_CREATE', messagePayload(ctx.world, message));
  return message;
}

function createMessage(ctx: RestContext, channel: EmuChannel, body: unknown): EmuMessage {
  const data = parseBody(MessageBody, body);
  if (!data.content && !data.embeds?.length && !data.components?.length) throw Errors.emptyMessage();
  const referenceId = data.message_reference?.message_id ?? null;
  if (referenceId) messageOr404(ctx, channel, referenceId);
  return postMessage(ctx, channel, {
    authorId: ctx.world.bot.id,
    content: data.content ?? '',
    embeds: data.embeds ?? [],
    components: data.components ?? [],
    referenceId,
    allowedMentions: data.allowed_mentions ?? null,
    flags: data.flags ?? 0,
  });
}

function ok(body: unknown): RestReply {
  return { status: 200, body };
}

export const channelRoutes: Route[] = [
  {
    method: 'GET',
    pattern: '/gateway/bot',
    handle: (_req, ctx) =>
      ok({
        url: ctx.gateway.url,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 86_400_000, max_concurrency: 1 },
      }),
  },
  { method: 'GET', pattern: '/users/@me', handle: (_req, ctx) => ok(userPayload(ctx.world.bot)) },
  {
    method: 'GET',
    pattern: '/users/:user',
    handle: (req, ctx) => {
      const user = ctx.world.users.get(req.params.user ?? '');
      if (!user) throw Errors.unknownUser();
      return ok(userPayload(user));
    },
  },
  {
    method: 'POST',
    pattern: '/users/@me/channels',
    handle: (req, ctx) => {
      const { recipient_id } = parseBody(OpenDmBody, req.body);
      if (!ctx.world.users.has(recipient_id)) throw Errors.unknownUser();
      return ok(channelPayload(ctx.world, ctx.world.dmChannelFor(recipient_id)));
    },
  },
  {
    method: 'GET',
    pattern: '/channels/:channel',
    handle: (req, ctx) => ok(channelPayload(ctx.world, channelOr404(ctx, req.params.channel))),
  },
  {
    method: 'POST',
    pattern: '/channels/:channel/messages',
    handle: (req, ctx) => {
      const channel = channelOr404(ctx, req.params.channel);
      assertCanSend(ctx, channel);
      const message = createMessage(ctx, channel, req.body);
      ctx.world.record({ kind: 'message', channelId: channel.id, messageId: message.id, at: Date.now() });
      return ok(messagePayload(ctx.world, message));
    },
  },
  {
    method: 'GET',
    pattern: '/channels/:channel/messages/:message',
    handle: (req, ctx) => {
      const channel = channelOr404(ctx, req.params.channel);
      return ok(messagePayload(ctx.world, messageOr404(ctx, channel, req.params.message)));
    },
  },
  {
    method: 'PATCH',
    pattern: '/channels/:channel/messages/:message',
    handle: (req, ctx) => {
      const channel = channelOr404(ctx, req.params.channel);
      const message = messageOr404(ctx, channel, req.params.message);
      if (message.authorId !== ctx.world.bot.id) throw Errors.notAuthor();
      const data = parseBody(EditBody, req.body);
      if (data.content !== undefined) message.content = data.content;
      if (data.embeds) message.embeds = data.embeds;
      if (data.components) message.components = data.components;
      message.editedTimestamp = new Date().toISOString();
      ctx.world.record({ kind: 'edit', channelId: channel.id, messageId: message.id, at: Date.now() });
      const payload = messagePayload(ctx.world, message);
      ctx.gateway.dispatch('MESSAGE_UPDATE', payload);
      return ok(payload);
    },
  },
  {
    method: 'DELETE',
    pattern: '/channels/:channel/messages/:message',
    handle: (req, ctx) => {
      const channel = channelOr404(ctx, req.params.channel);
      const message = messageOr404(ctx, channel, req.params.message);
      const own = message.authorId === ctx.world.bot.id;
      if (!own && (channel.type === ChannelType.DM || !ctx.world.botHas(channel, Perm.ManageMessages))) {
        throw Errors.missingPermissions();
      }
      message.deleted = true;
      ctx.world.record({ kind: 'delete', channelId: channel.id, messageId: message.id, at: Date.now() });
      ctx.gateway.dispatch('MESSAGE_DELETE', {
        id: message.id,
        channel_id: channel.id,
        ...(channel.guildId ? { guild_id: channel.guildId } : {}),
      });
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: '/channels/:channel/typing',
    handle: (req, ctx) => {
      const channel = channelOr404(ctx, req.params.channel);
      assertCanSend(ctx, channel);
      ctx.world.record({ kind: 'typing', channelId: channel.id, at: Date.now() });
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: '/channels/:channel/threads',
    handle: (req, ctx) => {
      const parent = channelOr404(ctx, req.params.channel);
      const data = parseBody(ThreadBody, req.body);
      const type = data.type ?? ChannelType.PrivateThread;
      if (!parent.guildId || parent.type !== ChannelType.GuildText) throw Errors.unknownChannel();
      if (type === ChannelType.PrivateThread && !ctx.world.botHas(parent, Perm.CreatePrivateThreads)) {
        throw Errors.missingPermissions();
      }
      const thread = ctx.world.addChannel({
        type,
        name: data.name,
        guildId: parent.guildId,
        parentId: parent.id,
        ownerId: ctx.world.bot.id,
      });
      thread.memberIds.add(ctx.world.bot.id);
      ctx.world.record({
        kind: 'thread',
        channelId: thread.id,
        parentId: parent.id,
        name: data.name,
        at: Date.now(),
      });
      const payload = channelPayload(ctx.world, thread);
      ctx.gateway.dispatch('THREAD_CREATE', { ...payload, newly_created: true });
      return { status: 201, body: payload };
    },
  },
  {
    method: 'PUT',
    pattern: '/channels/:channel/thread-members/:user',
    handle: (req, ctx) => {
      const thread = channelOr404(ctx, req.params.channel);
      const userId = req.params.user ?? '';
      const guild = thread.guildId ? ctx.world.guilds.get(thread.guildId) : undefined;
      if (thread.type !== ChannelType.PrivateThread && thread.type !== ChannelType.PublicThread) {
        throw Errors.unknownChannel();
      }
      if (!guild?.members.has(userId)) throw Errors.unknownMember();
      thread.memberIds.add(userId);
      ctx.world.record({ kind: 'thread-member', channelId: thread.id, userId, at: Date.now() });
      return { status: 204 };
    },
  },
  {
    method: 'GET',
    pattern: '/channels/:channel/thread-members/:user',
    handle: (req, ctx) => {
      const thread = channelOr404(ctx, req.params.channel);
      const userId = req.params.user ?? '';
      if (!thread.memberIds.has(userId)) throw Errors.unknownMember();
      return {
        status: 200,
        body: { id: thread.id, user_id: userId, join_timestamp: new Date().toISOString(), flags: 0 },
      };
    },
  },
];
