import { describe, expect, it } from 'vitest';
import { problems } from '../../../test/support/support-data.ts';
import { CATEGORIES, loadKnowledgeBase, parseKnowledgeBase } from './load.ts';

const article = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  title: { en: 'T', zh: '标题' },
  questions: { en: ['Q?'], zh: ['问题'] },
  answer: { en: 'A', zh: '答' },
  ...extra,
});

describe('loadKnowledgeBase', () => {
  it('loads the shipped knowledge base: every category, both languages', () => {
    const kb = loadKnowledgeBase('config/kb');
    expect(kb.articles.length).toBeGreaterThanOrEqual(30);
    expect(new Set(kb.articles.map((a) => a.category))).toEqual(new Set(CATEGORIES));
    for (const a of kb.articles) {
      expect(a.answer.en, a.id).toBeTruthy();
      expect(a.answer.zh, a.id).toBeTruthy();
      // The official domain only; no answer may ever invite the user to share a secret.
      expect(a.answer.en, a.id).not.toMatch(/send (us )?your (seed|recovery|private)/i);
    }
    expect(kb.synonyms.length).toBeGreaterThan(10);
  });

  it.each([
    ['unknown category', { category: 'billing', articles: [article('a-1')] }, /category/],
    ['bad id', { category: 'fees', articles: [article('Bad Id')] }, /id/],
    ['no articles', { category: 'fees', articles: [] }, /articles/],
    ['unknown field', { category: 'fees', articles: [article('a-1', { answers: {} })] }, /answers/],
    ['missing zh answer', { category: 'fees', articles: [article('a-1', { answer: { en: 'A' } })] }, /"zh"/],
  ])('rejects %s with a precise message', (_name, data, pattern) => {
    const found = problems(() => parseKnowledgeBase([{ name: 'fees.yaml', data }]));
    expect(found.join('\n')).toMatch(pattern);
  });

  it('rejects an id used twice, naming the first file', () => {
    const found = problems(() =>
      parseKnowledgeBase([
        { name: 'a.yaml', data: { category: 'fees', articles: [article('dup')] } },
        { name: 'b.yaml', data: { category: 'kyc', articles: [article('dup')] } },
      ]),
    );
    expect(found).toEqual(['articles[0] (dup): id already used in a.yaml']);
  });

  it('reads synonyms.yaml separately', () => {
    const kb = parseKnowledgeBase([
      { name: 'synonyms.yaml', data: { synonyms: [['fee', '手续费']] } },
      { name: 'fees.yaml', data: { category: 'fees', articles: [article('a-1')] } },
    ]);
    expect(kb.synonyms).toEqual([['fee', '手续费']]);
    expect(kb.articles[0]?.category).toBe('fees');
  });
});
