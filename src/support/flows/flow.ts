/**
 * What every support handler shares: the dependencies the lead passes in, the Redis state,
 * the clock, and the few things handlers ask of a turn (its language, the trust findings,
 * speaking outside a turn from sweeps and hooks).
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { LivePublisher } from '../../bus/live.ts';
import type { Button, Conversation } from '../../core/model.ts';
import type { RouterContext } from '../../router/context.ts';
import type { ConversationStore } from '../../store/conversations.ts';
import type { SupportConfig } from '../config.ts';
import { isOpen } from '../hours.ts';
import type { KbMatcher, MatchResult } from '../kb/matcher.ts';
import type { Templates } from '../templates.ts';
import type { Triage, TrustFlags } from '../triage.ts';
import { SupportState } from './state.ts';

export interface SupportDeps {
  matcher: KbMatcher;
  templates: Templates;
  config: SupportConfig;
  languages: { default: string; supported: readonly string[] };
  /** The organization's name, for the greeting and help. */
  org: string;
  store: ConversationStore;
  live: LivePublisher;
  logger: Logger;
  now?: () => number;
  /**
   * Agents available to a team right now (for queue estimates). Default: one while the
   * team is within its hours, none outside them; the inbox's presence can replace it.
   */
  agentsOnline?: (team: string, now: number) => number | Promise<number>;
}

/**
 * The trust layer's findings for this turn (`ctx.state.trust`), read defensively: the
 * trust layer is another module and may add fields or be absent.
 */
const TrustFindings = z
  .object({
    secretLeaked: z.boolean().optional(),
    scam: z.boolean().optional(),
    scamEntity: z.boolean().optional(),
    scamScript: z.boolean().optional(),
  })
  .loose();

/** What the handlers of one turn learned, for the handlers after them. */
export interface TurnFacts {
  match?: MatchResult | null;
  triage?: Triage;
  /** This message itself is urgent (not only the conversation). */
  urgent?: boolean;
}

export class Flow {
  private readonly turns = new WeakMap<RouterContext, TurnFacts>();

  readonly state: SupportState;
  readonly now: () => number;

  constructor(readonly deps: SupportDeps) {
    this.state = new SupportState(deps.store.redis, deps.store.keys);
    this.now = deps.now ?? Date.now;
  }

  turn(ctx: RouterContext): TurnFacts {
    let facts = this.turns.get(ctx);
    if (!facts) {
      facts = {};
      this.turns.set(ctx, facts);
    }
    return facts;
  }

  get t(): Templates {
    return this.deps.templates;
  }

  get config(): SupportConfig {
    return this.deps.config;
  }

  /** The language of this turn, decided by the language handler (default before it ran). */
  language(ctx: RouterContext): string {
    const chosen = ctx.state.language;
    return typeof chosen === 'string' ? chosen : (ctx.conversation?.language ?? this.deps.languages.default);
  }

  trust(ctx: RouterContext): TrustFlags {
    const parsed = TrustFindings.safeParse(ctx.state.trust ?? {});
    if (!parsed.success) {
      this.deps.logger.warn({ problem: z.prettifyError(parsed.error) }, 'unreadable trust findings ignored');
      return {};
    }
    const f = parsed.data;
    return {
      ...(f.secretLeaked ? { secretLeaked: true } : {}),
      ...(f.scam || f.scamEntity ? { scamEntity: true } : {}),
      ...(f.scamScript ? { scamScript: true } : {}),
    };
  }

  async agentsOnline(team: string, now: number): Promise<number> {
    if (this.deps.agentsOnline) return this.deps.agentsOnline(team, now);
    const hours = this.config.teams[team]?.hours;
    return hours && isOpen(hours, now) ? 1 : 0;
  }

  /**
   * Say something outside a router turn (sweeps, the resolve hook): stored as the bot's
   * message and queued once per `key`, so a repeated sweep or hook says it once.
   */
  async sayOutside(
    conversation: Conversation,
    text: string,
    key: string,
    options: { buttons?: Button[][]; now?: number } = {},
  ): Promise<void> {
    const { store, live } = this.deps;
    const now = options.now ?? this.now();
    const id = `support:${conversation.id}:${key}`;
    const appended = await store.reply(
      conversation.id,
      {
        type: 'send',
        id,
        channel: conversation.channel,
        threadKey: conversation.threadKey,
        text,
        style: 'plain',
        ...(options.buttons ? { buttons: options.buttons } : {}),
      },
      { kind: 'bot', id: 'bot' },
      { now },
    );
    if (!appended.duplicate) {
      await live.publish({
        type: 'message',
        conversationId: conversation.id,
        data: { messageId: appended.messageId },
      });
    }
  }

  /** A private note for agents (collected facts, links): never delivered, never in a transcript. */
  async note(conversationId: string, text: string, key: string, now = this.now()): Promise<void> {
    const conversation = await this.deps.store.get(conversationId);
    if (!conversation) return;
    const appended = await this.deps.store.append(
      conversationId,
      {
        channel: conversation.channel,
        direction: 'out',
        author: { kind: 'system', id: 'support' },
        text,
        note: true,
        createdAt: now,
      },
      `support:${conversationId}:${key}`,
      now,
    );
    if (!appended.duplicate) {
      await this.deps.live.publish({
        type: 'message',
        conversationId,
        data: { messageId: appended.messageId, note: true },
      });
    }
  }
}
