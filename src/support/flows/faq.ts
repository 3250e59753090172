/**
 * Answers from the knowledge base. Confident → the answer with "this solved it" / "talk to
 * a person"; unsure → the top candidates as buttons (a bare number picks one too) or a
 * request for detail. While the case waits in the queue the bot stays out of the way:
 * what the user adds is for the agent.
 */
import type { Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import { clarifyReply, faqReply, parseButton } from '../replies.ts';
import type { Flow } from './flow.ts';
import { requestHuman } from './handoff.ts';
import { isCommand, matchOfTurn } from './triage.ts';

export function faqButtons(flow: Flow): Middleware<RouterContext> {
  return async (ctx, next) => {
    const e = ctx.event;
    const action = e.type === 'button' ? parseButton(e.data) : null;
    const c = ctx.conversation;
    if (!action || !c) return next();
    const language = flow.language(ctx);
    switch (action.kind) {
      case 'human':
        await requestHuman(flow, ctx);
        return;
      case 'faq-solved':
        await flow.state.clear(c.id, 'clarify');
        await ctx.update({ addTags: ['kb-solved'] });
        ctx.reply(flow.t.render('faq.solved', language));
        return;
      case 'clarify': {
        const article = flow.deps.matcher.article(action.articleId);
        if (!article) return next();
        await flow.state.clear(c.id, 'clarify');
        ctx.reply(faqReply(flow.t, article, language));
        return;
      }
      default:
        return next();
    }
  };
}

export function faqAnswers(flow: Flow): Middleware<RouterContext> {
  return async (ctx, next) => {
    const c = ctx.conversation;
    if (ctx.event.type !== 'message' || !c || isCommand(ctx.text)) return next();
    if (c.owner === 'none') return next();
    const clarify = await flow.state.get(c.id, 'clarify');
    const language = flow.language(ctx);
    const picked = /^\s*(\d{1,2})\s*[.)。]?\s*$/.exec(ctx.text)?.[1];
    const chosenId = picked && clarify ? clarify[Number(picked) - 1] : undefined;
    const chosen = chosenId ? flow.deps.matcher.article(chosenId) : undefined;
    if (chosen) {
      await flow.state.clear(c.id, 'clarify');
      ctx.reply(faqReply(flow.t, chosen, language));
      return;
    }
    const match = matchOfTurn(flow, ctx);
    const answer = match?.answer ? flow.deps.matcher.article(match.answer.id) : undefined;
    if (answer) {
      await flow.state.clear(c.id, 'clarify');
      ctx.reply(faqReply(flow.t, answer, language));
      return;
    }
    const candidates = match?.candidates ?? [];
    ctx.reply(clarifyReply(flow.t, candidates, (id) => flow.deps.matcher.article(id), language));
    const offered = candidates.filter((s) => flow.deps.matcher.article(s.id)).map((s) => s.id);
    if (offered.length) await flow.state.set(c.id, { clarify: offered });
    else await flow.state.clear(c.id, 'clarify');
  };
}
