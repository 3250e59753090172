import { beforeAll, describe, expect, it } from 'vitest';
import { Button } from '../core/model.ts';
import { startCollection } from './collect.ts';
import { loadKnowledgeBase } from './kb/load.ts';
import { KbMatcher } from './kb/matcher.ts';
import {
  BUTTON,
  clarifyReply,
  collectReplies,
  csatReply,
  faqReply,
  fieldOfAsk,
  parseButton,
  type Reply,
  verificationReply,
} from './replies.ts';
import { Templates } from './templates.ts';

let t: Templates;
let matcher: KbMatcher;
beforeAll(() => {
  t = Templates.load('config/templates', { defaultLanguage: 'en' });
  matcher = new KbMatcher(loadKnowledgeBase('config/kb'));
});

function expectValidButtons(reply: Reply): void {
  for (const row of reply.buttons ?? []) for (const b of row) expect(Button.safeParse(b).success).toBe(true);
}

describe('faqReply', () => {
  it.each(['en', 'zh'])('answers in %s with solved / human buttons', (language) => {
    const article = matcher.article('withdrawal-not-arrived')!;
    const reply = faqReply(t, article, language);
    expect(reply.text).toContain(article.answer[language]!.split('\n')[0]);
    expect(reply.buttons?.[0]?.map((b) => ('data' in b ? b.data : ''))).toEqual([
      'faq:ok:withdrawal-not-arrived',
      'human',
    ]);
    expectValidButtons(reply);
  });
});

describe('clarifyReply', () => {
  it('lists the candidates with one button each, then "talk to a person"', () => {
    const { candidates } = matcher.match('提现');
    const reply = clarifyReply(t, candidates, (id) => matcher.article(id), 'zh');
    expect(reply.text).toContain('1. 提现未到账');
    expect(reply.buttons?.map((row) => row.map((b) => ('data' in b ? b.data : '')))).toEqual([
      ['kb:withdrawal-not-arrived'],
      ['kb:fees-withdrawal'],
      ['kb:withdrawal-suspended'],
      ['human'],
    ]);
    expectValidButtons(reply);
  });

  it('asks for detail when there is no candidate', () => {
    expect(clarifyReply(t, [], () => undefined, 'en').text).toBe(t.render('clarify.nothing', 'en'));
  });
});

describe('collectReplies', () => {
  it('adds a skip button to questions only', () => {
    const step = startCollection('deposit-withdrawal');
    const replies = collectReplies(t, step.send, 'zh');
    expect(replies[0]).toEqual({ text: t.render('collect.intro', 'zh') });
    expect(replies[1]?.buttons).toEqual([[{ label: '跳过', data: BUTTON.skip }]]);
    expect(fieldOfAsk('collect.ask.txHash')).toBe('txHash');
    expect(fieldOfAsk('collect.done')).toBeUndefined();
  });
});

describe('csatReply and verificationReply', () => {
  it('offers 1–5', () => {
    const reply = csatReply(t, 'en');
    expect(reply.buttons?.[0]?.map((b) => ('data' in b ? b.data : ''))).toEqual([
      'csat:1',
      'csat:2',
      'csat:3',
      'csat:4',
      'csat:5',
    ]);
    expectValidButtons(reply);
  });

  it('lists official accounts and promises', () => {
    const reply = verificationReply(
      t,
      {
        org: 'Example Wallet',
        where: 'Telegram',
        accounts: [
          { channel: 'Telegram', handle: '@ExampleSupport' },
          { channel: 'Discord', handle: 'examplesupport' },
        ],
        promises: ['never-dm-first', 'never-ask-secret'],
        code: 'K7Q-29F',
        checkUrl: 'https://example.com/verify',
      },
      'en',
    );
    expect(reply.text).toContain('• Telegram: @ExampleSupport');
    expect(reply.text).toContain('• We never message you first.');
    expect(reply.text).toContain('K7Q-29F');
  });
});

describe('parseButton', () => {
  it.each([
    ['human', { kind: 'human' }],
    ['collect:skip', { kind: 'skip' }],
    ['faq:ok:tx-failed', { kind: 'faq-solved', articleId: 'tx-failed' }],
    ['kb:kyc-how-to', { kind: 'clarify', articleId: 'kyc-how-to' }],
    ['csat:5', { kind: 'csat', score: 5 }],
    ['csat:6', null],
    ['kb:../etc', null],
    ['faq:ok:', null],
    ['', null],
  ])('%j', (data, expected) => expect(parseButton(data)).toEqual(expected));
});
