/**
 * Scores a message against the knowledge base. Ranking is BM25 over one document per
 * article (all its questions in every language, keywords weighted up). Ranking alone
 * cannot say "no answer", so each article also gets a confidence in [0, 1], the mean of
 * - coverage: the share of the message's information (idf-weighted terms) the article has;
 * - paraphrase: the best weighted Dice similarity with one of the article's questions,
 * scaled by how close its BM25 score is to the best one. The bot answers only when the
 * best confidence clears `answerThreshold` and leads the runner-up by `minMargin`;
 * otherwise the top candidates feed a clarifying question. The defaults were chosen on
 * bench/data/support-questions.tune.jsonl, never on the reported set.
 */
import { type DetectedLanguage, detectLanguage, type LanguageContext } from '../language.ts';
import type { Article, Category, KnowledgeBase } from './load.ts';
import { hanTerms, isHan, pieces, SynonymTable, words } from './text.ts';
import { TypoCorrector } from './typo.ts';

export interface MatcherOptions {
  answerThreshold: number;
  minMargin: number;
  /** Candidates below this confidence are not offered at all. */
  candidateThreshold: number;
  maxCandidates: number;
}

export const DEFAULT_MATCHER_OPTIONS: MatcherOptions = {
  answerThreshold: 0.4,
  minMargin: 0.1,
  candidateThreshold: 0.2,
  maxCandidates: 3,
};

export interface Scored {
  id: string;
  category: Category;
  score: number;
}

export interface MatchResult {
  language: string;
  languageSource: DetectedLanguage['source'];
  answer: Scored | null;
  candidates: Scored[];
}

const K1 = 1.2;
const B = 0.4;
const KEYWORD_WEIGHT = 2;
const TITLE_WEIGHT = 1;
/**
 * Bigrams across a word boundary ("个奇") are unknown to the KB without meaning anything;
 * they count less against coverage than an unknown word does.
 */
const UNKNOWN_HAN_FACTOR = 0.5;
/** A question is a few sentences; past this a message is a log paste or abuse, not a FAQ. */
const MAX_QUERY_CHARS = 2000;

export class KbMatcher {
  readonly options: MatcherOptions;
  private readonly synonyms: SynonymTable;
  private readonly typos: TypoCorrector;
  private readonly postings = new Map<string, Array<{ doc: number; tf: number }>>();
  private readonly idf = new Map<string, number>();
  private readonly docLength: number[] = [];
  private readonly avgLength: number;
  /** Weight of a term the knowledge base never uses: a typical word's. */
  private readonly unknownWeight: number;
  private readonly byId = new Map<string, Article>();
  /** Per article, each question's terms and their total weight (for paraphrase similarity). */
  private readonly questions: Array<Array<{ terms: Set<string>; weight: number }>> = [];

  constructor(
    readonly kb: KnowledgeBase,
    options: Partial<MatcherOptions> = {},
  ) {
    this.options = { ...DEFAULT_MATCHER_OPTIONS, ...options };
    this.synonyms = new SynonymTable(kb.synonyms);
    const vocabulary = new Map<string, number>();
    const texts = kb.articles.flatMap((a) => [
      ...Object.values(a.questions).flat(),
      ...Object.values(a.keywords).flat(),
      ...Object.values(a.title),
    ]);
    for (const w of [...texts.flatMap(words), ...this.synonyms.latinWords()]) {
      vocabulary.set(w, (vocabulary.get(w) ?? 0) + 1);
    }
    this.typos = new TypoCorrector(vocabulary);

    kb.articles.forEach((article, doc) => {
      this.byId.set(article.id, article);
      const tf = new Map<string, number>();
      const add = (text: string, weight: number) => {
        for (const t of this.terms(text, false)) tf.set(t, (tf.get(t) ?? 0) + weight);
      };
      const questionTerms: Set<string>[] = [];
      for (const q of Object.values(article.questions).flat()) {
        add(q, 1);
        questionTerms.push(new Set(this.terms(q, false)));
      }
      this.questions.push(questionTerms.map((terms) => ({ terms, weight: 0 })));
      for (const k of Object.values(article.keywords).flat()) add(k, KEYWORD_WEIGHT);
      for (const t of Object.values(article.title)) add(t, TITLE_WEIGHT);
      let length = 0;
      for (const [term, n] of tf) {
        length += n;
        const list = this.postings.get(term) ?? [];
        list.push({ doc, tf: n });
        this.postings.set(term, list);
      }
      this.docLength.push(length);
    });
    const n = kb.articles.length;
    this.avgLength = this.docLength.reduce((s, l) => s + l, 0) / Math.max(1, n);
    const idfs: number[] = [];
    for (const [term, list] of this.postings) {
      const idf = Math.log(1 + (n - list.length + 0.5) / (list.length + 0.5));
      this.idf.set(term, idf);
      idfs.push(idf);
    }
    idfs.sort((a, b) => a - b);
    this.unknownWeight = idfs[Math.floor(idfs.length / 2)] ?? 1;
    for (const list of this.questions) {
      for (const q of list) for (const t of q.terms) q.weight += this.idf.get(t) ?? 0;
    }
  }

  /** Best weighted Dice similarity between the query and one of the article's questions. */
  private paraphrase(doc: number, query: ReadonlySet<string>, queryWeight: number): number {
    let best = 0;
    for (const q of this.questions[doc] ?? []) {
      let common = 0;
      for (const t of query) if (q.terms.has(t)) common += this.idf.get(t) ?? 0;
      best = Math.max(best, (2 * common) / (queryWeight + q.weight));
    }
    return best;
  }

  article(id: string): Article | undefined {
    return this.byId.get(id);
  }

  /** The match terms of a text; user text is typo-corrected, article text is taken as written. */
  terms(text: string, correct = true): string[] {
    const out: string[] = [];
    let run: string[] = [];
    const flush = () => {
      if (run.length > 0) out.push(...this.synonyms.mapWords(run));
      run = [];
    };
    for (const piece of pieces(text)) {
      if (piece.kind === 'word') {
        run.push(correct ? this.typos.correct(piece.value) : piece.value);
        continue;
      }
      flush();
      const { concepts, rest } = this.synonyms.mapHan(piece.value);
      out.push(...concepts, ...rest.flatMap(hanTerms));
    }
    flush();
    return out;
  }

  /** `language` carries what is known about the user (remembered, platform hint, supported set). */
  match(text: string, language: Partial<LanguageContext> = {}): MatchResult {
    const detected = detectLanguage(text, {
      supported: ['en', 'zh'],
      default: 'en',
      ...language,
    });
    const ranked = this.rank(text);
    const { answerThreshold, minMargin, candidateThreshold, maxCandidates } = this.options;
    const top = ranked[0];
    const second = ranked[1]?.score ?? 0;
    const answer = top && top.score >= answerThreshold && top.score - second >= minMargin ? top : null;
    return {
      language: detected.language,
      languageSource: detected.source,
      answer,
      candidates: ranked.filter((s) => s.score >= candidateThreshold).slice(0, maxCandidates),
    };
  }

  /** Every article that shares a term with the text, best first, with its confidence. */
  rank(text: string): Scored[] {
    const query = new Set(this.terms(text.slice(0, MAX_QUERY_CHARS)));
    if (query.size === 0) return [];
    const bm25 = new Map<number, number>();
    const covered = new Map<number, number>();
    let totalWeight = 0;
    for (const term of query) {
      const idf = this.idf.get(term);
      totalWeight += idf ?? (isHan(term) ? this.unknownWeight * UNKNOWN_HAN_FACTOR : this.unknownWeight);
      if (idf === undefined) continue;
      for (const { doc, tf } of this.postings.get(term) ?? []) {
        const norm = tf + K1 * (1 - B + (B * this.docLength[doc]!) / this.avgLength);
        bm25.set(doc, (bm25.get(doc) ?? 0) + (idf * (tf * (K1 + 1))) / norm);
        covered.set(doc, (covered.get(doc) ?? 0) + idf);
      }
    }
    const best = Math.max(0, ...bm25.values());
    if (best === 0) return [];
    const scored: Scored[] = [];
    for (const [doc, score] of bm25) {
      const article = this.kb.articles[doc]!;
      const coverage = (covered.get(doc) ?? 0) / totalWeight;
      const closeness = Math.sqrt(score / best);
      const confidence = ((coverage + this.paraphrase(doc, query, totalWeight)) / 2) * closeness;
      scored.push({ id: article.id, category: article.category, score: round(confidence) });
    }
    return scored.sort((a, b) => b.score - a.score || a.id.localeCompare(b.id));
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

export interface KbTestResult {
  question: string;
  language: string;
  answer: Scored | null;
  candidates: Scored[];
}

export interface KbTestOptions {
  matcher: KbMatcher;
  /** The platform's locale hint, as a user's message would carry it. */
  hint?: string;
  /** The deployment's languages (`languages:` in verity.yaml); en + zh when absent. */
  languages?: { supported: readonly string[]; default: string };
}

/** What `verity kb test [--json] "<question>"` prints. */
export function kbTest(question: string, opts: KbTestOptions): KbTestResult {
  const r = opts.matcher.match(question, {
    ...opts.languages,
    ...(opts.hint === undefined ? {} : { hint: opts.hint }),
  });
  return { question, language: r.language, answer: r.answer, candidates: r.candidates };
}
