/**
 * The support flows as router middleware, plus what the runtime calls outside a turn:
 * the sweeps (on an interval), the resolve hook and second-tier escalation. Order of the
 * chain: flood control → language → triage (silent) → [skipped while an agent owns the
 * conversation:] commands → buttons → CSAT and re-open → ticket references → urgent path
 * → information collection → knowledge-base answers. Anything not handled goes to next().
 */
import type { Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import { collection } from './collect.ts';
import { commands } from './commands.ts';
import { csatTurns, onConversationResolved } from './csat.ts';
import { escalateToSecondTier } from './escalation.ts';
import { faqAnswers, faqButtons } from './faq.ts';
import { floodControl } from './flood.ts';
import { Flow, type SupportDeps } from './flow.ts';
import { languageOfTurn } from './language.ts';
import { unlessAgentOwns } from './ownership.ts';
import { type SlaWarning, sweepQueues, sweepSilentAgents, sweepSla } from './sweeps.ts';
import { ticketReferences } from './tickets.ts';
import { classify } from './triage.ts';
import { urgentPath } from './urgent.ts';

export type { SupportDeps } from './flow.ts';
export type { SlaWarning } from './sweeps.ts';

export interface Support {
  middleware: Middleware<RouterContext>;
  /** Silent agents → back to the bot; returns the conversations handed back. */
  sweepSilentAgents(now?: number): Promise<string[]>;
  /** SLA warnings → `sla` live events; returns what was published. */
  sweepSla(now?: number): Promise<SlaWarning[]>;
  /** Queue clean-up and wait re-estimates; returns how many users were told a new wait. */
  sweepQueues(now?: number): Promise<number>;
  /** All three, for one interval timer. */
  sweep(now?: number): Promise<void>;
  /** Call after an agent resolved the conversation: CSAT survey, handling time, clean-up. */
  onConversationResolved(conversationId: string, now?: number): Promise<boolean>;
  /** Send a case to the second tier (same conversation: history and answers stay). */
  escalateToSecondTier(conversationId: string, now?: number): Promise<{ team: string } | undefined>;
}

export function createSupport(deps: SupportDeps): Support {
  const flow = new Flow(deps);
  const talkers = [
    commands(flow),
    faqButtons(flow),
    csatTurns(flow),
    ticketReferences(flow),
    urgentPath(flow),
    collection(flow),
    faqAnswers(flow),
  ];
  const chain = [floodControl(flow), languageOfTurn(flow), classify(flow), unlessAgentOwns(flow, talkers)];
  const middleware: Middleware<RouterContext> = async (ctx, next) => {
    // Group chatter not addressed to the bot is not a support turn (and not flooding).
    if (ctx.event.type === 'message' && !ctx.event.addressedToBot) return next();
    const run = async (i: number): Promise<void> => {
      const handler = chain[i];
      if (!handler) return next();
      await handler(ctx, () => run(i + 1));
    };
    await run(0);
  };
  return {
    middleware,
    sweepSilentAgents: (now) => sweepSilentAgents(flow, now),
    sweepSla: (now) => sweepSla(flow, now),
    sweepQueues: (now) => sweepQueues(flow, now),
    async sweep(now = flow.now()) {
      await sweepSilentAgents(flow, now);
      await sweepSla(flow, now);
      await sweepQueues(flow, now);
    },
    onConversationResolved: (id, now) => onConversationResolved(flow, id, now),
    escalateToSecondTier: (id, now) => escalateToSecondTier(flow, id, now),
  };
}

/** The middleware alone (the sweeps and hooks come with `createSupport`). */
export function supportMiddleware(deps: SupportDeps): Middleware<RouterContext> {
  return createSupport(deps).middleware;
}
