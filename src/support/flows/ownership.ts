/**
 * The bot never talks over a person: while an agent owns the conversation, the talking
 * handlers are skipped (the message is stored and the inbox shows it as always). The
 * oldest user message the agent has not answered is remembered, so the silent-agent
 * sweep can hand the user back to the bot in time; the case also leaves the queue.
 */
import { compose, type Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import type { Flow } from './flow.ts';
import { dequeue } from './handoff.ts';

export function unlessAgentOwns(
  flow: Flow,
  talkers: Array<Middleware<RouterContext>>,
): Middleware<RouterContext> {
  const inner = compose(talkers);
  return async (ctx, next) => {
    const c = ctx.conversation;
    if (c?.owner !== 'agent') return inner(ctx, next);
    if (ctx.event.type === 'message') {
      await flow.state.redis.zadd(flow.state.awaitingAgentKey(), 'NX', ctx.event.at, c.id);
      await dequeue(flow, c.id, await flow.state.get(c.id, 'queueTeam'));
    }
    await next();
  };
}
