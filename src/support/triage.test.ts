import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from './kb/load.ts';
import { KbMatcher } from './kb/matcher.ts';
import { escalate, triage, urgentReasons } from './triage.ts';

let matcher: KbMatcher;
beforeAll(() => {
  matcher = new KbMatcher(loadKnowledgeBase('config/kb'));
});

describe('urgentReasons', () => {
  it.each([
    ['my funds were stolen', ['stolen-funds']],
    ['Someone drained my wallet last night', ['stolen-funds']],
    ['there is a withdrawal I did not make', ['stolen-funds']],
    ['all my usdt is gone', ['stolen-funds']],
    ['我的币被盗了', ['stolen-funds']],
    ['钱包被人转空了，不是我操作的', ['stolen-funds']],
    ['someone logged into my account', ['compromised-account']],
    ['my account was hacked', ['stolen-funds', 'compromised-account']],
    ['收到异地登录提醒', ['compromised-account']],
    ['I gave my seed phrase to the support guy', ['leaked-secret']],
    ['I typed my 12 words into a website', ['leaked-secret']],
    ['我把助记词告诉了客服', ['leaked-secret']],
    ['how do I back up my seed phrase', []],
    ['my deposit has not arrived', []],
    ['how much is the withdrawal fee', []],
  ])('%j → %j', (text, expected) => expect(urgentReasons(text)).toEqual(expected));

  it('counts a redacted secret from the trust layer', () => {
    expect(urgentReasons('here you go', { secretLeaked: true })).toEqual(['leaked-secret']);
  });
});

describe('triage', () => {
  it.each([
    ['my funds were stolen', {}, 'security', 'urgent'],
    ['here are my words', { secretLeaked: true }, 'security', 'urgent'],
    ['is this admin real? t.me/examp1e_support', { scamEntity: true }, 'security', 'high'],
    ['My deposit has not arrived', {}, 'deposit-withdrawal', 'normal'],
    ['交易一直卡着没确认', {}, 'transaction', 'normal'],
    ['how much is the withdrawal fee', {}, 'fees', 'low'],
    ['KYC rejected', {}, 'kyc', 'normal'],
    ['the app crashes', {}, 'technical', 'normal'],
    ['hello', {}, 'contact', 'normal'],
  ] as const)('%j → %s/%s', (text, flags, category, priority) => {
    const t = triage(text, matcher.match(text), flags);
    expect({ category: t.category, priority: t.priority }).toEqual({ category, priority });
  });

  it('falls back to keywords without a match', () => {
    expect(triage('withdraw problem', null)).toEqual({
      category: 'deposit-withdrawal',
      priority: 'normal',
      reasons: ['keywords'],
    });
  });

  it('never lowers a conversation priority', () => {
    const urgent = triage('my funds were stolen');
    const later = triage('how much is the fee', matcher.match('how much is the fee'));
    expect(escalate(urgent, later)).toBe(urgent);
    expect(escalate(later, urgent)).toBe(urgent);
  });
});
