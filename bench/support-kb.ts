/**
 * Knowledge-base answer quality on a labelled set of real-style questions (English and
 * Chinese, typos, paraphrases, and questions the KB must decline).
 *
 *   npx tsx bench/support-kb.ts            the reported set (bench/data/support-questions.test.jsonl)
 *   npx tsx bench/support-kb.ts --tune     the separate tuning set, with a threshold sweep
 *   npx tsx bench/support-kb.ts --misses   also list every miss
 *
 * top1: share of answerable questions whose best-ranked article is the labelled one.
 * answeredCorrectly: share answered outright (above the threshold) with the labelled article.
 * wrongAnswers: share of answerable questions answered outright with another article.
 * declinedCorrectly: share of out-of-scope questions the bot did not answer.
 * matchP50Ms / matchP99Ms: percentiles over questions of each question's median match time;
 * firstMatch*: the single first run of each question (typo cache cold for its words, and
 * exposed to scheduler pauses on a busy machine).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { loadKnowledgeBase } from '../src/support/kb/load.ts';
import { KbMatcher, type MatcherOptions } from '../src/support/kb/matcher.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const Labelled = z.object({ q: z.string().min(1), expect: z.string().nullable() });
type Labelled = z.infer<typeof Labelled>;

function readSet(name: 'test' | 'tune'): Labelled[] {
  const file = `${root}bench/data/support-questions.${name}.jsonl`;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((line, i) => {
      const parsed = Labelled.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${z.prettifyError(parsed.error)}`);
      return parsed.data;
    });
}

/**
 * Per-question time: the median of several runs, so that a scheduler pause on a busy
 * machine is not reported as the matcher's cost.
 */
function medianTime(fn: () => unknown, runs = 15): number {
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    t.push(performance.now() - start);
  }
  return t.sort((a, b) => a - b)[runs >> 1] ?? 0;
}

interface Evaluation {
  figures: Record<string, number>;
  misses: string[];
}

function evaluate(matcher: KbMatcher, set: Labelled[]): Evaluation {
  let answerable = 0;
  let top1 = 0;
  let answeredCorrectly = 0;
  let wrongAnswers = 0;
  let outOfScope = 0;
  let declined = 0;
  const misses: string[] = [];
  const times: number[] = [];
  const firstTimes: number[] = [];
  for (const { q, expect } of set) {
    const start = performance.now();
    const r = matcher.match(q);
    firstTimes.push(performance.now() - start);
    times.push(medianTime(() => matcher.match(q)));
    const best = r.candidates[0]?.id ?? null;
    if (expect === null) {
      outOfScope++;
      if (r.answer === null) declined++;
      else misses.push(`should decline: ${q} → ${r.answer.id} ${r.answer.score}`);
      continue;
    }
    answerable++;
    if (best === expect) top1++;
    if (r.answer?.id === expect) answeredCorrectly++;
    else if (r.answer) wrongAnswers++;
    if (r.answer?.id !== expect) {
      const shown = r.candidates.map((c) => `${c.id} ${c.score}`).join(', ');
      misses.push(
        `${best === expect ? 'low confidence' : 'wrong'}: ${q} [${expect}] → ${shown || 'nothing'}`,
      );
    }
  }
  times.sort((a, b) => a - b);
  firstTimes.sort((a, b) => a - b);
  const at = (list: number[], p: number) => list[Math.min(list.length - 1, Math.floor(p * list.length))] ?? 0;
  const ms = (n: number) => Math.round(n * 1000) / 1000;
  const ratio = (n: number, d: number) => Math.round((n / Math.max(1, d)) * 1000) / 1000;
  return {
    figures: {
      top1: ratio(top1, answerable),
      declinedCorrectly: ratio(declined, outOfScope),
      questions: set.length,
      answerable,
      outOfScope,
      answeredCorrectly: ratio(answeredCorrectly, answerable),
      wrongAnswers: ratio(wrongAnswers, answerable),
      matchP50Ms: ms(at(times, 0.5)),
      matchP99Ms: ms(at(times, 0.99)),
      firstMatchP50Ms: ms(at(firstTimes, 0.5)),
      firstMatchP99Ms: ms(at(firstTimes, 0.99)),
    },
    misses,
  };
}

function matcher(options: Partial<MatcherOptions> = {}): KbMatcher {
  return new KbMatcher(loadKnowledgeBase(`${root}config/kb`), options);
}

/** A long-lived matcher is warm; warm it on the tuning set so timings show steady state. */
function warmed(): KbMatcher {
  const m = matcher();
  for (const { q } of readSet('tune')) m.match(q);
  return m;
}

export async function run(): Promise<Record<string, number>> {
  return evaluate(warmed(), readSet('test')).figures;
}

async function main(args: string[]): Promise<void> {
  if (args.includes('--tune')) {
    const set = readSet('tune');
    for (const answerThreshold of [0.35, 0.4, 0.45, 0.5, 0.55, 0.6]) {
      for (const minMargin of [0, 0.05, 0.1, 0.15]) {
        const { figures } = evaluate(matcher({ answerThreshold, minMargin }), set);
        console.log(JSON.stringify({ answerThreshold, minMargin, ...figures }));
      }
    }
    if (args.includes('--misses')) for (const m of evaluate(matcher(), set).misses) console.log(m);
    return;
  }
  const { figures, misses } = evaluate(warmed(), readSet('test'));
  if (args.includes('--misses')) for (const m of misses) console.log(m);
  console.log(
    `top-1 ${figures.top1} · answered correctly ${figures.answeredCorrectly} · wrong answers ${figures.wrongAnswers} · declined correctly ${figures.declinedCorrectly} · ${figures.questions} questions · match p50 ${figures.matchP50Ms} ms, p99 ${figures.matchP99Ms} ms (first run p50 ${figures.firstMatchP50Ms}, p99 ${figures.firstMatchP99Ms})`,
  );
  console.log(JSON.stringify({ bench: 'support-kb', ...figures }));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
