/**
 * What users do, as the emulator's control API injects it: messages (DM, guild, with
 * mentions and attachments), edits, slash commands, button clicks, select choices,
 * member joins and renames. Each becomes the dispatch real Discord would send.
 */
import { channelPayload, type Json, memberPayload, messagePayload, userPayload } from './payloads.ts';
import type { RestContext } from './rest.ts';
import { postMessage } from './routes-channels.ts';
import { ChannelType, type EmuInteraction, type EmuMessage } from './world.ts';

export interface AttachmentInput {
  filename: string;
  size: number;
  contentType?: string;
}

export interface MessageInput {
  content: string;
  mentionBot?: boolean;
  attachments?: AttachmentInput[];
  replyTo?: string;
}

function channelOrThrow(ctx: RestContext, channelId: string) {
  const channel = ctx.world.channels.get(channelId);
  if (!channel) throw new Error(`emulator: no channel ${channelId}`);
  return channel;
}

export function injectMessage(
  ctx: RestContext,
  channelId: string,
  userId: string,
  input: MessageInput,
): EmuMessage {
  const channel = channelOrThrow(ctx, channelId);
  if (channel.type !== ChannelType.DM) {
    const guild = channel.guildId ? ctx.world.guilds.get(channel.guildId) : undefined;
    if (!guild?.members.has(userId))
      throw new Error(`emulator: ${userId} is not a member of the channel's guild`);
  }
  const content = input.mentionBot ? `<@${ctx.world.bot.id}> ${input.content}` : input.content;
  return postMessage(ctx, channel, {
    authorId: userId,
    content,
    mentionIds: input.mentionBot ? [ctx.world.bot.id] : [],
    referenceId: input.replyTo ?? null,
    attachments: (input.attachments ?? []).map((a) => {
      const id = ctx.world.snowflake();
      return {
        id,
        filename: a.filename,
        size: a.size,
        contentType: a.contentType ?? null,
        url: `${ctx.baseUrl()}/attachments/${channelId}/${id}/${encodeURIComponent(a.filename)}`,
      };
    }),
  });
}

export function injectEdit(ctx: RestContext, messageId: string, content: string): EmuMessage {
  const message = ctx.world.messages.get(messageId);
  if (!message) throw new Error(`emulator: no message ${messageId}`);
  message.content = content;
  message.editedTimestamp = new Date().toISOString();
  ctx.gateway.dispatch('MESSAGE_UPDATE', messagePayload(ctx.world, message));
  return message;
}

export type InteractionInput =
  | { kind: 'command'; name: string; options?: Record<string, string> }
  | { kind: 'button'; customId: string; messageId: string }
  | { kind: 'select'; customId: string; messageId: string; values: string[] };

export function injectInteraction(
  ctx: RestContext,
  channelId: string,
  userId: string,
  input: InteractionInput,
): EmuInteraction {
  const channel = channelOrThrow(ctx, channelId);
  const user = ctx.world.users.get(userId);
  if (!user) throw new Error(`emulator: no user ${userId}`);
  const guild = channel.guildId ? ctx.world.guilds.get(channel.guildId) : undefined;
  const member = guild?.members.get(userId);
  const interaction: EmuInteraction = {
    id: ctx.world.snowflake(),
    token: `itk-${ctx.world.snowflake()}`,
    type: input.kind === 'command' ? 2 : 3,
    userId,
    channelId,
    guildId: guild?.id ?? null,
    createdAt: Date.now(),
    callbackType: null,
    messageId: input.kind === 'command' ? null : input.messageId,
    deferredFlags: 0,
    originalMessageId: null,
  };
  ctx.world.interactions.set(interaction.id, interaction);
  let data: Json;
  let message: Json | undefined;
  if (input.kind === 'command') {
    data = {
      id: ctx.world.snowflake(),
      name: input.name,
      type: 1,
      options: Object.entries(input.options ?? {}).map(([name, value]) => ({ name, type: 3, value })),
      ...(guild ? { guild_id: guild.id } : {}),
    };
  } else {
    const source = ctx.world.messages.get(input.messageId);
    if (!source) throw new Error(`emulator: no message ${input.messageId}`);
    message = messagePayload(ctx.world, source);
    data =
      input.kind === 'button'
        ? { custom_id: input.customId, component_type: 2 }
        : { custom_id: input.customId, component_type: 3, values: input.values };
  }
  ctx.gateway.dispatch('INTERACTION_CREATE', {
    id: interaction.id,
    application_id: ctx.world.applicationId,
    type: interaction.type,
    data,
    ...(message ? { message } : {}),
    ...(guild
      ? { guild_id: guild.id, guild: { id: guild.id, locale: 'en-US', features: [] }, guild_locale: 'en-US' }
      : {}),
    channel_id: channelId,
    channel: channelPayload(ctx.world, channel),
    ...(guild && member
      ? {
          member: {
            ...memberPayload(ctx.world, member),
            permissions: ctx.world.permissionsOf(guild.id, userId).toString(),
          },
        }
      : { user: userPayload(user) }),
    token: interaction.token,
    version: 1,
    app_permissions: guild ? ctx.world.botPermissions(guild.id).toString() : '0',
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': guild?.id ?? '0' },
    context: guild ? 0 : 1,
    attachment_size_limit: 10_485_760,
  });
  return interaction;
}

export function injectMemberJoin(
  ctx: RestContext,
  guildId: string,
  userId: string,
  nick: string | null = null,
): void {
  const guild = ctx.world.guilds.get(guildId);
  if (!guild) throw new Error(`emulator: no guild ${guildId}`);
  const member = ctx.world.addMember(guild, userId, [], nick);
  ctx.gateway.dispatch('GUILD_MEMBER_ADD', { ...memberPayload(ctx.world, member), guild_id: guildId });
}

/** A nickname change (`nick`) or a change of the user's own names (`globalName`, `username`). */
export function injectRename(
  ctx: RestContext,
  guildId: string,
  userId: string,
  change: { nick?: string | null; globalName?: string | null; username?: string },
): void {
  const guild = ctx.world.guilds.get(guildId);
  const member = guild?.members.get(userId);
  const user = ctx.world.users.get(userId);
  if (!member || !user) throw new Error(`emulator: ${userId} is not a member of ${guildId}`);
  if (change.nick !== undefined) member.nick = change.nick;
  if (change.globalName !== undefined) user.globalName = change.globalName;
  if (change.username !== undefined) user.username = change.username;
  ctx.gateway.dispatch('GUILD_MEMBER_UPDATE', { ...memberPayload(ctx.world, member), guild_id: guildId });
}
