/**
 * Satisfaction after a resolve, and what a message after it means. The resolve hook
 * (`onConversationResolved`, called by the lead when an agent resolves) asks for a 1–5
 * rating with buttons; a rating invites an optional comment for `csat.commentWindowMin`.
 * Both are kept in the support hash (`csat`) and the score as a tag (`csat:4`). The
 * store re-opens a resolved conversation on any user message; the comment is not a new
 * request, so the conversation goes back to resolved, while anything else the user
 * writes re-opens the case (and is told so when it has a ticket).
 */
import type { Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import { csatReply, parseButton } from '../replies.ts';
import type { Flow } from './flow.ts';
import { dequeue } from './handoff.ts';
import { isCommand } from './triage.ts';

const MIN = 60_000;
/** How far back the first agent reply is looked for (handling time for estimates). */
const HISTORY_SCAN = 200;

export function csatTurns(flow: Flow): Middleware<RouterContext> {
  return async (ctx, next) => {
    const c = ctx.conversation;
    const e = ctx.event;
    if (!c) return next();
    const language = flow.language(ctx);
    const action = e.type === 'button' ? parseButton(e.data) : null;
    if (action?.kind === 'csat') {
      const stored = await flow.state.all(c.id);
      if (stored.resolvedAt === undefined && stored.csat === undefined) return;
      const now = flow.now();
      await flow.state.set(c.id, {
        csat: { ...stored.csat, score: action.score, at: now },
        csatCommentUntil: now + flow.config.csat.commentWindowMin * MIN,
      });
      const old = c.tags.filter((t) => t.startsWith('csat:') && t !== `csat:${action.score}`);
      await ctx.update({ addTags: [`csat:${action.score}`], ...(old.length ? { removeTags: old } : {}) });
      ctx.reply(flow.t.render('csat.comment', language));
      return;
    }
    if (e.type !== 'message' || isCommand(ctx.text)) return next();
    const stored = await flow.state.all(c.id);
    const now = flow.now();
    const turn = `${e.channel}:${e.eventId}`;
    const commenting = stored.csatCommentUntil !== undefined && now <= stored.csatCommentUntil;
    if (stored.csat && (commenting || stored.csat.commentEvent === turn)) {
      const comment = ctx.text.slice(0, 2000);
      await flow.state.set(c.id, { csat: { ...stored.csat, comment, commentEvent: turn, at: now } });
      await flow.state.clear(c.id, 'csatCommentUntil');
      if (stored.resolvedAt !== undefined && c.status !== 'resolved')
        await ctx.update({ status: 'resolved' });
      ctx.reply(flow.t.render('csat.thanks', language));
      return;
    }
    if (stored.resolvedAt !== undefined) {
      await flow.state.clear(c.id, 'resolvedAt', 'csatCommentUntil');
      if (c.ticket) ctx.reply(flow.t.render('conversation.reopened', language, { ticket: c.ticket }));
    }
    await next();
  };
}

/**
 * Call once an agent resolved the conversation (after `setStatus(…, 'resolved')`). Takes it
 * out of the queue and the SLA and silent-agent schedules, records the handling time for
 * queue estimates, gives the conversation back to the bot, and sends the resolve notice
 * with the rating buttons. Safe to call twice: only the first call of a resolve acts.
 */
export async function onConversationResolved(
  flow: Flow,
  conversationId: string,
  now = flow.now(),
): Promise<boolean> {
  const { store } = flow.deps;
  const c = await store.get(conversationId);
  if (c?.status !== 'resolved') return false;
  // The store's own resolve instant names this resolve: a second call for it does nothing,
  // and the messages' idempotency keys hold even if two calls race.
  const raw = Number(await store.redis.hget(store.keys.conversation(c.id), 'resolvedAt'));
  const resolvedAt = Number.isFinite(raw) && raw > 0 ? raw : now;
  const stored = await flow.state.all(c.id);
  if (stored.resolvedAt === resolvedAt) return false;
  await flow.state.set(c.id, { resolvedAt });
  await dequeue(flow, c.id, stored.queueTeam);
  await flow.state.redis.zrem(flow.state.awaitingAgentKey(), c.id);
  await flow.state.redis.zrem(flow.state.slaKey(), c.id);
  if (stored.queuedAt !== undefined) {
    const team = stored.queueTeam ?? c.team ?? flow.config.defaultTeam;
    const history = await store.history(c.id, { limit: HISTORY_SCAN });
    const firstAgent = history
      .filter((m) => m.author.kind === 'agent' && !m.note && m.createdAt >= (stored.queuedAt ?? 0))
      .at(-1);
    const handledMs = now - (firstAgent?.createdAt ?? stored.queuedAt);
    if (handledMs > 0) {
      await flow.state.redis
        .multi()
        .lpush(flow.state.handlingKey(team), String(handledMs))
        .ltrim(flow.state.handlingKey(team), 0, flow.config.eta.window - 1)
        .exec();
    }
  }
  await flow.state.clear(
    c.id,
    'collectTurn',
    'collectStartedBy',
    'queuedAt',
    'queueTeam',
    'etaToldMs',
    'collect',
    'clarify',
    'openedAt',
    'slaWarned',
  );
  if (c.owner !== 'bot') await store.update(c.id, { owner: 'bot' });
  const language = c.language ?? flow.deps.languages.default;
  await flow.sayOutside(c, flow.t.render('conversation.resolved', language), `resolved:${resolvedAt}`, {
    now,
  });
  const survey = csatReply(flow.t, language);
  await flow.sayOutside(c, survey.text, `csat:${resolvedAt}`, {
    now,
    ...(survey.buttons ? { buttons: survey.buttons } : {}),
  });
  return true;
}
