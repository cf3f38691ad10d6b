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
