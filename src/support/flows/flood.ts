/**
 * Flood control, first in the chain: every message of a sender is counted in a sliding
 * window (a sorted set of event ids by time, so a re-run of the same event counts once).
 * Over the soft limit the sender is asked once to slow down and still served; over the
 * hard limit the message stays stored (an agent sees it) but nothing else runs for it.
 */
import type { Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import { floodDecision } from '../flood.ts';
import type { Flow } from './flow.ts';

export function floodControl(flow: Flow): Middleware<RouterContext> {
  return async (ctx, next) => {
    const e = ctx.event;
    if (e.type !== 'message') return next();
    const { soft, hard } = flow.config.flood;
    const now = flow.now();
    const key = flow.state.floodKey(e.channel, e.sender.userId);
    const results = await flow.state.redis
      .multi()
      .zadd(key, now, `${e.eventId}`)
      .zremrangebyscore(key, '-inf', now - hard.windowMs)
      .zcount(key, now - soft.windowMs + 1, '+inf')
      .zcount(key, now - hard.windowMs + 1, '+inf')
      .pexpire(key, hard.windowMs)
      .exec();
    const count = (i: number) => {
      const value = results?.[i]?.[1];
      return typeof value === 'number' ? value : 0;
    };
    const decision = floodDecision({ soft: count(2), hard: count(3) }, flow.config.flood);
    if (decision.action === 'drop') {
      flow.deps.logger.debug(
        { channel: e.channel, conversationId: ctx.conversation?.id },
        'flood: message stored, not processed',
      );
      return;
    }
    if ('warn' in decision && ctx.conversation?.owner !== 'agent') {
      ctx.reply(flow.t.render(decision.warn, flow.language(ctx)));
    }
    await next();
  };
}
