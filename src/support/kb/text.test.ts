import { describe, expect, it } from 'vitest';
import { hanTerms, normalize, pieces, SynonymTable, stem } from './text.ts';
import { editDistance, TypoCorrector } from './typo.ts';

describe('stem', () => {
  it.each([
    ['withdrawals', 'withdrawal'],
    ['received', 'receiv'],
    ['receive', 'receiv'],
    ['stopping', 'stop'],
    ['fees', 'fee'],
    ['confirmations', 'confirmation'],
    ['address', 'address'],
    ['status', 'status'],
    ['queries', 'query'],
  ])('%s → %s', (word, expected) => expect(stem(word)).toBe(expected));
});

describe('normalize and pieces', () => {
  it('folds full-width, case and traditional characters', () => {
    expect(normalize('ＵＳＤＴ帳號鎖定')).toBe('usdt账号锁定');
    expect(normalize('助記詞和私鑰洩露')).toBe('助记词和私钥洩露');
  });

  it('splits Latin words from Chinese runs, drops stop words and particles, maps negations', () => {
    expect(pieces("My App在哪里下载的? didn't arrive")).toEqual([
      { kind: 'word', value: 'app' },
      { kind: 'han', value: '在哪里下载' },
      { kind: 'word', value: 'not' },
      { kind: 'word', value: 'arriv' },
    ]);
  });

  it('bigrams Chinese fragments', () => {
    expect(hanTerms('提现到账')).toEqual(['提现', '现到', '到账']);
    expect(hanTerms('链')).toEqual(['链']);
  });
});

describe('SynonymTable', () => {
  const table = new SynonymTable([
    ['withdrawal', 'cash out', '提现', '体现'],
    ['not arrived', '没到账'],
  ]);

  it('maps Latin phrases by longest match', () => {
    expect(table.mapWords(['cash', 'out', 'not', 'arriv'])).toEqual(['~0', '~1']);
    expect(table.mapWords(['cash', 'register'])).toEqual(['cash', 'register']);
  });

  it('maps Chinese phrases and cuts stop words, shared with English', () => {
    expect(table.mapHan('请问体现没到账')).toEqual({ concepts: ['~0', '~1'], rest: [] });
    expect(table.mapHan('你好钱包')).toEqual({ concepts: [], rest: ['钱包'] });
  });
});

describe('editDistance', () => {
  it.each([
    ['withdrawl', 'withdrawal', 2, 1],
    ['recieve', 'receive', 2, 1],
    ['deposit', 'depost', 2, 1],
    ['account', 'acount', 1, 1],
    ['abc', 'xyz', 1, 2],
    ['same', 'same', 0, 0],
  ])('%s ~ %s (max %i) = %i', (a, b, max, expected) => expect(editDistance(a, b, max)).toBe(expected));
});

describe('TypoCorrector', () => {
  const corrector = new TypoCorrector(
    new Map([
      ['withdrawal', 5],
      ['deposit', 4],
      ['password', 3],
      ['passport', 1],
      ['app', 2],
      ['lock', 2],
    ]),
  );
  it.each([
    ['withdrawl', 'withdrawal'],
    ['depost', 'deposit'],
    ['pasword', 'password'],
    ['xyzzy', 'xyzzy'],
    ['appl', 'appl'],
    ['lokc', 'lock'],
    ['tx', 'tx'],
    ['erc20', 'erc20'],
  ])('%s → %s', (word, expected) => expect(corrector.correct(word)).toBe(expected));
});
