import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, supportHarness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('support flows: answers and language', () => {
  it('answers a common question in English, with "this solved it" / "talk to a person"', async () => {
    h = await supportHarness();
    const id = await h.say('ann', 'my withdrawal has not arrived');
    const [answer] = await h.waitReplies('ann', 1);
    expect(answer).toMatch(/withdraw/i);
    const stored = await h.runtime.store.history(id, { limit: 1 });
    expect(stored[0]?.buttons?.[0]?.map((b) => ('data' in b ? b.data : ''))).toEqual([
      'faq:ok:withdrawal-not-arrived',
      'human',
    ]);
    const conversation = await h.runtime.store.get(id);
    expect(conversation).toMatchObject({ language: 'en', category: 'deposit-withdrawal', owner: 'bot' });
    await h.press('ann', 'faq:ok:withdrawal-not-arrived');
    const [thanks] = await h.waitReplies('ann', 2, 1);
    expect(thanks).toMatch(/Glad that helped/);
  });

  it('answers in Chinese and remembers the language for short messages', async () => {
    h = await supportHarness();
    const id = await h.say('bo', '提现一直没到账怎么办');
    const [answer] = await h.waitReplies('bo', 1);
    expect(answer).toMatch(/提/);
    expect((await h.runtime.store.get(id))?.language).toBe('zh');
    await h.say('bo', '/ticket');
    const [none] = await h.waitReplies('bo', 2, 1);
    expect(none).toMatch(/[\u4e00-\u9fff]/);
    expect(none).not.toMatch(/You have no open ticket/);
  });

  it('asks a clarifying question when unsure, and a number or a button picks the article', async () => {
    h = await supportHarness();
    const id = await h.say('cy', 'problem with my account');
    const [question] = await h.waitReplies('cy', 1);
    expect(question).toMatch(/Is it one of these\?/);
    const [stored] = await h.runtime.store.history(id, { limit: 1 });
    const data = stored?.buttons?.flat().map((b) => ('data' in b ? b.data : '')) ?? [];
    expect(data).toContain('human');
    expect(data.filter((d) => d.startsWith('kb:')).length).toBeGreaterThanOrEqual(2);
    await h.say('cy', '2');
    const [second] = await h.waitReplies('cy', 2, 1);
    expect(second).not.toMatch(/Is it one of these/);
    await h.say('cy', 'money');
    await h.waitReplies('cy', 3);
    await h.press('cy', data.find((d) => d.startsWith('kb:')) ?? '');
    const [picked] = await h.waitReplies('cy', 4, 3);
    expect(picked).not.toMatch(/Is it one of these/);
  });

  it('/lang switches the language for good; an unknown one lists the choices', async () => {
    h = await supportHarness();
    await h.say('di', '/lang klingon');
    const [unknown] = await h.waitReplies('di', 1);
    expect(unknown).toContain('en (English)');
    await h.say('di', '/lang 中文');
    const [changed] = await h.waitReplies('di', 2, 1);
    expect(changed).toMatch(/中文/);
    await h.say('di', 'my withdrawal has not arrived');
    const [answer] = await h.waitReplies('di', 3, 2);
    expect(answer).toMatch(/[\u4e00-\u9fff]/);
  });

  it('leaves the trust commands to the trust layer and answers unknown commands with help', async () => {
    h = await supportHarness();
    await h.say('ed', '/verify');
    await h.quiet('ed');
    await h.say('ed', '/start');
    const [hello] = await h.waitReplies('ed', 1);
    expect(hello).toMatch(/official Example support/);
    await h.say('ed', '/whatever');
    const [help] = await h.waitReplies('ed', 2, 1);
    expect(help).toMatch(/\/transcript/);
  });
});
