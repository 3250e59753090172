/**
 * Discord's JSON shapes (API v10) for the emulator's world objects: what REST answers
 * and what the gateway dispatches. Only the fields discord.js reads are filled in.
 */
import {
  ChannelType,
  type EmuChannel,
  type EmuGuild,
  type EmuMember,
  type EmuMessage,
  type EmuRole,
  type EmuUser,
  type World,
} from './world.ts';

export type Json = Record<string, unknown>;

export function userPayload(user: EmuUser): Json {
  return {
    id: user.id,
    username: user.username,
    global_name: user.globalName,
    discriminator: '0',
    avatar: null,
    bot: user.bot,
    flags: 0,
    public_flags: 0,
  };
}

export function rolePayload(role: EmuRole): Json {
  return {
    id: role.id,
    name: role.name,
    color: 0,
    colors: { primary_color: 0, secondary_color: null, tertiary_color: null },
    hoist: false,
    icon: null,
    unicode_emoji: null,
    position: role.position,
    permissions: role.permissions.toString(),
    managed: false,
    mentionable: true,
    flags: 0,
  };
}

export function memberPayload(world: World, member: EmuMember, withUser = true): Json {
  const user = world.users.get(member.userId);
  return {
    ...(withUser && user ? { user: userPayload(user) } : {}),
    nick: member.nick,
    avatar: null,
    roles: member.roles,
    joined_at: member.joinedAt,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    communication_disabled_until: member.communicationDisabledUntil,
  };
}

export function channelPayload(world: World, channel: EmuChannel): Json {
  if (channel.type === ChannelType.DM) {
    const recipient = channel.recipientId ? world.users.get(channel.recipientId) : undefined;
    return {
      id: channel.id,
      type: channel.type,
      last_message_id: channel.lastMessageId,
      flags: 0,
      recipients: recipient ? [userPayload(recipient)] : [],
    };
  }
  const base: Json = {
    id: channel.id,
    type: channel.type,
    guild_id: channel.guildId,
    name: channel.name,
    position: 0,
    permission_overwrites: [],
    nsfw: false,
    parent_id: channel.parentId,
    last_message_id: channel.lastMessageId,
    rate_limit_per_user: 0,
    flags: 0,
  };
  if (channel.type === ChannelType.PrivateThread || channel.type === ChannelType.PublicThread) {
    return {
      ...base,
      owner_id: channel.ownerId,
      member_count: channel.memberIds.size,
      message_count: 0,
      total_message_sent: 0,
      thread_metadata: {
        archived: false,
        auto_archive_duration: 10080,
        archive_timestamp: new Date().toISOString(),
        locked: false,
        invitable: false,
      },
    };
  }
  return { ...base, topic: null };
}

export function guildCreatePayload(world: World, guild: EmuGuild): Json {
  const channels = guild.channelIds.flatMap((id) => {
    const channel = world.channels.get(id);
    return channel && channel.type === ChannelType.GuildText ? [channelPayload(world, channel)] : [];
  });
  const threads = guild.channelIds.flatMap((id) => {
    const channel = world.channels.get(id);
    return channel && channel.type !== ChannelType.GuildText ? [channelPayload(world, channel)] : [];
  });
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [...guild.roles.values()].map(rolePayload),
    emojis: [],
    stickers: [],
    features: [],
    mfa_level: 0,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
    joined_at: new Date().toISOString(),
    large: false,
    unavailable: false,
    member_count: guild.members.size,
    voice_states: [],
    members: [...guild.members.values()].map((m) => memberPayload(world, m)),
    channels,
    threads,
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function messagePayload(world: World, message: EmuMessage): Json {
  const channel = world.channels.get(message.channelId);
  const author = world.users.get(message.authorId);
  const guildId = channel?.guildId ?? null;
  const member = guildId ? world.guilds.get(guildId)?.members.get(message.authorId) : undefined;
  const mentions = message.mentionIds.flatMap((id) => {
    const user = world.users.get(id);
    return user ? [userPayload(user)] : [];
  });
  return {
    id: message.id,
    type: message.referenceId ? 19 : 0,
    channel_id: message.channelId,
    ...(guildId ? { guild_id: guildId } : {}),
    ...(member ? { member: memberPayload(world, member, false) } : {}),
    ...(channel?.type === ChannelType.DM ? { channel_type: ChannelType.DM } : {}),
    author: author ? userPayload(author) : null,
    content: message.content,
    timestamp: message.timestamp,
    edited_timestamp: message.editedTimestamp,
    tts: false,
    mention_everyone: false,
    mentions,
    mention_roles: [],
    attachments: message.attachments.map((a) => ({
      id: a.id,
      filename: a.filename,
      size: a.size,
      url: a.url,
      proxy_url: a.url,
      ...(a.contentType ? { content_type: a.contentType } : {}),
    })),
    embeds: message.embeds,
    components: message.components,
    pinned: false,
    flags: message.flags,
    ...(message.referenceId
      ? {
          message_reference: {
            type: 0,
            message_id: message.referenceId,
            channel_id: message.channelId,
            ...(guildId ? { guild_id: guildId } : {}),
          },
        }
      : {}),
  };
}
