import { beforeAll, describe, expect, it } from 'vitest';
import { loadKnowledgeBase } from './load.ts';
import { KbMatcher, kbTest } from './matcher.ts';

let matcher: KbMatcher;
beforeAll(() => {
  matcher = new KbMatcher(loadKnowledgeBase('config/kb'));
});

describe('KbMatcher answers confidently', () => {
  it.each([
    ['My withdrawal has not arrived', 'withdrawal-not-arrived', 'en'],
    ['my withdrawl hasnt arrived yet', 'withdrawal-not-arrived', 'en'],
    ['提现还没到账怎么办', 'withdrawal-not-arrived', 'zh'],
    ['体现一直没到', 'withdrawal-not-arrived', 'zh'],
    ['How do I reset my 2FA?', 'account-2fa-lost', 'en'],
    ['how to reset google authenticater', 'account-2fa-lost', 'en'],
    ['谷歌验证器丢了', 'account-2fa-lost', 'zh'],
    ['someone stole my usdt', 'security-funds-stolen', 'en'],
    ['我把助记词发给了客服', 'security-seed-leaked', 'zh'],
    ['I sent USDT on the wrong network', 'tx-wrong-network', 'en'],
    ['怎么联系客服', 'contact-support', 'zh'],
  ])('%s → %s', (question, id, language) => {
    const r = matcher.match(question);
    expect(r.answer?.id).toBe(id);
    expect(r.language).toBe(language);
    expect(r.candidates[0]?.id).toBe(id);
  });
});

describe('KbMatcher declines what it does not know', () => {
  it.each(['what is the price of bitcoin', 'can you recommend a restaurant', '明天天气怎么样', '', '???'])(
    '%j → no answer',
    (question) => {
      expect(matcher.match(question).answer).toBeNull();
    },
  );

  it.each(['withdrawal', '提现'])('offers candidates for a clarifying question on a bare %j', (question) => {
    const r = matcher.match(question);
    expect(r.answer).toBeNull();
    expect(r.candidates.map((c) => c.id)).toEqual([
      'withdrawal-not-arrived',
      'fees-withdrawal',
      'withdrawal-suspended',
    ]);
  });
});

describe('kbTest', () => {
  it('produces exactly the CLI JSON shape', () => {
    const out = kbTest('Deposit not credited after 2 hours', { matcher });
    expect(Object.keys(out)).toEqual(['question', 'language', 'answer', 'candidates']);
    expect(out.question).toBe('Deposit not credited after 2 hours');
    expect(out.language).toBe('en');
    expect(out.answer).toEqual({
      id: 'deposit-not-arrived',
      category: 'deposit-withdrawal',
      score: expect.any(Number),
    });
    for (const c of out.candidates) expect(Object.keys(c)).toEqual(['id', 'category', 'score']);
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it('uses the platform hint when the text does not show a language', () => {
    expect(kbTest('USDT?', { matcher, hint: 'zh-CN' }).language).toBe('zh');
    expect(kbTest('USDT?', { matcher }).language).toBe('en');
  });
});

describe('speed', () => {
  it('stays fast on a huge message', () => {
    const huge = `${'my withdrawal has not arrived 提现没到账 '.repeat(3000)}`;
    const start = performance.now();
    expect(matcher.match(huge).candidates[0]?.id).toBe('withdrawal-not-arrived');
    expect(performance.now() - start).toBeLessThan(50);
  });

  it('matches a message in well under a millisecond on average', () => {
    const questions = [
      'my deposit is missing',
      '提现一直在处理中',
      'app keeps crashing after update',
      '怎么实名认证',
    ];
    for (const q of questions) matcher.match(q);
    const n = 2000;
    const start = performance.now();
    for (let i = 0; i < n; i++) matcher.match(questions[i % questions.length]!);
    expect((performance.now() - start) / n).toBeLessThan(1);
  });
});
