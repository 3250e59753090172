/**
 * The sandbox's Discord: when no DISCORD_BOT_TOKEN is set, `npm start` runs the adapter
 * against this emulator, seeded with the sandbox organization's server (a support channel,
 * staff and moderator roles, a user and an impersonator). People drive it through the
 * emulator's HTTP control API (`POST <baseUrl>/_control/dm {"userId","content"}` …).
 */
import type { DiscordCredentials, DiscordSettingsInput } from '../config.ts';
import { type DiscordEmulator, startDiscordEmulator } from './emulator.ts';
import { Perm } from './world.ts';

export interface SandboxDiscord {
  emulator: DiscordEmulator;
  credentials: DiscordCredentials;
  /** Settings naming the seeded guild, channel and roles; lay configured settings over them. */
  settings: DiscordSettingsInput;
  ids: {
    guild: string;
    support: string;
    general: string;
    staffRole: string;
    moderatorRole: string;
    user: string;
    impersonator: string;
  };
}

export async function startSandboxDiscord(
  opts: { port?: number; organization?: string } = {},
): Promise<SandboxDiscord> {
  const emulator = await startDiscordEmulator({
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    botName: 'Verity',
  });
  const guild = emulator.createGuild(opts.organization ?? 'Example Wallet');
  const support = emulator.createTextChannel(guild.id, 'support');
  const general = emulator.createTextChannel(guild.id, 'general');
  const staffRole = emulator.createRole(guild.id, 'Staff', Perm.ManageThreads | Perm.ManageMessages);
  const moderatorRole = emulator.createRole(guild.id, 'Moderators', Perm.ModerateMembers);
  const user = emulator.createUser('sandbox_user', { globalName: 'Sandbox User' });
  const staff = emulator.createUser('alice_staff', { globalName: 'Alice Chen' });
  const impersonator = emulator.createUser('alice_chen_support', { globalName: 'Alice Chen | Support' });
  emulator.addMember(guild.id, user.id);
  emulator.addMember(guild.id, staff.id, { roles: [staffRole.id, moderatorRole.id] });
  emulator.addMember(guild.id, impersonator.id);
  return {
    emulator,
    credentials: { token: emulator.token, applicationId: emulator.applicationId, apiBase: emulator.apiBase },
    settings: {
      guildIds: [guild.id],
      supportChannelIds: [support.id],
      staffRoleIds: [staffRole.id],
      moderatorRoleIds: [moderatorRole.id],
    },
    ids: {
      guild: guild.id,
      support: support.id,
      general: general.id,
      staffRole: staffRole.id,
      moderatorRole: moderatorRole.id,
      user: user.id,
      impersonator: impersonator.id,
    },
  };
}
