/**
 * Outbound commands on Discord's REST API, through discord.js's REST client (so its
 * per-route buckets and global cap apply). Messages go straight to the channel id (a DM
 * channel, a guild channel or a thread) without fetching the channel first.
 */
import { type Client, PermissionFlagsBits, type RESTPostAPIChannelMessageJSONBody, Routes } from 'discord.js';
import { z } from 'zod';
import type { SendResult } from '../../src/core/channel.ts';
import { DeliveryError } from '../../src/core/errors.ts';
import type { OutboundCommand } from '../../src/core/model.ts';
import { toDeliveryError } from './errors.ts';
import {
  buttonRows,
  CONTENT_MAX,
  chunk,
  EMBED_DESCRIPTION_MAX,
  NO_MENTIONS,
  outboundText,
  styledEmbed,
} from './format.ts';

const SNOWFLAKE = /^\d{15,21}$/;
/** Only the id is read: a strict-shape object does not copy the rest of Discord's message. */
const Created = z.object({ id: z.string().regex(/^\d+$/) });

type Send = Extract<OutboundCommand, { type: 'send' }>;

/** One message per piece of text; buttons ride on the last, the reply reference on the first. */
export function messageBodies(command: Send): RESTPostAPIChannelMessageJSONBody[] {
  const text = outboundText(command.text);
  const styled = command.style !== 'plain' ? command.style : null;
  const pieces = chunk(text, styled ? EMBED_DESCRIPTION_MAX : CONTENT_MAX);
  return pieces.map((piece, i) => {
    const body: RESTPostAPIChannelMessageJSONBody = { allowed_mentions: NO_MENTIONS };
    if (styled) body.embeds = [styledEmbed(styled, piece)];
    else body.content = piece;
    if (i === 0 && command.replyToPlatformId && SNOWFLAKE.test(command.replyToPlatformId)) {
      body.message_reference = { message_id: command.replyToPlatformId, fail_if_not_exists: false };
    }
    if (i === pieces.length - 1 && command.buttons?.length) body.components = buttonRows(command.buttons);
    return body;
  });
}

export class DiscordSender {
  constructor(private readonly client: Client) {}

  async send(command: OutboundCommand): Promise<SendResult> {
    try {
      return await this.#perform(command);
    } catch (error) {
      throw toDeliveryError(error, `discord ${command.type} to ${command.threadKey}`);
    }
  }

  async #perform(command: OutboundCommand): Promise<SendResult> {
    const { rest } = this.client;
    const channelId = command.threadKey;
    switch (command.type) {
      case 'send': {
        let last: string | undefined;
        for (const body of messageBodies(command)) {
          const created = Created.safeParse(await rest.post(Routes.channelMessages(channelId), { body }));
          if (!created.success)
            throw new DeliveryError(
              'transient',
              'unexpected',
              `discord send: response without an id: ${z.prettifyError(created.error)}`,
            );
          last = created.data.id;
        }
        return last ? { platformMessageId: last } : {};
      }
      case 'edit': {
        const body = {
          content: outboundText(command.text).slice(0, CONTENT_MAX),
          allowed_mentions: NO_MENTIONS,
          ...(command.buttons ? { components: buttonRows(command.buttons) } : {}),
        };
        await rest.patch(Routes.channelMessage(channelId, command.platformMessageId), { body });
        return { platformMessageId: command.platformMessageId };
      }
      case 'delete':
        await rest.delete(Routes.channelMessage(channelId, command.platformMessageId));
        return {};
      case 'typing':
        await rest.post(Routes.channelTyping(channelId));
        return {};
      case 'timeout':
        await this.#timeout(channelId, command.userId, command.seconds);
        return {};
    }
  }

  /** `threadKey` is the guild (member events) or any channel in it. */
  async #timeout(threadKey: string, userId: string, seconds: number): Promise<void> {
    const guild =
      this.client.guilds.cache.get(threadKey) ??
      (await this.client.channels.fetch(threadKey).then((c) => (c && 'guild' in c ? c.guild : null)));
    if (!guild)
      throw new DeliveryError('permanent', 'invalid', `discord timeout: ${threadKey} is not in a guild`);
    const me = guild.members.me ?? (await guild.members.fetchMe());
    if (!me.permissions.has(PermissionFlagsBits.ModerateMembers)) {
      throw new DeliveryError(
        'permanent',
        'forbidden',
        `discord timeout: the bot lacks Moderate Members in ${guild.id}`,
      );
    }
    const member = await guild.members.fetch(userId);
    if (!member.moderatable) {
      throw new DeliveryError(
        'permanent',
        'forbidden',
        `discord timeout: ${userId} ranks above the bot or owns ${guild.id}`,
      );
    }
    await member.timeout(seconds * 1000, 'Verity moderation');
  }
}
