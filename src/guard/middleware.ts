/**
 * The trust layer in the router: what users see of impersonation defence.
 *   - a pasted secret: an immediate alert, the conversation raised to urgent;
 *   - a flagged or lookalike entity, or a scam script: a warning naming the real thing;
 *     in groups the moderators are alerted, and the message deleted where configured;
 *   - a new or renamed member who looks like staff or an official account: moderators alerted;
 *   - /verify (with or without a code), /check (or a forwarded message), /report;
 *   - the verification message on a user's first contact.
 * Findings go to `ctx.state.trust` for the support handlers after it.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { LivePublisher } from '../bus/live.ts';
import type { OfficialConfig } from '../config/sections/official.ts';
import type { Entity } from '../core/model.ts';
import { Composer, type Middleware } from '../router/composer.ts';
import type { RouterContext } from '../router/context.ts';
import { detectLanguage } from '../support/language.ts';
import type { Templates } from '../support/templates.ts';
import { checkText } from '../trust/check.ts';
import { type CodeLedger, canonicalCode } from '../trust/codes.ts';
import type { ScamRegistry } from '../trust/registry.ts';
import { FlagKind } from '../trust/registry-index.ts';
import type { TrustScanner } from '../trust/scanner.ts';
import { CHANNEL_NAMES, groupHolder, verificationMessage } from './verification.ts';

export const TrustFindings = z.object({ secretLeaked: z.boolean(), scam: z.boolean() });
export type TrustFindings = z.infer<typeof TrustFindings>;

export interface GuardDeps {
  organization: string;
  official: OfficialConfig;
  scanner: TrustScanner;
  registry: ScamRegistry;
  /** Issues codes and remembers them, so a copied code is told apart from an invented one. */
  ledger: CodeLedger;
  templates: Templates;
  languages: { default: string; supported: readonly string[] };
  live: LivePublisher;
  logger: Logger;
  /** Delete scam messages in groups (where the bot may). */
  deleteInGroups?: boolean;
}

const DANGEROUS = new Set(['flagged', 'lookalike']);

export function guardMiddleware(deps: GuardDeps): Middleware<RouterContext> {
  const language = (ctx: RouterContext) =>
    detectLanguage(ctx.text, {
      hint: ctx.event.sender.language,
      remembered: ctx.conversation?.language,
      supported: deps.languages.supported,
      default: deps.languages.default,
    }).language;

  const verification = async (ctx: RouterContext) => {
    const holder = { channel: ctx.event.channel, userId: ctx.event.sender.userId };
    ctx.reply(await verificationMessage(deps, holder, language(ctx)));
  };

  const warn = (ctx: RouterContext, entities: readonly Entity[]) => {
    const lang = language(ctx);
    const lines = entities.map((e) =>
      e.kind === 'script'
        ? deps.templates.render('trust.scam-script', lang)
        : e.verdict === 'flagged'
          ? deps.templates.render('trust.flagged', lang, { entity: e.value })
          : deps.templates.render('trust.lookalike', lang, {
              entity: e.value,
              official: e.target ?? deps.official.name,
            }),
    );
    ctx.reply({ text: [...new Set(lines)].join('\n\n'), style: 'warning', ...replyTo(ctx) });
  };

  return new Composer<RouterContext>()
    .use(async (ctx, next) => {
      const entities = ctx.message?.entities ?? [];
      const redactions = ctx.message?.redactions ?? [];
      const findings: TrustFindings = {
        secretLeaked: redactions.length > 0,
        scam: entities.some((e) => e.kind !== 'secret' && (DANGEROUS.has(e.verdict) || e.kind === 'script')),
      };
      ctx.state.trust = findings;
      await next();
    })
    .on('message', async (ctx, next) => {
      if (ctx.message?.redactions.length) {
        ctx.reply({ text: deps.templates.render('trust.secret-shield', language(ctx)), style: 'warning' });
        await ctx.update({ priority: 'urgent', category: 'security', addTags: ['secret-leaked'] });
      }
      const dangerous = (ctx.message?.entities ?? []).filter(
        (e) => e.kind !== 'secret' && (DANGEROUS.has(e.verdict) || e.kind === 'script'),
      );
      if (dangerous.length && !ctx.text.startsWith('/check')) {
        const inGroup = ctx.event.thread.kind !== 'private';
        if (inGroup || ctx.event.type !== 'message' || ctx.event.addressedToBot) warn(ctx, dangerous);
        if (inGroup) {
          await deps.live.publish({
            type: 'alert',
            ...(ctx.conversation ? { conversationId: ctx.conversation.id } : {}),
            data: { kind: 'scam-in-group', sender: ctx.event.sender, entities: dangerous },
          });
          if (deps.deleteInGroups && ctx.event.type === 'message') {
            ctx.command({ type: 'delete', platformMessageId: ctx.event.platformMessageId });
          }
        }
        await ctx.update({ addTags: ['scam-warning'] });
      }
      await next();
    })
    .on(['member'], async (ctx, next) => {
      const member = ctx.event.sender;
      const entities = deps.scanner.scan('', {
        channel: ctx.event.channel,
        sender: {
          channel: member.channel,
          userId: member.userId,
          ...(member.handle ? { handle: member.handle } : {}),
          ...(member.displayName ? { displayName: member.displayName } : {}),
        },
      });
      const suspicious = entities.filter((e) => DANGEROUS.has(e.verdict));
      if (suspicious.length && ctx.event.type === 'member' && ctx.event.change !== 'left') {
        deps.logger.warn(
          { channel: ctx.event.channel, userId: member.userId, change: ctx.event.change },
          'member looks like an official account',
        );
        await deps.live.publish({
          type: 'alert',
          data: {
            kind: 'lookalike-member',
            change: ctx.event.change,
            member,
            thread: ctx.event.thread,
            entities: suspicious,
          },
        });
      }
      await next();
    })
    .command('verify', (ctx) => {
      const arg = commandArgument(ctx);
      if (!arg) return verification(ctx);
      return verifyCode(ctx, arg);
    })
    .command('check', (ctx) => check(ctx, commandArgument(ctx)))
    .command('report', async (ctx) => {
      const arg = commandArgument(ctx);
      const lang = language(ctx);
      if (!arg) return ctx.reply(deps.templates.render('report.usage', lang));
      const [value = '', ...note] = arg.split(/\s+/);
      const kind = kindOf(value);
      await deps.registry.report({
        kind,
        value,
        reporter: { channel: ctx.event.channel, userId: ctx.event.sender.userId },
        ...(note.length ? { note: note.join(' ') } : {}),
        ...(kind === 'handle' || kind === 'account' ? { channel: ctx.event.channel } : {}),
      });
      await deps.live.publish({ type: 'alert', data: { kind: 'report', value } });
      ctx.reply(deps.templates.render('report.received', lang));
    })
    .filter(
      (ctx) =>
        ctx.event.type === 'message' &&
        ctx.event.thread.kind === 'private' &&
        ctx.event.forwardedFrom !== undefined,
      (ctx, next) => {
        check(ctx, ctx.text);
        return next();
      },
    )
    .filter(
      (ctx) => ctx.event.type === 'message' && ctx.event.thread.kind === 'private' && ctx.message?.seq === 1,
      async (ctx, next) => {
        await verification(ctx);
        await next();
      },
    )
    .middleware();

  function check(ctx: RouterContext, text: string | undefined) {
    const lang = language(ctx);
    const result = text ? checkText(deps.scanner, text, { channel: ctx.event.channel }) : undefined;
    const entities = (result?.entities ?? []).filter((e) => e.kind !== 'script' && e.kind !== 'secret');
    if (!entities.length) return ctx.reply(deps.templates.render('check.nothing', lang));
    const lines = entities.map((e) => {
      if (e.verdict === 'official') return deps.templates.render('check.official', lang, { entity: e.value });
      if (e.verdict === 'flagged') return deps.templates.render('check.flagged', lang, { entity: e.value });
      if (e.verdict === 'lookalike') {
        return deps.templates.render('check.lookalike', lang, {
          entity: e.value,
          official: e.target ?? deps.official.name,
        });
      }
      return deps.templates.render('check.unknown', lang, { entity: e.value });
    });
    ctx.reply({ text: lines.join('\n'), ...replyTo(ctx) });
  }

  async function verifyCode(ctx: RouterContext, arg: string) {
    const lang = language(ctx);
    const code = canonicalCode(arg) ?? arg;
    const asked = await deps.ledger.verify(code, {
      channel: ctx.event.channel,
      userId: ctx.event.sender.userId,
    });
    // A code from a scheduled message in this group verifies for anyone asking in it.
    const result =
      asked.status === 'issued' || ctx.event.thread.kind === 'private'
        ? asked
        : await deps.ledger.verify(code, groupHolder(ctx.event.channel, ctx.event.thread.key));
    if (result.status === 'issued') {
      ctx.reply(
        deps.templates.render('verify.code-valid', lang, {
          code,
          where: CHANNEL_NAMES[ctx.event.channel] ?? ctx.event.channel,
          issuedAt: new Date(result.issuedAt).toISOString().replace('T', ' ').slice(0, 16),
        }),
      );
      return;
    }
    ctx.reply({ text: deps.templates.render('verify.code-unknown', lang, { code }), style: 'warning' });
  }
}

function commandArgument(ctx: RouterContext): string | undefined {
  const arg = ctx.text.replace(/^\/[a-z]+(@\S+)?/i, '').trim();
  return arg === '' ? undefined : arg;
}

function replyTo(ctx: RouterContext): { replyToPlatformId?: string } {
  return ctx.event.type === 'message' ? { replyToPlatformId: ctx.event.platformMessageId } : {};
}

/** What a reported value is, by its shape. */
function kindOf(value: string): FlagKind {
  if (/^@/.test(value)) return 'handle';
  if (/^\+?[\d\s()-]{6,}$/.test(value)) return 'phone';
  if (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(value)) return 'email';
  if (/^(0x[0-9a-f]{40}|T[1-9A-HJ-NP-Za-km-z]{33}|(bc1|[13])[0-9A-Za-z]{25,62})$/.test(value))
    return 'address';
  if (/\./.test(value)) return 'domain';
  return FlagKind.enum.account;
}
