/**
 * The emulator's in-memory Discord: users, guilds, channels, messages, interactions, and
 * a log of everything the bot did. REST handlers and control methods both work on it;
 * turning it into Discord's JSON shapes is payloads.ts's job.
 */

const DISCORD_EPOCH = 1_420_070_400_000n;

/** Permission bits the emulator checks (Discord's values). */
export const Perm = {
  Administrator: 1n << 3n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  ManageMessages: 1n << 13n,
  ReadMessageHistory: 1n << 16n,
  ManageThreads: 1n << 34n,
  CreatePrivateThreads: 1n << 36n,
  SendMessagesInThreads: 1n << 38n,
  ModerateMembers: 1n << 40n,
} as const;

export const BOT_DEFAULT_PERMISSIONS =
  Perm.ViewChannel |
  Perm.SendMessages |
  Perm.ManageMessages |
  Perm.ReadMessageHistory |
  Perm.ManageThreads |
  Perm.CreatePrivateThreads |
  Perm.SendMessagesInThreads |
  Perm.ModerateMembers;

export const ChannelType = { GuildText: 0, DM: 1, PrivateThread: 12, PublicThread: 11 } as const;

export interface EmuUser {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  /** The user does not accept DMs from the bot (sends answer 50007). */
  dmsClosed: boolean;
}

export interface EmuRole {
  id: string;
  name: string;
  permissions: bigint;
  position: number;
}

export interface EmuMember {
  userId: string;
  nick: string | null;
  roles: string[];
  joinedAt: string;
  communicationDisabledUntil: string | null;
}

export interface EmuGuild {
  id: string;
  name: string;
  ownerId: string;
  roles: Map<string, EmuRole>;
  members: Map<string, EmuMember>;
  channelIds: string[];
}

export interface EmuChannel {
  id: string;
  type: number;
  name: string | null;
  guildId: string | null;
  parentId: string | null;
  /** DM channels: the other user. */
  recipientId: string | null;
  /** Threads: who created it and who was added. */
  ownerId: string | null;
  memberIds: Set<string>;
  /** Overwrite for the bot in this channel: false answers 50013 on sends. */
  botCanSend: boolean;
  lastMessageId: string | null;
}

export interface EmuAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string | null;
  url: string;
}

export interface EmuMessage {
  id: string;
  channelId: string;
  authorId: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  attachments: EmuAttachment[];
  mentionIds: string[];
  referenceId: string | null;
  allowedMentions: unknown;
  flags: number;
  timestamp: string;
  editedTimestamp: string | null;
  deleted: boolean;
}

type NewMessage = Pick<EmuMessage, 'channelId' | 'authorId'> &
  Partial<Omit<EmuMessage, 'id' | 'channelId' | 'authorId' | 'timestamp' | 'editedTimestamp' | 'deleted'>>;

export interface EmuInteraction {
  id: string;
  token: string;
  type: number;
  userId: string;
  channelId: string;
  guildId: string | null;
  createdAt: number;
  /** The first callback's type, once answered. */
  callbackType: number | null;
  /** Components: the message the clicked component is on (callback 7 updates it). */
  messageId: string | null;
  /** A deferred reply's flags (ephemeral), applied when the reply is filled in. */
  deferredFlags: number;
  originalMessageId: string | null;
}

/** One thing the bot did, as tests and benches inspect it. */
export type BotAction =
  | { kind: 'message'; channelId: string; messageId: string; at: number }
  | { kind: 'edit'; channelId: string; messageId: string; at: number }
  | { kind: 'delete'; channelId: string; messageId: string; at: number }
  | { kind: 'typing'; channelId: string; at: number }
  | { kind: 'thread'; channelId: string; parentId: string; name: string; at: number }
  | { kind: 'thread-member'; channelId: string; userId: string; at: number }
  | {
      kind: 'interaction-response';
      channelId: string;
      interactionId: string;
      callbackType: number;
      data: unknown;
      at: number;
    }
  | { kind: 'followup'; channelId: string; interactionId: string; messageId: string; at: number }
  | { kind: 'timeout'; guildId: string; userId: string; until: string | null; at: number }
  | { kind: 'commands'; guildId: string | null; names: string[]; at: number };

export class World {
  readonly users = new Map<string, EmuUser>();
  readonly guilds = new Map<string, EmuGuild>();
  readonly channels = new Map<string, EmuChannel>();
  readonly messages = new Map<string, EmuMessage>();
  readonly interactions = new Map<string, EmuInteraction>();
  readonly actions: BotAction[] = [];
  readonly commands = new Map<string, unknown[]>();
  #counter = 0n;
  readonly bot: EmuUser;

  constructor(
    readonly applicationId: string,
    botName: string,
  ) {
    this.bot = this.addUser({ username: botName, bot: true, id: applicationId });
  }

  snowflake(): string {
    this.#counter = (this.#counter + 1n) % 4096n;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | this.#counter).toString();
  }

  addUser(opts: { username: string; globalName?: string; bot?: boolean; id?: string }): EmuUser {
    const user: EmuUser = {
      id: opts.id ?? this.snowflake(),
      username: opts.username,
      globalName: opts.globalName ?? null,
      bot: opts.bot ?? false,
      dmsClosed: false,
    };
    this.users.set(user.id, user);
    return user;
  }

  addGuild(name: string, ownerId: string): EmuGuild {
    const id = this.snowflake();
    const everyone: EmuRole = {
      id,
      name: '@everyone',
      permissions: Perm.ViewChannel | Perm.SendMessages,
      position: 0,
    };
    const botRole: EmuRole = {
      id: this.snowflake(),
      name: 'Verity',
      permissions: BOT_DEFAULT_PERMISSIONS,
      position: 10,
    };
    const guild: EmuGuild = {
      id,
      name,
      ownerId,
      roles: new Map([
        [everyone.id, everyone],
        [botRole.id, botRole],
      ]),
      members: new Map(),
      channelIds: [],
    };
    this.guilds.set(id, guild);
    this.addMember(guild, ownerId);
    this.addMember(guild, this.bot.id, [botRole.id]);
    return guild;
  }

  addRole(guild: EmuGuild, name: string, permissions = 0n, position = 1): EmuRole {
    const role: EmuRole = { id: this.snowflake(), name, permissions, position };
    guild.roles.set(role.id, role);
    return role;
  }

  addMember(guild: EmuGuild, userId: string, roles: string[] = [], nick: string | null = null): EmuMember {
    const member: EmuMember = {
      userId,
      nick,
      roles,
      joinedAt: new Date().toISOString(),
      communicationDisabledUntil: null,
    };
    guild.members.set(userId, member);
    return member;
  }

  addChannel(opts: {
    type: number;
    name?: string;
    guildId?: string;
    parentId?: string;
    recipientId?: string;
    ownerId?: string;
  }): EmuChannel {
    const channel: EmuChannel = {
      id: this.snowflake(),
      type: opts.type,
      name: opts.name ?? null,
      guildId: opts.guildId ?? null,
      parentId: opts.parentId ?? null,
      recipientId: opts.recipientId ?? null,
      ownerId: opts.ownerId ?? null,
      memberIds: new Set(),
      botCanSend: true,
      lastMessageId: null,
    };
    this.channels.set(channel.id, channel);
    if (channel.guildId) this.guilds.get(channel.guildId)?.channelIds.push(channel.id);
    return channel;
  }

  /** The DM channel between the bot and a user, created on first use like Discord does. */
  dmChannelFor(userId: string): EmuChannel {
    for (const channel of this.channels.values()) {
      if (channel.type === ChannelType.DM && channel.recipientId === userId) return channel;
    }
    return this.addChannel({ type: ChannelType.DM, recipientId: userId });
  }

  /** A member's effective guild permissions (roles summed; owner and administrator imply all). */
  permissionsOf(guildId: string, userId: string): bigint {
    const guild = this.guilds.get(guildId);
    const member = guild?.members.get(userId);
    if (!guild || !member) return 0n;
    const all = (1n << 53n) - 1n;
    if (guild.ownerId === userId) return all;
    let bits = guild.roles.get(guild.id)?.permissions ?? 0n;
    for (const roleId of member.roles) bits |= guild.roles.get(roleId)?.permissions ?? 0n;
    return bits & Perm.Administrator ? all : bits;
  }

  botPermissions(guildId: string): bigint {
    return this.permissionsOf(guildId, this.bot.id);
  }

  botHas(channel: EmuChannel, perm: bigint): boolean {
    if (!channel.guildId) return true;
    return (this.botPermissions(channel.guildId) & perm) === perm;
  }

  /** A new message: who wrote it where, the rest as Discord defaults it (empty, no reference). */
  addMessage(opts: NewMessage): EmuMessage {
    const message: EmuMessage = {
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      mentionIds: [],
      referenceId: null,
      allowedMentions: null,
      flags: 0,
      ...opts,
      id: this.snowflake(),
      timestamp: new Date().toISOString(),
      editedTimestamp: null,
      deleted: false,
    };
    this.messages.set(message.id, message);
    const channel = this.channels.get(message.channelId);
    if (channel) channel.lastMessageId = message.id;
    return message;
  }

  /** Keeps the latest 100 000 actions, so a long sandbox run does not grow without bound. */
  record(action: BotAction): void {
    this.actions.push(action);
    if (this.actions.length > 100_000) this.actions.splice(0, 10_000);
  }
}
