/**
 * Tickets: an "Open a ticket" button in each support channel, and one private thread per
 * user (the user, the bot, and staff roles pinged in) opened from that button or /ticket.
 */
import { ButtonStyle, ChannelType, type Client, ComponentType, Routes } from 'discord.js';
import type { Logger } from 'pino';
import { z } from 'zod';
import { safeError } from './errors.ts';
import { NO_MENTIONS, userText } from './format.ts';

export const TICKET_BUTTON_ID = 'verity:ticket';

const Created = z.looseObject({ id: z.string().regex(/^\d+$/) });

/** Posts the ticket button where the bot's latest message in the channel does not already carry it. */
export async function postTicketButtons(
  client: Client,
  channelIds: readonly string[],
  prompt: string,
  logger: Logger,
): Promise<void> {
  for (const channelId of channelIds) {
    try {
      const channel = await client.channels.fetch(channelId);
      if (!channel?.isTextBased() || channel.isDMBased()) {
        logger.warn({ channelId }, 'discord: a configured support channel is not a guild text channel');
        continue;
      }
      const last = channel.lastMessageId
        ? await channel.messages.fetch(channel.lastMessageId).catch(() => null)
        : null;
      const hasButton =
        last?.author.id === client.user?.id &&
        last?.components.some((row) => JSON.stringify(row.toJSON()).includes(TICKET_BUTTON_ID));
      if (hasButton) continue;
      await client.rest.post(Routes.channelMessages(channelId), {
        body: {
          content: prompt,
          allowed_mentions: NO_MENTIONS,
          components: [
            {
              type: ComponentType.ActionRow,
              components: [
                {
                  type: ComponentType.Button,
                  style: ButtonStyle.Primary,
                  label: 'Open a ticket',
                  custom_id: TICKET_BUTTON_ID,
                },
              ],
            },
          ],
        },
      });
    } catch (error) {
      logger.warn({ channelId, err: safeError(error) }, 'discord: could not post the ticket button');
    }
  }
}

export interface TicketRequest {
  guildId: string;
  /** Where it was asked: a support channel gets the thread; elsewhere the guild's first support channel. */
  channelId: string;
  userId: string;
  userName: string;
}

export class Tickets {
  /**
   * `${guildId}:${userId}` → thread id: one open ticket per user. A process that does not
   * know a user's thread (a restart, another process) finds it among the active threads
   * before opening one, so a user keeps one ticket across restarts.
   */
  readonly #open = new Map<string, string>();

  constructor(
    private readonly client: Client,
    private readonly supportChannelIds: readonly string[],
    private readonly staffRoleIds: readonly string[],
  ) {}

  /** Returns the user's ticket thread, creating it when there is none. */
  async open(request: TicketRequest): Promise<{ threadId: string; created: boolean }> {
    const key = `${request.guildId}:${request.userId}`;
    const existing = this.#open.get(key);
    if (existing) {
      const thread = this.client.channels.cache.get(existing);
      if (thread?.isThread() && !thread.archived) return { threadId: existing, created: false };
      this.#open.delete(key);
    }
    const found = await this.#find(request);
    if (found) {
      this.#open.set(key, found);
      return { threadId: found, created: false };
    }
    const parentId = this.#parentFor(request);
    const created = Created.parse(
      await this.client.rest.post(Routes.threads(parentId), {
        body: {
          name: ticketName(request.userName),
          type: ChannelType.PrivateThread,
          invitable: false,
          auto_archive_duration: 10_080,
        },
      }),
    );
    const threadId = created.id;
    await this.client.rest.put(Routes.threadMembers(threadId, request.userId));
    const staff = this.staffRoleIds.map((id) => `<@&${id}>`).join(' ');
    await this.client.rest.post(Routes.channelMessages(threadId), {
      body: {
        content: `Ticket for <@${request.userId}> (${userText(request.userName)}).${staff ? ` ${staff}` : ''}\nOnly you and our staff can see this thread. Staff will never ask for your seed phrase or password.`,
        // Pinging the user and staff roles is what adds them to a private thread; nobody else.
        allowed_mentions: { ...NO_MENTIONS, users: [request.userId], roles: [...this.staffRoleIds] },
      },
    });
    this.#open.set(key, threadId);
    return { threadId, created: true };
  }

  /**
   * The user's ticket among the active threads Discord sent with the guild: one this bot
   * opened under a support channel, named for the user (cheap to check), with the user a
   * member (asked of Discord, since thread members are not cached after a restart).
   */
  async #find(request: TicketRequest): Promise<string | undefined> {
    const name = ticketName(request.userName);
    for (const channel of this.client.channels.cache.values()) {
      if (
        !channel.isThread() ||
        channel.archived ||
        channel.guildId !== request.guildId ||
        channel.ownerId !== this.client.user?.id ||
        !this.supportChannelIds.includes(channel.parentId ?? '') ||
        channel.name !== name
      )
        continue;
      const member = await channel.members.fetch({ member: request.userId }).catch(() => null);
      if (member) return channel.id;
    }
    return undefined;
  }

  #parentFor(request: TicketRequest): string {
    if (this.supportChannelIds.includes(request.channelId)) return request.channelId;
    for (const id of this.supportChannelIds) {
      const channel = this.client.channels.cache.get(id);
      if (channel && !channel.isDMBased() && channel.guildId === request.guildId) return id;
    }
    const here = this.client.channels.cache.get(request.channelId);
    if (here?.type === ChannelType.GuildText) return request.channelId;
    throw new Error(`no support channel in guild ${request.guildId} to open a ticket in`);
  }
}

function ticketName(userName: string): string {
  return `ticket-${userName}`.slice(0, 100);
}
