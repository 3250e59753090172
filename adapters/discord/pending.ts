/**
 * Deferred slash-command replies waiting for the router's answer. A send answers an
 * interaction when it names it (`replyToPlatformId: 'interaction:<id>'`, the id the
 * command's event carried) or, in a DM or thread where nobody else is talking, when it is
 * the first send to that thread. In a shared channel an unnamed send goes to the channel,
 * since it may answer someone else. A reply still empty after `fallbackMs` gets a short
 * acknowledgement so the user is not left with "is thinking…".
 */
import { DiscordAPIError, MessageFlags, type RepliableInteraction } from 'discord.js';
import type { Logger } from 'pino';
import type { SendResult } from '../../src/core/channel.ts';
import type { OutboundCommand } from '../../src/core/model.ts';
import { DiscordCode, safeError, toDeliveryError } from './errors.ts';
import type { InteractionView } from './normalize.ts';
import { threadOf } from './normalize.ts';
import { messageBodies } from './send.ts';

/** Interaction tokens live 15 minutes; stop using one a minute early. */
const TOKEN_LIFE_MS = 14 * 60_000;

interface Entry {
  interaction: RepliableInteraction;
  id: string;
  threadKey: string;
  shared: boolean;
  answered: boolean;
  expiresAt: number;
  fallback: NodeJS.Timeout;
}

type Send = Extract<OutboundCommand, { type: 'send' }>;

export class PendingAnswers {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly logger: Logger,
    private readonly fallbackMs = 10_000,
    private readonly fallbackText = 'Received. The answer will appear here in a moment.',
  ) {}

  add(interaction: RepliableInteraction, view: InteractionView): void {
    this.#sweep();
    const thread = threadOf(view.channel, view.guildId);
    const entry: Entry = {
      interaction,
      id: view.id,
      threadKey: thread.key,
      shared: thread.kind === 'group',
      answered: false,
      expiresAt: view.createdTimestamp + TOKEN_LIFE_MS,
      fallback: setTimeout(() => void this.#acknowledge(entry), this.fallbackMs),
    };
    entry.fallback.unref();
    this.#entries.set(entry.id, entry);
  }

  /** The deferred interaction this send answers, if any. */
  match(command: Send): Entry | undefined {
    const now = Date.now();
    const named = command.replyToPlatformId?.startsWith('interaction:')
      ? this.#entries.get(command.replyToPlatformId.slice('interaction:'.length))
      : undefined;
    if (named) return named.expiresAt > now ? named : undefined;
    for (const entry of this.#entries.values()) {
      if (entry.threadKey === command.threadKey && !entry.shared && !entry.answered && entry.expiresAt > now)
        return entry;
    }
    return undefined;
  }

  /** Answers through the interaction (ephemeral); `undefined` when its token has expired meanwhile. */
  async answer(entry: Entry, command: Send): Promise<SendResult | undefined> {
    let last: string | undefined;
    try {
      const { replyToPlatformId: _reference, ...unreferenced } = command;
      for (const body of messageBodies(unreferenced)) {
        const options = {
          ...(body.content !== undefined ? { content: body.content } : {}),
          ...(body.embeds ? { embeds: body.embeds } : {}),
          ...(body.components ? { components: body.components } : {}),
          allowedMentions: { parse: [] },
        };
        const message = entry.answered
          ? await entry.interaction.followUp({ ...options, flags: MessageFlags.Ephemeral })
          : await entry.interaction.editReply(options);
        entry.answered = true;
        clearTimeout(entry.fallback);
        last = message.id;
      }
    } catch (error) {
      if (
        error instanceof DiscordAPIError &&
        (error.code === DiscordCode.UnknownInteraction || error.code === 10015)
      ) {
        this.#forget(entry);
        return undefined;
      }
      throw toDeliveryError(error, `discord interaction answer ${entry.id}`);
    }
    return last ? { platformMessageId: last } : {};
  }

  clear(): void {
    for (const entry of this.#entries.values()) clearTimeout(entry.fallback);
    this.#entries.clear();
  }

  async #acknowledge(entry: Entry): Promise<void> {
    if (entry.answered || !this.#entries.has(entry.id)) return;
    try {
      await entry.interaction.editReply({ content: this.fallbackText, allowedMentions: { parse: [] } });
      entry.answered = true;
    } catch (error) {
      this.logger.warn(
        { err: safeError(error), interactionId: entry.id },
        'discord: could not acknowledge a deferred command',
      );
      this.#forget(entry);
    }
  }

  #forget(entry: Entry): void {
    clearTimeout(entry.fallback);
    this.#entries.delete(entry.id);
  }

  #sweep(): void {
    const now = Date.now();
    for (const entry of this.#entries.values()) if (entry.expiresAt <= now) this.#forget(entry);
  }
}
