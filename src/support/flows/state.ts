/**
 * Where the support flows keep their state in Redis. Per conversation: one hash beside the
 * conversation's own keys (same hash tag), read and written by field. Global: per-user
 * language, per-team queues and handling times, flood windows, ticket links and the sweep
 * schedules, under the `support` namespace.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { parseJson } from '../../core/json.ts';
import type { Keys } from '../../store/keys.ts';
import { Answer, CollectState, Field } from '../collect.ts';
import { Category } from '../kb/load.ts';

/** Collected answers, as the inbox shows them (field → answer). */
export const CollectedAnswers = z.partialRecord(Field, Answer);
export type CollectedAnswers = z.infer<typeof CollectedAnswers>;

export const Csat = z.object({
  score: z.number().int().min(1).max(5).optional(),
  comment: z.string().optional(),
  /** The event that carried the comment (a re-run of it is still the comment). */
  commentEvent: z.string().optional(),
  at: z.number(),
});
export type Csat = z.infer<typeof Csat>;

export const StoredTriage = z.object({
  category: Category,
  priority: z.enum(['low', 'normal', 'high', 'urgent']),
  reasons: z.array(
    z.enum([
      'stolen-funds',
      'compromised-account',
      'leaked-secret',
      'scam-contact',
      'kb-match',
      'keywords',
      'default',
    ]),
  ),
});

/**
 * A hash field: JSON of the schema. Values are ours, but a hand-edited or older hash must
 * not crash a turn, so an unreadable field reads as absent.
 */
const stored = <T extends z.ZodType>(schema: T) =>
  z.string().transform(parseJson).pipe(schema).optional().catch(undefined);

/** The per-conversation support hash, field by field. */
const SupportHash = z.object({
  collect: stored(CollectState),
  /**
   * The collection state before the last answer and the event that gave it: a re-run of
   * that event (router crash, replay) starts from here instead of answering the next question.
   */
  collectTurn: stored(z.object({ event: z.string(), before: CollectState })),
  /** The event that started the questions. */
  collectStartedBy: stored(z.string()),
  answers: stored(CollectedAnswers),
  triage: stored(StoredTriage),
  csat: stored(Csat),
  /** Article ids offered in the last clarifying question (a bare "2" picks the second). */
  clarify: stored(z.array(z.string())),
  /** Until when a text counts as the CSAT comment. */
  csatCommentUntil: stored(z.number()),
  /** When the user first wrote in this episode (SLA clock). */
  openedAt: stored(z.number()),
  /** Hand-off: when it entered a queue, and which. */
  queuedAt: stored(z.number()),
  queueTeam: stored(z.string()),
  /** The wait last told to the user (ms; -1 = told without an estimate). */
  etaToldMs: stored(z.number()),
  /** The store's resolve instant the CSAT survey was sent for; a later user message re-opens. */
  resolvedAt: stored(z.number()),
  /** SLA warnings already published, e.g. "firstResponse:warning". */
  slaWarned: stored(z.array(z.string())),
});
export type SupportValues = z.output<typeof SupportHash>;
export type SupportField = keyof SupportValues;

export class SupportState {
  constructor(
    readonly redis: Redis,
    readonly keys: Keys,
  ) {}

  /** The conversation's support hash (same hash tag as the conversation). */
  conversationKey(id: string): string {
    return `${this.keys.conversation(id)}:support`;
  }

  private global(name: string): string {
    return `${this.keys.namespace('support')}${name}`;
  }

  userKey(channel: string, userId: string): string {
    return this.global(`user:${channel}:${userId}`);
  }
  queueKey(team: string): string {
    return this.global(`queue:${team}`);
  }
  handlingKey(team: string): string {
    return this.global(`handling:${team}`);
  }
  floodKey(channel: string, userId: string): string {
    return this.global(`flood:${channel}:${userId}`);
  }
  ticketLinksKey(ticket: string): string {
    return this.global(`ticket-links:${ticket}`);
  }
  /** Conversations an agent owns with a user message waiting; score = oldest unanswered. */
  awaitingAgentKey(): string {
    return this.global('awaiting-agent');
  }
  /** Escalated conversations with a running SLA; score = next check. */
  slaKey(): string {
    return this.global('sla');
  }
  /** Teams that ever had a queue (for the queue sweep). */
  teamsKey(): string {
    return this.global('teams');
  }

  async get<K extends SupportField>(id: string, field: K): Promise<SupportValues[K]> {
    const raw = await this.redis.hget(this.conversationKey(id), field);
    return raw === null ? undefined : SupportHash.parse({ [field]: raw })[field];
  }

  async all(id: string): Promise<SupportValues> {
    return SupportHash.parse(await this.redis.hgetall(this.conversationKey(id)));
  }

  async set(id: string, values: SupportValues): Promise<void> {
    const flat = Object.entries(values).flatMap(([k, v]) => (v === undefined ? [] : [k, JSON.stringify(v)]));
    if (flat.length) await this.redis.hset(this.conversationKey(id), ...flat);
  }

  async setIfAbsent(id: string, field: SupportField, value: unknown): Promise<void> {
    await this.redis.hsetnx(this.conversationKey(id), field, JSON.stringify(value));
  }

  async clear(id: string, ...fields: SupportField[]): Promise<void> {
    if (fields.length) await this.redis.hdel(this.conversationKey(id), ...fields);
  }

  async userLanguage(channel: string, userId: string): Promise<{ chosen?: string; remembered?: string }> {
    const [chosen, remembered] = await this.redis.hmget(
      this.userKey(channel, userId),
      'chosen',
      'remembered',
    );
    return { ...(chosen ? { chosen } : {}), ...(remembered ? { remembered } : {}) };
  }

  async rememberLanguage(channel: string, userId: string, field: 'chosen' | 'remembered', language: string) {
    await this.redis.hset(this.userKey(channel, userId), field, language);
  }

  /** Position in the team's queue (1 = next), or undefined when not queued there. */
  async position(team: string, id: string): Promise<number | undefined> {
    const rank = await this.redis.zrank(this.queueKey(team), id);
    return rank === null ? undefined : rank + 1;
  }

  async recentHandlingMs(team: string, window: number): Promise<number[]> {
    const values = await this.redis.lrange(this.handlingKey(team), 0, window - 1);
    return values.map(Number).filter(Number.isFinite).reverse();
  }
}
