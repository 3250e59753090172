/**
 * The urgent path: a message that smells of stolen funds, a taken-over account or a
 * leaked secret goes to a person at once, ahead of the queue, without the usual questions
 * (what was already collected goes along). If the trust layer found a secret and said
 * nothing, the user is told what to do first; a confident knowledge-base answer (the
 * steps to protect funds) is sent before the hand-off.
 */
import type { Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import { faqReply } from '../replies.ts';
import type { Flow } from './flow.ts';
import { enqueue, handOff, isUrgentScore } from './handoff.ts';

export function urgentPath(flow: Flow): Middleware<RouterContext> {
  return async (ctx, next) => {
    const c = ctx.conversation;
    const facts = flow.turn(ctx);
    if (!c || !facts.urgent) return next();
    const language = flow.language(ctx);
    if (flow.trust(ctx).secretLeaked && ctx.replies.length === 0) {
      ctx.reply(flow.t.render('trust.secret-shield', language));
    }
    const stored = await flow.state.all(c.id);
    const team = stored.queueTeam;
    const score = team ? await flow.state.redis.zscore(flow.state.queueKey(team), c.id) : null;
    // Already at the head of the queue: later alarms are for the agent.
    if (team && score !== null && isUrgentScore(Number(score))) return next();
    const answer = facts.match?.answer ? flow.deps.matcher.article(facts.match.answer.id) : undefined;
    if (answer && facts.match?.answer?.category === 'security') ctx.reply(faqReply(flow.t, answer, language));
    if (team && score !== null) {
      await enqueue(flow, c.id, team, true, flow.now());
      ctx.reply(flow.t.render('handoff.urgent', language));
      return;
    }
    await handOff(flow, ctx, stored.collect?.answers ?? {});
  };
}
