/**
 * Aggregates over twins (dashboard panels, metrics by group, what-if summaries) must not single out a
 * patient or a household: a group with fewer than k members is withheld, and the answer says so.
 *
 * The answer names the withheld groups and how many there were, never their sizes or values, and its
 * totals cover released groups only, so a withheld group cannot be recovered by subtracting (the
 * complementary-disclosure attack).
 */

export interface Group<V> {
  readonly key: string;
  /** distinct twins (people, households) behind the group, not samples */
  readonly members: number;
  readonly value: V;
}

export interface KAnonymous<V> {
  readonly k: number;
  readonly groups: readonly Group<V>[];
  readonly withheld: { readonly groups: readonly string[]; readonly reason: string };
  /** members over released groups only */
  readonly releasedMembers: number;
}

/** The default k: 5 is the usual floor for health and household data releases. */
export const DEFAULT_K = 5;

export function withholdSmallGroups<V>(groups: readonly Group<V>[], k: number = DEFAULT_K): KAnonymous<V> {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const released: Group<V>[] = [];
  const withheld: string[] = [];
  let releasedMembers = 0;
  for (const g of groups) {
    if (g.members >= k) {
      released.push(g);
      releasedMembers += g.members;
    } else withheld.push(g.key);
  }
  return {
    k,
    groups: released,
    withheld: {
      groups: withheld.sort(),
      reason: withheld.length === 0 ? 'none' : `fewer than ${k} members`,
    },
    releasedMembers,
  };
}

/**
 * Groups records by `groupOf`, counts distinct `memberOf` per group, aggregates `valueOf` with `combine`
 * (mean by default), and withholds groups smaller than k.
 */
export function aggregateByGroup<R>(
  records: Iterable<R>,
  options: {
    groupOf: (r: R) => string;
    memberOf: (r: R) => string;
    valueOf: (r: R) => number;
    k?: number;
    combine?: 'mean' | 'sum' | 'min' | 'max' | 'count';
  },
): KAnonymous<number> {
  const acc = new Map<string, { members: Set<string>; sum: number; n: number; min: number; max: number }>();
  for (const r of records) {
    const key = options.groupOf(r);
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { members: new Set(), sum: 0, n: 0, min: Infinity, max: -Infinity }));
    const v = options.valueOf(r);
    a.members.add(options.memberOf(r));
    a.sum += v;
    a.n++;
    if (v < a.min) a.min = v;
    if (v > a.max) a.max = v;
  }
  const combine = options.combine ?? 'mean';
  const groups = [...acc.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, a]) => ({
      key,
      members: a.members.size,
      value:
        combine === 'mean'
          ? a.sum / a.n
          : combine === 'sum'
            ? a.sum
            : combine === 'min'
              ? a.min
              : combine === 'max'
                ? a.max
                : a.n,
    }));
  return withholdSmallGroups(groups, options.k);
}

/** One group an aggregate left out, and why; never its size nor its value. */
export interface WithheldGroup {
  readonly group: string;
  readonly reason: string;
}

/** What an aggregate surface answers besides its released groups: the threshold and what it withheld. */
export interface Withholding {
  readonly k: number;
  readonly withheld: readonly WithheldGroup[];
}

/**
 * The live surfaces' form of {@link withholdSmallGroups}: releases the groups with at least k distinct
 * twins (`members`), in their given order, and names each withheld group with the reason
 * `fewer than k=<k> twins`, sorted by name. Callers compute totals from `released` only.
 *
 * @example
 * kAnonymize([{ key: 'icu', members: 7, value: 3 }, { key: 'rare', members: 2, value: 9 }], 5)
 * // { k: 5, released: [{ key: 'icu', … }], withheld: [{ group: 'rare', reason: 'fewer than k=5 twins' }] }
 *
 * Runs in O(n log n) (the sort of withheld names).
 */
export function kAnonymize<V>(
  groups: readonly Group<V>[],
  k: number,
): Withholding & { readonly released: readonly Group<V>[] } {
  const r = withholdSmallGroups(groups, k);
  const reason = `fewer than k=${k} twins`;
  return { k, released: r.groups, withheld: r.withheld.groups.map((group) => ({ group, reason })) };
}
