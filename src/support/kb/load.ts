/**
 * The knowledge base on disk: `config/kb/<category>.yaml` files of articles plus one
 * `synonyms.yaml`. Loading validates everything at once (shape, categories, unique ids,
 * an answer in every supported language) so a broken edit fails at start, not mid-chat.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { Language } from '../../core/model.ts';
import { parseWith, readYaml, SupportDataError, yamlFilesIn } from '../files.ts';

export const CATEGORIES = [
  'account',
  'security',
  'deposit-withdrawal',
  'transaction',
  'fees',
  'kyc',
  'technical',
  'contact',
] as const;
export const Category = z.enum(CATEGORIES);
export type Category = z.infer<typeof Category>;

const Text = z.string().trim().min(1);
const PerLanguage = <T extends z.ZodType>(value: T) => z.record(Language, value);

const ArticleFile = z.strictObject({
  category: Category,
  articles: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,47}$/, 'an id is lower-case letters, digits and dashes'),
        title: PerLanguage(Text),
        questions: PerLanguage(z.array(Text).min(1)),
        keywords: PerLanguage(z.array(Text)).default({}),
        answer: PerLanguage(Text),
      }),
    )
    .min(1),
});

const SynonymFile = z.strictObject({
  /** Each group lists words and phrases (any language) that mean the same to a user. */
  synonyms: z.array(z.array(Text).min(2)),
});

export interface Article {
  id: string;
  category: Category;
  title: Record<string, string>;
  questions: Record<string, string[]>;
  keywords: Record<string, string[]>;
  answer: Record<string, string>;
}

export interface KnowledgeBase {
  articles: Article[];
  synonyms: string[][];
}

export const SYNONYMS_FILE = 'synonyms.yaml';

export interface KbLoadOptions {
  /** Every article must answer in each of these languages. */
  languages?: readonly string[];
}

export function loadKnowledgeBase(dir: string, options: KbLoadOptions = {}): KnowledgeBase {
  const files = yamlFilesIn(dir).map((path) => ({ name: basename(path), path, data: readYaml(path) }));
  if (files.length === 0) throw new SupportDataError(dir, ['no .yaml files: the knowledge base is empty']);
  return parseKnowledgeBase(files, options);
}

export function parseKnowledgeBase(
  files: ReadonlyArray<{ name: string; path?: string; data: unknown }>,
  options: KbLoadOptions = {},
): KnowledgeBase {
  const languages = options.languages ?? ['en', 'zh'];
  const articles: Article[] = [];
  const synonyms: string[][] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const where = file.path ?? file.name;
    if (file.name === SYNONYMS_FILE) {
      synonyms.push(...parseWith(SynonymFile, file.data, where).synonyms);
      continue;
    }
    const parsed = parseWith(ArticleFile, file.data, where);
    const problems: string[] = [];
    parsed.articles.forEach((a, i) => {
      const label = `articles[${i}] (${a.id})`;
      const first = seen.get(a.id);
      if (first) problems.push(`${label}: id already used in ${first}`);
      seen.set(a.id, file.name);
      for (const lang of languages) {
        if (!a.answer[lang]) problems.push(`${label}: answer has no "${lang}" text`);
        if (!a.title[lang]) problems.push(`${label}: title has no "${lang}" text`);
        if (!a.questions[lang]) problems.push(`${label}: questions has no "${lang}" list`);
      }
    });
    if (problems.length > 0) throw new SupportDataError(where, problems);
    for (const a of parsed.articles) articles.push({ ...a, category: parsed.category });
  }
  if (articles.length === 0) throw new SupportDataError(files[0]?.name ?? '(kb)', ['no articles']);
  return { articles, synonyms };
}
