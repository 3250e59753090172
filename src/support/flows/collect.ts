/**
 * Information collection turns: while questions are pending, a message (or the "skip"
 * button) answers the current one; the last answer hands the case off. Commands and
 * other buttons keep working in between.
 */
import type { Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import { SKIP_BUTTON } from '../collect.ts';
import type { Flow } from './flow.ts';
import { continueCollection } from './handoff.ts';
import { isCommand } from './triage.ts';

export function collection(flow: Flow): Middleware<RouterContext> {
  return async (ctx, next) => {
    const e = ctx.event;
    const answering =
      (e.type === 'message' && !isCommand(ctx.text)) || (e.type === 'button' && e.data === SKIP_BUTTON);
    if (!answering) return next();
    const handled = await continueCollection(flow, ctx, e.type === 'button' ? { button: e.data } : {});
    if (!handled) await next();
  };
}
