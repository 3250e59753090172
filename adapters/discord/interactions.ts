/**
 * Slash commands and component clicks. Discord wants a first answer within 3 s, while
 * the router answers after a trip through Redis, so commands are deferred (ephemeral) at
 * once and clicks acknowledged with a deferred update; the router's answer then fills the
 * deferred reply (see PendingAnswers). Moderator commands are checked against the
 * configured roles here, whatever Discord's default permissions let through.
 */
import {
  type ChatInputCommandInteraction,
  type Interaction,
  MessageFlags,
  type RepliableInteraction,
} from 'discord.js';
import type { Logger } from 'pino';
import type { InboundEventInput } from '../../src/core/model.ts';
import { commandData, commandSpec } from './commands.ts';
import type { DiscordSettings } from './config.ts';
import { safeError } from './errors.ts';
import { type InteractionView, interactionEvent, interactionText, readInteraction } from './normalize.ts';
import type { PendingAnswers } from './pending.ts';
import { TICKET_BUTTON_ID, type Tickets } from './tickets.ts';

const TEXT = {
  notModerator: 'Only moderators can use this command.',
  unknownCommand: 'This command is not available.',
  guildOnly: 'This command works in the server only.',
  ticketOpened: (threadId: string) => `Your private ticket is open: <#${threadId}>`,
  ticketExists: (threadId: string) => `You already have an open ticket: <#${threadId}>`,
  ticketFailed: 'Sorry, a ticket could not be opened right now. Please try again in a moment.',
};

export interface InteractionDeps {
  settings: DiscordSettings;
  tickets: Tickets;
  pending: PendingAnswers;
  logger: Logger;
  /** Hands an event to the sink, retrying until stored. */
  ingest(event: InboundEventInput): Promise<void>;
  /** Whether the guild is served (settings.guildIds empty: all). */
  servesGuild(guildId: string): boolean;
}

export async function handleInteraction(interaction: Interaction, deps: InteractionDeps): Promise<void> {
  const read = readInteraction(interaction);
  if (!read.ok) {
    deps.logger.warn(
      { interactionId: interaction.id, reason: read.reason },
      'discord: invalid interaction ignored',
    );
    return;
  }
  const view = read.view;
  if (view.guildId && !deps.servesGuild(view.guildId)) return;
  if (interaction.isChatInputCommand()) {
    await onCommand(interaction, view, deps);
  } else if (interaction.isButton() || interaction.isStringSelectMenu()) {
    if (interaction.customId === TICKET_BUTTON_ID) {
      await openTicket(interaction, view, deps);
      return;
    }
    // Acknowledge without a message; the router's answer arrives as an ordinary send.
    await acknowledge(() => interaction.deferUpdate(), view, deps);
    const data = interaction.isStringSelectMenu()
      ? `${interaction.customId}:${interaction.values.join(',')}`
      : interaction.customId;
    await deps.ingest(interactionEvent(view, data, interaction.message.id));
  }
}

async function onCommand(
  interaction: ChatInputCommandInteraction,
  view: InteractionView,
  deps: InteractionDeps,
): Promise<void> {
  const spec = commandSpec(interaction.commandName);
  if (!spec) {
    await interaction.reply({ content: TEXT.unknownCommand, flags: MessageFlags.Ephemeral });
    return;
  }
  if (spec.guildOnly && !view.guildId) {
    await interaction.reply({ content: TEXT.guildOnly, flags: MessageFlags.Ephemeral });
    return;
  }
  if (spec.moderator && !view.roles.some((role) => deps.settings.moderatorRoleIds.includes(role))) {
    deps.logger.info({ userId: view.user.id, command: spec.name }, 'discord: moderator command refused');
    await interaction.reply({ content: TEXT.notModerator, flags: MessageFlags.Ephemeral });
    return;
  }
  if (spec.name === 'ticket') {
    await openTicket(interaction, view, deps);
    return;
  }
  const deferred =
    spec.defer &&
    (await acknowledge(() => interaction.deferReply({ flags: MessageFlags.Ephemeral }), view, deps));
  const argument = spec.argument ? interaction.options.getString(spec.argument) : null;
  const freeText = spec.freeText ? interaction.options.getString(spec.freeText) : null;
  if (deferred) deps.pending.add(interaction, view);
  await deps.ingest(interactionEvent(view, commandData(spec, argument), `interaction:${view.id}`));
  if (freeText?.trim()) await deps.ingest(interactionText(view, freeText));
}

async function openTicket(
  interaction: RepliableInteraction,
  view: InteractionView,
  deps: InteractionDeps,
): Promise<void> {
  if (!view.guildId) {
    await interaction.reply({ content: TEXT.guildOnly, flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  try {
    const { threadId, created } = await deps.tickets.open({
      guildId: view.guildId,
      channelId: view.channel.id,
      userId: view.user.id,
      userName: view.nickname ?? view.user.globalName ?? view.user.username,
    });
    await interaction.editReply({
      content: created ? TEXT.ticketOpened(threadId) : TEXT.ticketExists(threadId),
    });
    if (created) {
      const thread = { ...view, channel: { id: threadId, type: 12, name: null, ownerId: null } };
      await deps.ingest({ ...interactionEvent(thread, 'ticket:open'), eventId: `${view.id}:ticket` });
    }
  } catch (error) {
    deps.logger.error({ err: safeError(error), userId: view.user.id }, 'discord: opening a ticket failed');
    await interaction.editReply({ content: TEXT.ticketFailed });
  }
}

/**
 * Acknowledges within Discord's deadline. A failed acknowledgement (the deadline passed, a
 * network blip) is logged and the event still goes to the router: the user's action counts.
 */
async function acknowledge(
  ack: () => Promise<unknown>,
  view: InteractionView,
  deps: InteractionDeps,
): Promise<boolean> {
  try {
    await ack();
    return true;
  } catch (error) {
    deps.logger.warn(
      { err: safeError(error), interactionId: view.id },
      'discord: could not acknowledge an interaction in time',
    );
    return false;
  }
}
