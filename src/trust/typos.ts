/**
 * Which typing mistake turns an official name into a candidate, if exactly one does.
 * Works on fold keys, so disguises are already undone and only real edits remain.
 */

export type TypoFamily =
  | 'insertion'
  | 'omission'
  | 'repetition'
  | 'transposition'
  | 'replacement'
  | 'keyboard'
  | 'bitflip'
  | 'vowel-swap'
  | 'hyphenation';

export interface TypoMatch {
  family: TypoFamily;
  /** Plain-words explanation, e.g. `the letter "m" is missing`. */
  detail: string;
}

const QWERTY_ROWS = ['1234567890-', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const KEYBOARD: ReadonlyMap<string, ReadonlySet<string>> = (() => {
  const neighbours = new Map<string, Set<string>>();
  QWERTY_ROWS.forEach((row, r) => {
    [...row].forEach((ch, c) => {
      const set = neighbours.get(ch) ?? new Set<string>();
      for (const [dr, dc] of [
        [0, -1],
        [0, 1],
        [-1, 0],
        [-1, 1],
        [1, -1],
        [1, 0],
      ] as const) {
        const near = QWERTY_ROWS[r + dr]?.[c + dc];
        if (near) set.add(near);
      }
      neighbours.set(ch, set);
    });
  });
  return neighbours;
})();
const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

function isBitFlip(a: string, b: string): boolean {
  const x = (a.codePointAt(0) ?? 0) ^ (b.codePointAt(0) ?? 0);
  return x !== 0 && (x & (x - 1)) === 0;
}

/** Deleting any one character: the keys of a symmetric-deletion index. */
export function deletions(key: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < key.length; i++) out.push(key.slice(0, i) + key.slice(i + 1));
  return out;
}

function replacementFamily(from: string, to: string): TypoMatch {
  if (KEYBOARD.get(from)?.has(to)) {
    return { family: 'keyboard', detail: `"${from}" is replaced by the key next to it, "${to}"` };
  }
  if (VOWELS.has(from) && VOWELS.has(to)) {
    return { family: 'vowel-swap', detail: `the vowel "${from}" is swapped for "${to}"` };
  }
  if (isBitFlip(from, to)) return { family: 'bitflip', detail: `"${from}" is replaced by "${to}"` };
  return { family: 'replacement', detail: `"${from}" is replaced by "${to}"` };
}

/** The one edit from `official` to `candidate`, or undefined when they differ otherwise. */
export function typoBetween(candidate: string, official: string): TypoMatch | undefined {
  if (candidate === official) return undefined;
  if (candidate.replace(/-/g, '') === official.replace(/-/g, '')) {
    return { family: 'hyphenation', detail: 'hyphens are added or removed' };
  }
  const c = candidate;
  const o = official;
  if (c.length === o.length + 1) {
    let i = 0;
    while (i < o.length && c[i] === o[i]) i++;
    if (c.slice(i + 1) !== o.slice(i)) return undefined;
    const added = c[i]!;
    if (added === '-') return { family: 'hyphenation', detail: 'a hyphen is added' };
    if (added === o[i] || added === o[i - 1]) {
      return { family: 'repetition', detail: `the letter "${added}" is doubled` };
    }
    return { family: 'insertion', detail: `an extra "${added}" is added` };
  }
  if (c.length + 1 === o.length) {
    let i = 0;
    while (i < c.length && c[i] === o[i]) i++;
    if (c.slice(i) !== o.slice(i + 1)) return undefined;
    return { family: 'omission', detail: `the letter "${o[i]}" is missing` };
  }
  if (c.length !== o.length) return undefined;
  const diffs: number[] = [];
  for (let i = 0; i < c.length && diffs.length <= 2; i++) if (c[i] !== o[i]) diffs.push(i);
  if (diffs.length === 1) return replacementFamily(o[diffs[0]!]!, c[diffs[0]!]!);
  if (diffs.length === 2) {
    const [a, b] = diffs as [number, number];
    if (b === a + 1 && c[a] === o[b] && c[b] === o[a]) {
      return { family: 'transposition', detail: `"${o[a]}${o[b]}" is swapped to "${c[a]}${c[b]}"` };
    }
  }
  return undefined;
}
