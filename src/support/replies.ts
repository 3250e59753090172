/**
 * Composes the bot's replies (text + buttons) from templates, so the router handlers the
 * lead wires never build user-facing strings themselves. Button payloads are short,
 * prefixed and parsed back with `parseButton`, which rejects anything it did not issue.
 */
import type { Button } from '../core/model.ts';
import { type CollectTemplateKey, Field, SKIP_BUTTON } from './collect.ts';

import type { Article } from './kb/load.ts';
import type { Scored } from './kb/matcher.ts';
import type { Templates } from './templates.ts';

export interface Reply {
  text: string;
  buttons?: Button[][];
}

export type ButtonAction =
  | { kind: 'faq-solved'; articleId: string }
  | { kind: 'human' }
  | { kind: 'clarify'; articleId: string }
  | { kind: 'skip' }
  | { kind: 'csat'; score: 1 | 2 | 3 | 4 | 5 };

const CSAT_SCORES = [1, 2, 3, 4, 5] as const;
const FIELDS = Field.options;

export const BUTTON = {
  solved: (articleId: string) => `faq:ok:${articleId}`,
  human: 'human',
  clarify: (articleId: string) => `kb:${articleId}`,
  skip: SKIP_BUTTON,
  csat: (score: number) => `csat:${score}`,
} as const;

export function parseButton(data: string): ButtonAction | null {
  if (data === BUTTON.human) return { kind: 'human' };
  if (data === BUTTON.skip) return { kind: 'skip' };
  const solved = /^faq:ok:([a-z0-9-]{2,48})$/.exec(data);
  if (solved?.[1]) return { kind: 'faq-solved', articleId: solved[1] };
  const clarify = /^kb:([a-z0-9-]{2,48})$/.exec(data);
  if (clarify?.[1]) return { kind: 'clarify', articleId: clarify[1] };
  const score = CSAT_SCORES.find((n) => data === BUTTON.csat(n));
  return score === undefined ? null : { kind: 'csat', score };
}

function text(map: Record<string, string>, language: string, fallback: string): string {
  return map[language] ?? map[fallback] ?? Object.values(map)[0] ?? '';
}

/** A knowledge-base answer with "this solved it" / "talk to a person". */
export function faqReply(t: Templates, article: Article, language: string): Reply {
  return {
    text: t.render('faq.answer', language, {
      title: text(article.title, language, t.defaultLanguage),
      answer: text(article.answer, language, t.defaultLanguage),
    }),
    buttons: [
      [
        { label: t.render('button.solved', language), data: BUTTON.solved(article.id) },
        { label: t.render('button.human', language), data: BUTTON.human },
      ],
    ],
  };
}

/** "Did you mean …?" with one button per candidate article, or a request for more detail. */
export function clarifyReply(
  t: Templates,
  candidates: readonly Scored[],
  article: (id: string) => Article | undefined,
  language: string,
): Reply {
  const found = candidates.flatMap((c) => {
    const a = article(c.id);
    return a ? [a] : [];
  });
  const human = [{ label: t.render('button.human', language), data: BUTTON.human }];
  if (found.length === 0) return { text: t.render('clarify.nothing', language), buttons: [human] };
  const titles = found.map((a) => text(a.title, language, t.defaultLanguage));
  const items = titles
    .map((title, i) => t.render('clarify.item', language, { index: i + 1, title }))
    .join('\n');
  return {
    text: t.render('clarify.question', language, { items }),
    buttons: [
      ...found.map((a, i) => [{ label: truncate(`${i + 1}. ${titles[i]}`, 80), data: BUTTON.clarify(a.id) }]),
      human,
    ],
  };
}

/** Messages for a collection step; questions get a "skip" button. */
export function collectReplies(t: Templates, keys: readonly CollectTemplateKey[], language: string): Reply[] {
  return keys.map((key) => {
    const body = t.render(key, language);
    return key.startsWith('collect.ask.')
      ? { text: body, buttons: [[{ label: t.render('button.skip', language), data: BUTTON.skip }]] }
      : { text: body };
  });
}

/** The field an ask key is about (for the lead to remember what is pending). */
export function fieldOfAsk(key: CollectTemplateKey): Field | undefined {
  return FIELDS.find((f) => key === `collect.ask.${f}`);
}

export function csatReply(t: Templates, language: string): Reply {
  return {
    text: t.render('csat.prompt', language),
    buttons: [
      CSAT_SCORES.map((score) => ({
        label: t.render('csat.button', language, { score }),
        data: BUTTON.csat(score),
      })),
    ],
  };
}

export interface VerificationFacts {
  org: string;
  /** Where the user is talking to us, e.g. "Telegram". */
  where: string;
  accounts: ReadonlyArray<{ channel: string; handle: string }>;
  promises: ReadonlyArray<'never-dm-first' | 'never-ask-secret' | 'never-ask-funds' | 'never-call'>;
  code: string;
  checkUrl: string;
}

export function verificationReply(t: Templates, facts: VerificationFacts, language: string): Reply {
  const accounts = facts.accounts
    .map((a) => t.render('verify.account-line', language, { channel: a.channel, handle: a.handle }))
    .join('\n');
  const promises = facts.promises.map((p) => t.render(`verify.promise.${p}`, language)).join('\n');
  return {
    text: t.render('verify.message', language, {
      org: facts.org,
      where: facts.where,
      accounts,
      promises,
      code: facts.code,
      checkUrl: facts.checkUrl,
    }),
  };
}

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}
