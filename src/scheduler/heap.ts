/** A binary min-heap ordered by a comparator. Equal elements leave in no particular order: callers break ties. */
export class Heap<T> {
  readonly #items: T[] = [];
  readonly #less: (a: T, b: T) => boolean;

  constructor(less: (a: T, b: T) => boolean) {
    this.#less = less;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const a = this.#items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(item, a[parent]!)) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.#less(a[r]!, a[l]!) ? r : l;
        if (!this.#less(a[c]!, last)) break;
        a[i] = a[c]!;
        i = c;
      }
      a[i] = last;
    }
    return top;
  }

  /** Removes every item matching `pred`; O(n). Used on rare events such as a node failure. */
  removeWhere(pred: (item: T) => boolean): T[] {
    const removed = this.#items.filter(pred);
    if (removed.length === 0) return removed;
    const kept = this.#items.filter((x) => !pred(x));
    this.#items.length = 0;
    for (const x of kept) this.push(x);
    return removed;
  }

  toArray(): readonly T[] {
    return this.#items;
  }
}

/**
 * A binary min-heap of items by a number per item, ties to the lower `uid`: the order `Heap` keeps with
 * less(a, b) = c < 0 || (c === 0 && a.uid < b.uid), c = key(a) − key(b), with every key asked for once and
 * kept beside its item instead of asked for at every comparison (a queue of thousands compares each item
 * dozens of times). A key is asked for when a comparison first needs it, as `Heap` would ask: an item that
 * joins an empty heap and leaves it unchallenged never needs one (NaN marks a key not asked for yet, and a
 * key that is NaN is asked for again, as `Heap` would).
 */
export class KeyedHeap<T extends { readonly uid: number }> {
  readonly #items: T[] = [];
  #keys = new Float64Array(16);
  #uids = new Float64Array(16);
  readonly #key: (item: T) => number;

  constructor(key: (item: T) => number) {
    this.#key = key;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  /** The head's key (NaN when empty). */
  peekKey(): number {
    return this.#items.length > 0 ? this.#keyAt(0) : Number.NaN;
  }

  #keyAt(i: number): number {
    const k = this.#keys[i]!;
    if (!Number.isNaN(k)) return k;
    const fresh = this.#key(this.#items[i]!);
    this.#keys[i] = fresh;
    return fresh;
  }

  push(item: T): void {
    this.#place(item, Number.NaN);
  }

  #place(item: T, known: number): void {
    const a = this.#items;
    if (a.length === this.#keys.length) {
      this.#keys = doubled(this.#keys);
      this.#uids = doubled(this.#uids);
    }
    const uids = this.#uids;
    const uid = item.uid;
    let i = a.length;
    a.push(item);
    let key = known;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (Number.isNaN(key)) key = this.#key(item);
      const c = key - this.#keyAt(parent);
      if (!(c < 0 || (c === 0 && uid < uids[parent]!))) break;
      this.#move(parent, i);
      i = parent;
    }
    this.#set(i, item, key, uid);
  }

  /** Moves the entry at `from` to `to` (item, key and uid). */
  #move(from: number, to: number): void {
    this.#items[to] = this.#items[from]!;
    this.#keys[to] = this.#keys[from]!;
    this.#uids[to] = this.#uids[from]!;
  }

  #set(i: number, item: T, key: number, uid: number): void {
    this.#items[i] = item;
    this.#keys[i] = key;
    this.#uids[i] = uid;
  }

  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    const n = a.length;
    if (n > 0 && last !== undefined) {
      const keys = this.#keys;
      const uids = this.#uids;
      let lk = keys[n]!;
      const lu = uids[n]!;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        if (r < n) {
          const d = this.#keyAt(r) - this.#keyAt(l);
          if (d < 0 || (d === 0 && uids[r]! < uids[l]!)) c = r;
        }
        if (Number.isNaN(lk)) lk = this.#key(last);
        const d = this.#keyAt(c) - lk;
        if (!(d < 0 || (d === 0 && uids[c]! < lu))) break;
        this.#move(c, i);
        i = c;
      }
      this.#set(i, last, lk, lu);
    }
    return top;
  }

  /** Removes every item matching `pred`, the rest keeping the keys they have; O(n). Used on rare events. */
  removeWhere(pred: (item: T) => boolean): T[] {
    const removed: T[] = [];
    const kept: [T, number][] = [];
    for (let i = 0; i < this.#items.length; i++) {
      const x = this.#items[i]!;
      if (pred(x)) removed.push(x);
      else kept.push([x, this.#keys[i]!]);
    }
    if (removed.length === 0) return removed;
    this.#items.length = 0;
    for (const [x, k] of kept) this.#place(x, k);
    return removed;
  }

  toArray(): readonly T[] {
    return this.#items;
  }
}

/** A copy of `a` in an array twice its length. */
function doubled(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(2 * a.length);
  b.set(a);
  return b;
}
