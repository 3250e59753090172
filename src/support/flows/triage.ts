/**
 * Triage of every user message into a category and priority on the conversation, from
 * the words, the knowledge-base match and the trust layer's findings. Silent (it runs
 * while an agent owns the conversation too, so the inbox sees an urgent case at once).
 * Once a case is being collected or handed off, only a new danger sign changes it.
 */
import type { Priority } from '../../core/model.ts';
import type { Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import type { UpdateChanges } from '../../store/conversations.ts';
import type { MatchResult } from '../kb/matcher.ts';
import { escalate, type Triage, triage } from '../triage.ts';
import type { Flow } from './flow.ts';

const RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };
/** Reasons worth a tag the inbox can filter on. */
const TAGGED = new Set(['stolen-funds', 'compromised-account', 'leaked-secret', 'scam-contact']);

export function isCommand(text: string): boolean {
  return /^\/[a-z]/i.test(text.trim());
}

/** The knowledge-base match of this turn's text (computed once, shared by triage and FAQ). */
export function matchOfTurn(flow: Flow, ctx: RouterContext): MatchResult | null {
  const facts = flow.turn(ctx);
  if (facts.match !== undefined) return facts.match;
  const text = ctx.text.trim();
  facts.match = text
    ? flow.deps.matcher.match(text, { chosen: flow.language(ctx), ...flow.deps.languages })
    : null;
  return facts.match;
}

export function classify(flow: Flow): Middleware<RouterContext> {
  return async (ctx, next) => {
    const c = ctx.conversation;
    if (ctx.event.type !== 'message' || !c || isCommand(ctx.text)) return next();
    const flags = flow.trust(ctx);
    const found = triage(ctx.text, matchOfTurn(flow, ctx), flags);
    const stored = await flow.state.all(c.id);
    const settled = stored.collect !== undefined || stored.queueTeam !== undefined || c.owner !== 'bot';
    const next_ = fold(stored.triage, found, settled);
    const facts = flow.turn(ctx);
    facts.triage = next_;
    facts.urgent = found.priority === 'urgent';
    if (next_ !== stored.triage) await flow.state.set(c.id, { triage: next_ });
    const changes: UpdateChanges = {};
    if (c.category !== next_.category) changes.category = next_.category;
    if (c.priority !== next_.priority && !next_.reasons.includes('default'))
      changes.priority = next_.priority;
    const tags = next_.reasons.filter((r) => TAGGED.has(r) && !c.tags.includes(r));
    if (tags.length) changes.addTags = tags;
    if (Object.keys(changes).length) await ctx.update(changes);
    await next();
  };
}

function fold(previous: Triage | undefined, found: Triage, settled: boolean): Triage {
  if (!previous) return found;
  if (found.reasons.includes('default')) return previous;
  // Answers to questions and notes to the agent are not new requests: only a new danger
  // sign (urgent words, a scam contact) changes a case that is collected or handed off.
  const danger = found.priority === 'urgent' || found.reasons.includes('scam-contact');
  if (settled) return danger ? escalate(previous, found) : previous;
  if (RANK[previous.priority] >= RANK.high) return escalate(previous, found);
  return found;
}
