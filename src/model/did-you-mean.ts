/**
 * Edit distance and "did you mean" suggestions for unknown field names, enum values and ids.
 */

/**
 * Levenshtein distance between `a` and `b` (insertions, deletions, substitutions each cost 1).
 * Runs in O(|a|·|b|) time and O(|b|) memory.
 * @example editDistance('wieght', 'weight') // 2
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let curr = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      curr[j] = Math.min(prev[j]! + 1, curr[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length]!;
}

/**
 * The candidate closest to `word`, if it is close enough to be a likely typo: at most a third of the
 * word's length in edits (at least 1, at most 3), ignoring case. Ties go to the earlier candidate, so
 * the result is deterministic.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    // Lengths alone bound the distance from below; skip the full computation when they rule it out.
    if (Math.abs(c.length - word.length) > limit) continue;
    const d = editDistance(lower, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  // A suggestion must keep part of the word: `b` is one edit from `a`, but that is no typo.
  return bestDistance <= limit && bestDistance < word.length ? best : undefined;
}

/** `"; did you mean `x`?"` when a close candidate exists, else the empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : `; did you mean \`${c}\`?`;
}
