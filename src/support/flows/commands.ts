/**
 * The support commands: /start, /help, /human, /ticket, /lang, /transcript. The trust
 * layer's commands (/verify, /check, /report) pass on untouched; any other command gets
 * the help text, so a typo is never met with silence.
 */
import type { Middleware } from '../../router/composer.ts';
import type { RouterContext } from '../../router/context.ts';
import { parseLanguageChoice } from '../language.ts';
import type { Flow } from './flow.ts';
import { requestHuman } from './handoff.ts';
import { continueTicket, ticketStatus } from './tickets.ts';
import { sendTranscript } from './transcript.ts';

export const TRUST_COMMANDS = ['verify', 'check', 'report'] as const;

export function parseCommand(text: string): { name: string; arg: string } | undefined {
  const m = /^\/([a-z0-9_]+)(?:@\S+)?(?:\s+([\s\S]*))?$/i.exec(text.trim());
  return m?.[1] ? { name: m[1].toLowerCase(), arg: (m[2] ?? '').trim() } : undefined;
}

export function commands(flow: Flow): Middleware<RouterContext> {
  return async (ctx, next) => {
    const command = ctx.event.type === 'message' ? parseCommand(ctx.text) : undefined;
    if (!command || (TRUST_COMMANDS as readonly string[]).includes(command.name)) return next();
    const language = flow.language(ctx);
    const org = flow.deps.org;
    switch (command.name) {
      case 'start':
        ctx.reply(flow.t.render('greeting', language, { org }));
        return;
      case 'human':
        await requestHuman(flow, ctx);
        return;
      case 'ticket':
        if (!(await continueTicket(flow, ctx, command.arg))) await ticketStatus(flow, ctx);
        return;
      case 'lang':
        await changeLanguage(flow, ctx, command.arg);
        return;
      case 'transcript':
        await sendTranscript(flow, ctx);
        return;
      default:
        ctx.reply(flow.t.render('help', language, { org }));
    }
  };
}

async function changeLanguage(flow: Flow, ctx: RouterContext, arg: string): Promise<void> {
  const { supported } = flow.deps.languages;
  const choice = arg ? parseLanguageChoice(arg, supported) : undefined;
  if (!choice) {
    const options = supported.map((l) => `${l} (${flow.t.render('language.self', l)})`).join(', ');
    ctx.reply(flow.t.render('language.unknown', flow.language(ctx), { options }));
    return;
  }
  const e = ctx.event;
  await flow.state.rememberLanguage(e.channel, e.sender.userId, 'chosen', choice);
  ctx.state.language = choice;
  if (ctx.conversation) await ctx.update({ language: choice });
  ctx.reply(flow.t.render('language.changed', choice, { language: flow.t.render('language.self', choice) }));
}
