import { describe, expect, it } from 'vitest';
import {
  type CollectInput,
  CollectState,
  type CollectStep,
  collectStep,
  DEFAULT_COLLECT_PLAN,
  Field,
  parseAccountId,
  parseAmountTime,
  parseTxHash,
  SKIP_BUTTON,
  startCollection,
} from './collect.ts';

const EVM = `0x${'ab12'.repeat(16)}`;
const HEX = 'f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16';

function run(category: Parameters<typeof startCollection>[0], turns: CollectInput[]): CollectStep[] {
  const steps = [startCollection(category)];
  for (const turn of turns) steps.push(collectStep(steps.at(-1)!.state, turn));
  return steps;
}

describe('collection for a withdrawal problem', () => {
  it('asks one question at a time and validates each answer', () => {
    const steps = run('deposit-withdrawal', [
      { text: 'alice@example.org' },
      { text: 'not sure what that is' },
      { text: `here: https://etherscan.io/tx/${EVM}` },
      { text: '250 USDT' },
      { text: '250 USDT yesterday 14:30' },
      { text: 'sending it now', attachments: [{ type: 'photo', fileId: 'file-1' }] },
    ]);
    expect(steps.map((s) => s.send)).toEqual([
      ['collect.intro', 'collect.ask.accountId'],
      ['collect.ask.txHash'],
      ['collect.invalid.txHash'],
      ['collect.ask.amountTime'],
      ['collect.invalid.amountTime'],
      ['collect.ask.screenshot'],
      ['collect.done'],
    ]);
    const last = steps.at(-1)!;
    expect(last.done).toBe(true);
    expect(last.state.answers).toEqual({
      accountId: { status: 'given', value: 'alice@example.org', kind: 'email' },
      txHash: { status: 'given', value: EVM, kind: 'evm' },
      amountTime: { status: 'given', value: '250 USDT yesterday 14:30' },
      screenshot: { status: 'given', value: 'file-1' },
    });
    expect(CollectState.parse(JSON.parse(JSON.stringify(last.state)))).toEqual(last.state);
  });

  it.each(['skip', 'Skip.', '跳过', '不知道', '/skip'])('accepts %j as skip', (text) => {
    const [, step] = run('fees', [{ text }]);
    expect(step!.state.answers.accountId).toEqual({ status: 'skipped' });
    expect(step!.send).toEqual(['collect.ask.txHash']);
  });

  it('accepts the skip button', () => {
    const [, step] = run('contact', [{ text: '', button: SKIP_BUTTON }]);
    expect(step).toMatchObject({ done: true, send: ['collect.done'] });
  });

  it('keeps an answer as unverified after two invalid tries instead of looping', () => {
    const steps = run('fees', [{ text: 'my id is the usual one' }, { text: 'the one I always use' }]);
    expect(steps[1]!.send).toEqual(['collect.invalid.accountId']);
    expect(steps[2]!.state.answers.accountId).toEqual({
      status: 'unverified',
      value: 'the one I always use',
    });
    expect(steps[2]!.send).toEqual(['collect.ask.txHash']);
  });

  it('never stores a message in which a secret was found, and asks again', () => {
    const [, step] = run('fees', [{ text: '[redacted]', secretDetected: true }]);
    expect(step!.send).toEqual(['collect.secret-removed', 'collect.ask.accountId']);
    expect(step!.state.answers).toEqual({});
    expect(step!.state.attempts).toBe(0);
  });

  it('asks for a screenshot again when only text arrives', () => {
    const state: CollectState = {
      category: 'technical',
      fields: ['screenshot'],
      index: 0,
      attempts: 0,
      answers: {},
    };
    expect(collectStep(state, { text: 'it shows an error' }).send).toEqual(['collect.invalid.screenshot']);
    const doc = collectStep(state, {
      text: '',
      attachments: [{ type: 'document', mimeType: 'image/png', fileId: 'f' }],
    });
    expect(doc.done).toBe(true);
  });

  it('finishes at once for a category with nothing to ask', () => {
    expect(startCollection('contact', { contact: [] })).toMatchObject({ done: true, send: [] });
  });
});

describe('plans', () => {
  it('can only ask for harmless fields', () => {
    expect(Field.options).toEqual(['accountId', 'txHash', 'amountTime', 'errorText', 'screenshot']);
    for (const fields of Object.values(DEFAULT_COLLECT_PLAN)) {
      for (const f of fields) expect(f).not.toMatch(/password|code|phrase|seed|key|otp/i);
    }
    expect(Field.safeParse('password').success).toBe(false);
  });
});

describe('parseTxHash', () => {
  it.each([
    [EVM, { hash: EVM, chain: 'evm' }],
    [EVM.toUpperCase().replace('0X', '0x'), { hash: EVM, chain: 'evm' }],
    [`https://bscscan.com/tx/${EVM}`, { hash: EVM, chain: 'evm' }],
    [HEX, { hash: HEX, chain: 'btc-or-tron' }],
    [`https://tronscan.org/#/transaction/${HEX}`, { hash: HEX, chain: 'btc-or-tron' }],
    [`https://mempool.space/tx/${HEX}`, { hash: HEX, chain: 'btc-or-tron' }],
    [
      '5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW',
      {
        hash: '5VERv8NMvzbJMEkV8xnrLkEaWRtSz9CosKDYjCJjBRnbJLgp8uirBgmQpjKhoR4tjF3ZpRzrFmBV6UjKdiSZkQUW',
        chain: 'solana',
      },
    ],
    ['0x1234', null],
    [`0x${'ab'.repeat(20)}`, null],
    [`${HEX}ff`, null],
    ['no idea', null],
  ])('%s', (text, expected) => expect(parseTxHash(text)).toEqual(expected));
});

describe('parseAccountId', () => {
  it.each([
    ['Alice@Example.org', { status: 'given', value: 'alice@example.org', kind: 'email' }],
    [
      'my email is bob.li+wallet@mail.example.cn.',
      { status: 'given', value: 'bob.li+wallet@mail.example.cn', kind: 'email' },
    ],
    ['UID: 38811234', { status: 'given', value: '38811234', kind: 'id' }],
    ['38811234', { status: 'given', value: '38811234', kind: 'id' }],
    ['账号：EXW-2291', { status: 'given', value: 'EXW-2291', kind: 'id' }],
    ['my uid is 38811234', { status: 'given', value: '38811234', kind: 'id' }],
    ['账号是 EXW-2291', { status: 'given', value: 'EXW-2291', kind: 'id' }],
    ['38811234 or maybe 38811235', null],
    ['my usual one', null],
    ['abcdef', null],
    [EVM, null],
  ])('%s', (text, expected) => expect(parseAccountId(text)).toEqual(expected));
});

describe('parseAmountTime', () => {
  it.each([
    ['250 USDT yesterday 14:30', true],
    ['0.5 ETH, 2026-11-20 09:15 UTC', true],
    ['1,200 usdt about 3 hours ago', true],
    ['100u 昨天下午3点', true],
    ['今天上午 500 USDT', true],
    ['11月20日 转了 300', true],
    ['250 USDT', false],
    ['yesterday', false],
    ['昨天下午3点', false],
    ['a lot', false],
  ])('%s → %s', (text, expected) => expect(parseAmountTime(text)).toBe(expected));
});

describe('adversarial input', () => {
  it.each(['a'.repeat(50_000), 'a.'.repeat(25_000), 'x@'.repeat(25_000)])(
    'stays fast and declines',
    (text) => {
      const start = performance.now();
      expect(parseAccountId(text)).toBeNull();
      expect(parseTxHash(text)).toBeNull();
      expect(parseAmountTime(text)).toBe(false);
      expect(performance.now() - start).toBeLessThan(100);
    },
  );
});
