/**
 * Verity's slash commands: their definitions (registered per guild or globally) and how
 * an invocation reads as router data. Commands become `button` events whose data is
 * `cmd:/name arg`; free text (a /support question, /report details) goes to the router
 * as a separate message, so nothing is truncated to fit a button's data.
 */
import {
  InteractionContextType,
  PermissionFlagsBits,
  type REST,
  type RESTPutAPIApplicationCommandsJSONBody,
  Routes,
  SlashCommandBuilder,
} from 'discord.js';

export interface CommandSpec {
  name: string;
  /** The option whose value follows the command in the data (`cmd:/verify example.com`). */
  argument?: string;
  /** The option whose value is sent as a message of its own. */
  freeText?: string;
  /** Only for configured moderator roles (checked when invoked, not only by Discord). */
  moderator: boolean;
  /** May take longer than Discord's 3 s: deferred at once. */
  defer: boolean;
  guildOnly: boolean;
}

export const COMMANDS: readonly CommandSpec[] = [
  { name: 'verify', argument: 'what', moderator: false, defer: true, guildOnly: false },
  { name: 'support', freeText: 'question', moderator: false, defer: true, guildOnly: false },
  { name: 'ticket', moderator: false, defer: true, guildOnly: true },
  { name: 'report', argument: 'what', freeText: 'details', moderator: false, defer: true, guildOnly: false },
  { name: 'flag', argument: 'what', freeText: 'reason', moderator: true, defer: true, guildOnly: true },
  { name: 'unflag', argument: 'what', moderator: true, defer: true, guildOnly: true },
];

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/** The longest argument that still fits InboundButton.data (256) after `cmd:/unflag `. */
const ARGUMENT_MAX = 200;

export function commandDefinitions(): RESTPutAPIApplicationCommandsJSONBody {
  const everywhere = [InteractionContextType.Guild, InteractionContextType.BotDM];
  const guild = [InteractionContextType.Guild];
  return [
    new SlashCommandBuilder()
      .setName('verify')
      .setDescription('Check whether a link, account, address or name really belongs to us')
      .setContexts(everywhere)
      .addStringOption((o) =>
        o
          .setName('what')
          .setDescription('The link, @handle, address or name to check')
          .setRequired(true)
          .setMaxLength(ARGUMENT_MAX),
      ),
    new SlashCommandBuilder()
      .setName('support')
      .setDescription('Ask our support team a question')
      .setContexts(everywhere)
      .addStringOption((o) => o.setName('question').setDescription('Your question').setMaxLength(2000)),
    new SlashCommandBuilder()
      .setName('ticket')
      .setDescription('Open a private ticket with our staff')
      .setContexts(guild),
    new SlashCommandBuilder()
      .setName('report')
      .setDescription('Report an impersonator or a scam')
      .setContexts(everywhere)
      .addStringOption((o) =>
        o
          .setName('what')
          .setDescription('The account, link or address')
          .setRequired(true)
          .setMaxLength(ARGUMENT_MAX),
      )
      .addStringOption((o) => o.setName('details').setDescription('What happened').setMaxLength(2000)),
    new SlashCommandBuilder()
      .setName('flag')
      .setDescription('Moderators: mark an account, link or address as a known scam')
      .setContexts(guild)
      .setDefaultMemberPermissions(PermissionFlagsBits.ModerateMembers)
      .addStringOption((o) =>
        o.setName('what').setDescription('What to flag').setRequired(true).setMaxLength(ARGUMENT_MAX),
      )
      .addStringOption((o) => o.setName('reason').setDescription('Why').setMaxLength(1000)),
    new SlashCommandBuilder()
      .setName('unflag')
      .setDescription('Moderators: remove a scam flag')
      .setContexts(guild)
      .setDefaultMemberPermissions(PermissionFlagsBits.ModerateMembers)
      .addStringOption((o) =>
        o.setName('what').setDescription('What to unflag').setRequired(true).setMaxLength(ARGUMENT_MAX),
      ),
  ].map((builder) => builder.toJSON());
}

/** Bulk-overwrites the commands: per guild (instant) or globally (cached by Discord for up to an hour). */
export async function registerCommands(
  rest: REST,
  applicationId: string,
  mode: 'guild' | 'global' | 'off',
  guildIds: readonly string[],
): Promise<void> {
  if (mode === 'off') return;
  const body = commandDefinitions();
  if (mode === 'global') {
    await rest.put(Routes.applicationCommands(applicationId), { body });
    return;
  }
  for (const guildId of guildIds) {
    await rest.put(Routes.applicationGuildCommands(applicationId, guildId), { body });
  }
}

/** `cmd:/verify example.com`, the router's view of an invocation. */
export function commandData(spec: CommandSpec, argument: string | null): string {
  const arg = argument?.trim().slice(0, ARGUMENT_MAX);
  return arg ? `cmd:/${spec.name} ${arg}` : `cmd:/${spec.name}`;
}
