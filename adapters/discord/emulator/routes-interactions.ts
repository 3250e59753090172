/**
 * REST routes for interaction callbacks, their followup webhooks, application commands
 * and guild members (timeouts). Interactions keep Discord's clock: the first callback
 * must come within the deadline (3 s), a second one is refused, followups need a first.
 */
import { z } from 'zod';
import { guildCreatePayload, memberPayload, messagePayload } from './payloads.ts';
import {
  ApiError,
  Errors,
  parseBody,
  type RestContext,
  type RestReply,
  type RestRequest,
  type Route,
} from './rest.ts';
import { postMessage } from './routes-channels.ts';
import { type EmuInteraction, type EmuMessage, Perm } from './world.ts';

const EPHEMERAL = 64;

const MessageData = z.looseObject({
  content: z.string().max(2000).optional(),
  embeds: z.array(z.looseObject({})).max(10).optional(),
  components: z.array(z.looseObject({})).max(5).optional(),
  flags: z.number().int().optional(),
});
const Callback = z.looseObject({ type: z.number().int(), data: z.unknown().optional() });
const CommandList = z.array(z.looseObject({ name: z.string().min(1).max(32) })).max(100);
const MemberPatch = z.looseObject({
  communication_disabled_until: z.iso.datetime({ offset: true }).nullable().optional(),
  nick: z.string().max(32).nullable().optional(),
});

/** The guild and (when asked) the member a `/guilds/:guild[/members/:user]` route names, or Discord's 404s. */
function guildOf(req: RestRequest, ctx: RestContext) {
  const guild = ctx.world.guilds.get(req.params.guild ?? '');
  if (!guild) throw Errors.unknownGuild();
  return guild;
}

function memberOf(req: RestRequest, ctx: RestContext) {
  const guild = guildOf(req, ctx);
  const member = guild.members.get(req.params.user ?? '');
  if (!member) throw Errors.unknownMember();
  return { guild, member };
}

function interactionByToken(ctx: RestContext, token: string | undefined): EmuInteraction {
  for (const interaction of ctx.world.interactions.values()) {
    if (interaction.token === token) return interaction;
  }
  throw Errors.unknownWebhook();
}

function interactionMessage(
  ctx: RestContext,
  interaction: EmuInteraction,
  data: z.infer<typeof MessageData>,
): EmuMessage {
  const channel = ctx.world.channels.get(interaction.channelId);
  if (!channel) throw Errors.unknownChannel();
  const fields = {
    authorId: ctx.world.bot.id,
    content: data.content ?? '',
    embeds: data.embeds ?? [],
    components: data.components ?? [],
    flags: data.flags ?? 0,
  };
  // Ephemeral messages exist only for the invoking user: no gateway dispatch.
  if ((fields.flags & EPHEMERAL) !== 0) {
    return ctx.world.addMessage({ ...fields, channelId: channel.id });
  }
  return postMessage(ctx, channel, fields);
}

function callback(
  req: { params: Record<string, string>; query: URLSearchParams; body: unknown },
  ctx: RestContext,
): RestReply {
  const interaction = ctx.world.interactions.get(req.params.interaction ?? '');
  if (!interaction || interaction.token !== req.params.token) throw Errors.unknownInteraction();
  if (interaction.callbackType !== null) throw Errors.alreadyAcknowledged();
  if (Date.now() - interaction.createdAt > ctx.interactionDeadlineMs) throw Errors.unknownInteraction();
  const body = parseBody(Callback, req.body);
  if (![4, 5, 6, 7, 9].includes(body.type))
    throw new ApiError(400, 50035, 'Invalid Form Body: unknown callback type');
  if ((body.type === 6 || body.type === 7) && interaction.type !== 3) {
    throw new ApiError(400, 50035, 'Invalid Form Body: this callback type needs a component interaction');
  }
  interaction.callbackType = body.type;
  let message: EmuMessage | undefined;
  if (body.type === 5) interaction.deferredFlags = parseBody(MessageData, body.data ?? {}).flags ?? 0;
  if (body.type === 7) {
    const target = interaction.messageId ? ctx.world.messages.get(interaction.messageId) : undefined;
    if (!target || target.deleted) throw Errors.unknownMessage();
    const data = parseBody(MessageData, body.data ?? {});
    if (data.content !== undefined) target.content = data.content;
    if (data.embeds) target.embeds = data.embeds;
    if (data.components) target.components = data.components;
    target.editedTimestamp = new Date().toISOString();
    ctx.gateway.dispatch('MESSAGE_UPDATE', messagePayload(ctx.world, target));
  }
  if (body.type === 4) {
    message = interactionMessage(ctx, interaction, parseBody(MessageData, body.data ?? {}));
    interaction.originalMessageId = message.id;
  }
  ctx.world.record({
    kind: 'interaction-response',
    channelId: interaction.channelId,
    interactionId: interaction.id,
    callbackType: body.type,
    data: body.data ?? null,
    at: Date.now(),
  });
  if (req.query.get('with_response') !== 'true') return { status: 204 };
  return {
    status: 200,
    body: {
      interaction: {
        id: interaction.id,
        type: interaction.type,
        activity_instance_id: null,
        response_message_id: message?.id ?? null,
        response_message_loading: body.type === 5,
        response_message_ephemeral: message ? (message.flags & EPHEMERAL) !== 0 : false,
      },
      resource: { type: body.type, ...(message ? { message: messagePayload(ctx.world, message) } : {}) },
    },
  };
}

function original(ctx: RestContext, interaction: EmuInteraction, id: string | undefined): EmuMessage {
  const messageId = id === '@original' ? interaction.originalMessageId : id;
  const message = messageId ? ctx.world.messages.get(messageId) : undefined;
  if (!message || message.deleted) throw Errors.unknownMessage();
  return message;
}

export const interactionRoutes: Route[] = [
  {
    method: 'POST',
    pattern: '/interactions/:interaction/:token/callback',
    unauthenticated: true,
    handle: callback,
  },
  {
    method: 'POST',
    pattern: '/webhooks/:app/:token',
    unauthenticated: true,
    handle: (req, ctx) => {
      const interaction = interactionByToken(ctx, req.params.token);
      if (interaction.callbackType === null) throw Errors.unknownWebhook();
      const message = interactionMessage(ctx, interaction, parseBody(MessageData, req.body));
      ctx.world.record({
        kind: 'followup',
        channelId: interaction.channelId,
        interactionId: interaction.id,
        messageId: message.id,
        at: Date.now(),
      });
      return { status: 200, body: messagePayload(ctx.world, message) };
    },
  },
  {
    method: 'PATCH',
    pattern: '/webhooks/:app/:token/messages/:message',
    unauthenticated: true,
    handle: (req, ctx) => {
      const interaction = interactionByToken(ctx, req.params.token);
      const data = parseBody(MessageData.partial(), req.body);
      if (
        interaction.callbackType === 5 &&
        !interaction.originalMessageId &&
        req.params.message === '@original'
      ) {
        const created = interactionMessage(ctx, interaction, { ...data, flags: interaction.deferredFlags });
        interaction.originalMessageId = created.id;
      }
      const message = original(ctx, interaction, req.params.message);
      if (data.content !== undefined) message.content = data.content;
      if (data.embeds) message.embeds = data.embeds;
      if (data.components) message.components = data.components;
      message.editedTimestamp = new Date().toISOString();
      ctx.world.record({ kind: 'edit', channelId: message.channelId, messageId: message.id, at: Date.now() });
      return { status: 200, body: messagePayload(ctx.world, message) };
    },
  },
  {
    method: 'GET',
    pattern: '/webhooks/:app/:token/messages/:message',
    unauthenticated: true,
    handle: (req, ctx) => {
      const interaction = interactionByToken(ctx, req.params.token);
      return { status: 200, body: messagePayload(ctx.world, original(ctx, interaction, req.params.message)) };
    },
  },
  {
    method: 'DELETE',
    pattern: '/webhooks/:app/:token/messages/:message',
    unauthenticated: true,
    handle: (req, ctx) => {
      const interaction = interactionByToken(ctx, req.params.token);
      const message = original(ctx, interaction, req.params.message);
      message.deleted = true;
      ctx.world.record({
        kind: 'delete',
        channelId: message.channelId,
        messageId: message.id,
        at: Date.now(),
      });
      return { status: 204 };
    },
  },
  ...(['/applications/:app/commands', '/applications/:app/guilds/:guild/commands'] as const).flatMap(
    (pattern): Route[] => [
      {
        method: 'PUT',
        pattern,
        handle: (req, ctx) => {
          const guildId = req.params.guild ?? null;
          if (guildId && !ctx.world.guilds.has(guildId)) throw Errors.unknownGuild();
          const commands = parseBody(CommandList, req.body).map((command) => ({
            ...command,
            id: ctx.world.snowflake(),
            application_id: ctx.world.applicationId,
            version: ctx.world.snowflake(),
            ...(guildId ? { guild_id: guildId } : {}),
          }));
          ctx.world.commands.set(guildId ?? 'global', commands);
          ctx.world.record({ kind: 'commands', guildId, names: commands.map((c) => c.name), at: Date.now() });
          return { status: 200, body: commands };
        },
      },
      {
        method: 'GET',
        pattern,
        handle: (req, ctx) => ({
          status: 200,
          body: ctx.world.commands.get(req.params.guild ?? 'global') ?? [],
        }),
      },
    ],
  ),
  {
    method: 'GET',
    pattern: '/guilds/:guild',
    handle: (req, ctx) => ({ status: 200, body: guildCreatePayload(ctx.world, guildOf(req, ctx)) }),
  },
  {
    method: 'GET',
    pattern: '/guilds/:guild/members/:user',
    handle: (req, ctx) => ({ status: 200, body: memberPayload(ctx.world, memberOf(req, ctx).member) }),
  },
  {
    method: 'PATCH',
    pattern: '/guilds/:guild/members/:user',
    handle: (req, ctx) => {
      const { guild, member } = memberOf(req, ctx);
      const patch = parseBody(MemberPatch, req.body);
      if (patch.communication_disabled_until !== undefined) {
        const hasPerm = (ctx.world.botPermissions(guild.id) & Perm.ModerateMembers) !== 0n;
        if (!hasPerm || member.userId === guild.ownerId) throw Errors.missingPermissions();
        member.communicationDisabledUntil = patch.communication_disabled_until;
        ctx.world.record({
          kind: 'timeout',
          guildId: guild.id,
          userId: member.userId,
          until: member.communicationDisabledUntil,
          at: Date.now(),
        });
      }
      if (patch.nick !== undefined) member.nick = patch.nick;
      const payload = memberPayload(ctx.world, member);
      ctx.gateway.dispatch('GUILD_MEMBER_UPDATE', { ...payload, guild_id: guild.id });
      return { status: 200, body: payload };
    },
  },
];
