/**
 * The router's handler chain for a deployment: what runs, in which order, for every
 * inbound event. Each feature sits inside an error boundary, so one failing feature
 * cannot silence the others.
 */
import type { Logger } from 'pino';
import type { VerityConfig } from '../config/schema.ts';
import { Composer, type Middleware } from '../router/composer.ts';
import type { RouterContext } from '../router/context.ts';

export function routerMiddleware(_config: VerityConfig, logger: Logger): Middleware<RouterContext> {
  const report = (error: unknown, ctx: RouterContext) =>
    logger.error({ err: error, eventId: ctx.event.eventId, channel: ctx.event.channel }, 'handler failed');
  return new Composer<RouterContext>()
    .errorBoundary(report, (ctx) => {
      if (ctx.event.type === 'message' && ctx.event.addressedToBot)
        ctx.reply(`We received your message: ${ctx.text}`);
    })
    .middleware();
}
