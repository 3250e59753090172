/**
 * Typo tolerance for Latin words: a word the knowledge base never uses is replaced by the
 * closest word it does use (optimal string alignment distance, so a swapped pair counts
 * as one edit), when one is close enough for the word's length.
 */

/** Edit distance with adjacent transpositions; gives up (returns max + 1) beyond `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows = a.length + 1;
  const cols = b.length + 1;
  let prev2 = new Array<number>(cols).fill(0);
  let prev = Array.from({ length: cols }, (_, j) => j);
  let cur = new Array<number>(cols).fill(0);
  for (let i = 1; i < rows; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[cols - 1]!;
}

/** How many edits a word of this length may carry and still be recognised. */
export function allowedEdits(length: number): number {
  if (length < 4) return 0;
  if (length < 8) return 1;
  return 2;
}

export class TypoCorrector {
  private readonly known: Set<string>;
  private readonly byLength = new Map<number, string[]>();
  private readonly cache = new Map<string, string>();

  /** `vocabulary` maps each known word to how often the knowledge base uses it (ties go to the commoner). */
  constructor(private readonly vocabulary: ReadonlyMap<string, number>) {
    this.known = new Set(vocabulary.keys());
    for (const word of this.known) {
      const list = this.byLength.get(word.length) ?? [];
      list.push(word);
      this.byLength.set(word.length, list);
    }
  }

  correct(word: string): string {
    if (this.known.has(word) || /\d/.test(word)) return word;
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const max = allowedEdits(word.length);
    let best = word;
    let bestDistance = max + 1;
    let bestFreq = 0;
    // Short words only swap or replace a letter: dropping or adding one turns real words
    // into other real words ("apple" → "app", "tag" → "tap").
    const spread = word.length < 5 ? 0 : max;
    for (let len = word.length - spread; len <= word.length + spread; len++) {
      for (const candidate of this.byLength.get(len) ?? []) {
        // A wrong first letter is rarely a typo and often a different word.
        if (candidate[0] !== word[0]) continue;
        const d = editDistance(word, candidate, max);
        const freq = this.vocabulary.get(candidate) ?? 0;
        if (d < bestDistance || (d === bestDistance && d <= max && freq > bestFreq)) {
          best = candidate;
          bestDistance = d;
          bestFreq = freq;
        }
      }
    }
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(word, best);
    return best;
  }
}
