/**
 * Collecting what an agent will need before a person takes over: a pure state machine
 * per category (current state + user message → next state + templates to send), one
 * question at a time, "skip" always accepted. The fields are a closed list that holds no
 * password, code or recovery phrase, so no configuration can make the bot ask for one.
 * After `maxAttempts` invalid answers to one question the answer is kept as given
 * (marked unverified) and the bot moves on: a user is never trapped in a loop.
 */
import { z } from 'zod';
import type { Attachment } from '../core/model.ts';
import { Category } from './kb/load.ts';

export const Field = z.enum(['accountId', 'txHash', 'amountTime', 'errorText', 'screenshot']);
export type Field = z.infer<typeof Field>;

export const CollectPlan = z.partialRecord(Category, z.array(Field));
export type CollectPlan = z.infer<typeof CollectPlan>;

export const DEFAULT_COLLECT_PLAN: Record<Category, Field[]> = {
  account: ['accountId', 'errorText'],
  security: ['accountId', 'txHash', 'amountTime'],
  'deposit-withdrawal': ['accountId', 'txHash', 'amountTime', 'screenshot'],
  transaction: ['accountId', 'txHash', 'amountTime', 'errorText'],
  fees: ['accountId', 'txHash'],
  kyc: ['accountId', 'errorText'],
  technical: ['accountId', 'errorText', 'screenshot'],
  contact: ['accountId'],
};

export const Answer = z.discriminatedUnion('status', [
  z.object({ status: z.literal('given'), value: z.string(), kind: z.string().optional() }),
  z.object({ status: z.literal('unverified'), value: z.string() }),
  z.object({ status: z.literal('skipped') }),
]);
export type Answer = z.infer<typeof Answer>;

/** Serializable (the lead keeps it in Redis between turns); parse it back with this schema. */
export const CollectState = z.object({
  category: Category,
  fields: z.array(Field),
  index: z.number().int().nonnegative(),
  attempts: z.number().int().nonnegative(),
  answers: z.partialRecord(Field, Answer),
});
export type CollectState = z.infer<typeof CollectState>;

export interface CollectInput {
  text: string;
  attachments?: readonly Attachment[];
  /** Button payload, when the user tapped one (`collect:skip`). */
  button?: string;
  /** The trust layer found (and redacted) a secret in this message: it is never stored. */
  secretDetected?: boolean;
}

/** The templates collection sends; none takes a placeholder. */
export type CollectTemplateKey =
  | 'collect.intro'
  | `collect.ask.${Field}`
  | `collect.invalid.${Field}`
  | 'collect.secret-removed'
  | 'collect.done';

export interface CollectStep {
  state: CollectState;
  /** Templates to send, in order. */
  send: CollectTemplateKey[];
  done: boolean;
}

export const SKIP_BUTTON = 'collect:skip';
const MAX_ATTEMPTS = 2;
const SKIP =
  /^\s*(\/?skip|pass|n\/?a|none|no|nope|don'?t know|dunno|idk|not sure|跳过|略过|不知道|没有|无|不清楚|算了)\s*[.!。！]?\s*$/i;

export function startCollection(category: Category, plan: CollectPlan = DEFAULT_COLLECT_PLAN): CollectStep {
  const fields = plan[category] ?? DEFAULT_COLLECT_PLAN[category];
  const state: CollectState = { category, fields, index: 0, attempts: 0, answers: {} };
  const first = fields[0];
  if (!first) return { state, send: [], done: true };
  return { state, send: ['collect.intro', askKey(first)], done: false };
}

export function collectStep(state: CollectState, input: CollectInput): CollectStep {
  const field = state.fields[state.index];
  if (!field) return { state, send: [], done: true };
  if (input.secretDetected) {
    return { state, send: ['collect.secret-removed', askKey(field)], done: false };
  }
  if (input.button === SKIP_BUTTON || SKIP.test(input.text)) {
    return advance(state, field, { status: 'skipped' });
  }
  const parsed = validate(field, input);
  if (parsed) return advance(state, field, parsed);
  if (state.attempts + 1 >= MAX_ATTEMPTS && input.text.trim()) {
    return advance(state, field, { status: 'unverified', value: input.text.trim().slice(0, 500) });
  }
  return {
    state: { ...state, attempts: state.attempts + 1 },
    send: [invalidKey(field)],
    done: false,
  };
}

function advance(state: CollectState, field: Field, answer: Answer): CollectStep {
  const next: CollectState = {
    ...state,
    index: state.index + 1,
    attempts: 0,
    answers: { ...state.answers, [field]: answer },
  };
  const following = next.fields[next.index];
  if (!following) return { state: next, send: ['collect.done'], done: true };
  return { state: next, send: [askKey(following)], done: false };
}

function askKey(field: Field): CollectTemplateKey {
  return `collect.ask.${field}`;
}

function invalidKey(field: Field): CollectTemplateKey {
  return `collect.invalid.${field}`;
}

function validate(field: Field, input: CollectInput): Answer | null {
  const text = input.text.trim();
  switch (field) {
    case 'accountId':
      return parseAccountId(text);
    case 'txHash': {
      const tx = parseTxHash(text);
      return tx ? { status: 'given', value: tx.hash, kind: tx.chain } : null;
    }
    case 'amountTime':
      return parseAmountTime(text) ? { status: 'given', value: text.slice(0, 500) } : null;
    case 'errorText':
      return text.length >= 2 ? { status: 'given', value: text.slice(0, 2000) } : null;
    case 'screenshot': {
      const image = (input.attachments ?? []).find(
        (a) => a.type === 'photo' || (a.type === 'document' && (a.mimeType ?? '').startsWith('image/')),
      );
      return image ? { status: 'given', value: image.fileId ?? image.url ?? image.name ?? 'attached' } : null;
    }
  }
}

const EMAIL = /^[^\s@<>()"',;:]+@[^\s@<>()"',;:]+\.[a-z]{2,}$/i;
/** Answers longer than this are not an id, a hash or an amount (and would slow the patterns). */
const MAX_ANSWER_CHARS = 1000;

export function parseAccountId(text: string): Answer | null {
  if (text.length > MAX_ANSWER_CHARS) return null;
  const email = text
    .split(/[\s:：,，;；]+/)
    .map((token) => token.replace(/^[<("']+|[>)"'.。!！?？]+$/g, ''))
    .find((token) => EMAIL.test(token));
  if (email) return { status: 'given', value: email.toLowerCase(), kind: 'email' };
  // An id is one token with a digit in a short answer ("UID 38811234", "账号是 EXW-2291").
  if (text.length > 120) return null;
  const ids = text
    .split(/[^A-Za-z0-9_-]+/)
    .filter(
      (tok) => /^[A-Za-z0-9_-]{4,40}$/.test(tok) && /\d/.test(tok) && !/^(0x)?[0-9a-f]{32,}$/i.test(tok),
    );
  const id = ids.length === 1 ? ids[0] : undefined;
  if (id) return { status: 'given', value: id, kind: 'id' };
  return null;
}

export type TxChain = 'evm' | 'btc-or-tron' | 'solana';

/** Finds a transaction hash in a message or an explorer link. */
export function parseTxHash(text: string): { hash: string; chain: TxChain } | null {
  if (text.length > MAX_ANSWER_CHARS) return null;
  const evm = text.match(/(?<![0-9a-z])0x[0-9a-f]{64}(?![0-9a-z])/i)?.[0];
  if (evm) return { hash: evm.toLowerCase(), chain: 'evm' };
  const hex = text.match(/(?<![0-9a-z])[0-9a-f]{64}(?![0-9a-z])/i)?.[0];
  if (hex) return { hash: hex.toLowerCase(), chain: 'btc-or-tron' };
  const sol = text.match(/(?<![1-9a-z])[1-9A-HJ-NP-Za-km-z]{86,88}(?![1-9a-z])/i)?.[0];
  if (sol) return { hash: sol, chain: 'solana' };
  return null;
}

const TIME =
  /\b(today|yesterday|tonight|this (morning|afternoon|evening)|last (night|week)|morning|afternoon|evening|noon|midnight|just now|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\d+\s*(hours?|hrs?|h|minutes?|mins?|days?)\s+ago|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\b\d{1,2}\/\d{1,2}\b|\b\d{1,2}(:\d{2})+\s*(am|pm)?|\b\d{1,2}\s*(am|pm)\b|\butc\b|今天|昨天|前天|今早|早上|上午|中午|下午|傍晚|晚上|凌晨|刚才|\d{1,2}\s*[点點](\d{1,2}分?|半)?|\d+\s*(个)?(小时|分钟|天)前|\d{1,2}月\d{1,2}[日号]|\d{1,2}[日号]|周[一二三四五六日天]|星期[一二三四五六日天]/gi;
const AMOUNT = /\d+(?:[.,]\d+)*/;

/** Both an amount and a time are present ("250 USDT, yesterday 14:30", "100u 昨天下午3点"). */
export function parseAmountTime(text: string): boolean {
  if (text.length > MAX_ANSWER_CHARS) return false;
  if (!new RegExp(TIME.source, 'i').test(text)) return false;
  return AMOUNT.test(text.replace(TIME, ' '));
}
