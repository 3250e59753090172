/**
 * The language of each turn: what the text shows, else what this user wrote in before,
 * else the platform's hint, else the default; a language chosen with /lang always wins.
 * Remembered per user (channel + user id) in Redis and set on the conversation, so the
 * inbox and the hooks that speak outside a turn use it too.
 */
import type { Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import { detectLanguage } from '../language.ts';
import type { Flow } from './flow.ts';

export function languageOfTurn(flow: Flow): Middleware<RouterContext> {
  return async (ctx, next) => {
    const e = ctx.event;
    const known = await flow.state.userLanguage(e.channel, e.sender.userId);
    const text = e.type === 'message' && !ctx.text.trim().startsWith('/') ? ctx.text : '';
    const detected = detectLanguage(text, {
      chosen: known.chosen,
      remembered: known.remembered ?? ctx.conversation?.language,
      hint: e.sender.language,
      ...flow.deps.languages,
    });
    ctx.state.language = detected.language;
    if (detected.source === 'text' && known.remembered !== detected.language) {
      await flow.state.rememberLanguage(e.channel, e.sender.userId, 'remembered', detected.language);
    }
    if (ctx.conversation && ctx.conversation.language !== detected.language) {
      await ctx.update({ language: detected.language });
    }
    await next();
  };
}
