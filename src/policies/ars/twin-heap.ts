/**
 * The heap of one attention bucket: entries (twin, sample time, version) ordered by sample time, then twin
 * index, kept in three typed arrays instead of one object per entry. Entries leave in the (sample, twin)
 * order a `Heap<Entry>` with the same comparator gives; two entries with the same key (the same twin and
 * sample, two versions: one of them stale) may leave in either order, which picks nothing else (the
 * allocator drops a stale head and takes the valid one either way). Refreshes push an entry each, so at
 * 10,000 twins this saves an object and a closure call per comparison on the allocator's hottest path.
 */
export class TwinHeap {
  #sample = new Float64Array(8);
  #twin = new Int32Array(8);
  #version = new Int32Array(8);
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** the head's twin, sample time and version (only when size > 0) */
  get headTwin(): number {
    return this.#twin[0]!;
  }
  get headSample(): number {
    return this.#sample[0]!;
  }
  get headVersion(): number {
    return this.#version[0]!;
  }

  push(twin: number, sample: number, version: number): void {
    if (this.#size === this.#twin.length) this.#grow();
    this.#siftUp(this.#size++, sample, twin, version);
  }

  /**
   * Removes the head (size > 0). The last entry takes its place bottom-up: the hole at the root moves down to
   * a leaf along the lesser children, then the entry moves up from there while it is less than the parent.
   * Refreshes push entries of recent samples, so the last entry nearly always belongs near the bottom and
   * this saves a comparison per level; entries of distinct twins have distinct keys, so they leave in the
   * same order whatever the layout.
   */
  pop(): void {
    const n = --this.#size;
    if (n === 0) return;
    const st = this.#sample;
    const tw = this.#twin;
    const ve = this.#version;
    const ls = st[n]!;
    const lt = tw[n]!;
    const lv = ve[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (st[r]! < st[l]! || (st[r] === st[l] && tw[r]! < tw[l]!)) ? r : l;
      st[i] = st[c]!;
      tw[i] = tw[c]!;
      ve[i] = ve[c]!;
      i = c;
    }
    this.#siftUp(i, ls, lt, lv);
  }

  /**
   * Puts the entry (sample, twin, version) at slot i or above, moving it up while it is less than its parent
   * (an earlier sample, or the same sample and a lower twin index).
   */
  #siftUp(start: number, sample: number, twin: number, version: number): void {
    const st = this.#sample;
    const tw = this.#twin;
    const ve = this.#version;
    let i = start;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const ps = st[parent]!;
      if (!(sample < ps || (sample === ps && twin < tw[parent]!))) break;
      st[i] = ps;
      tw[i] = tw[parent]!;
      ve[i] = ve[parent]!;
      i = parent;
    }
    st[i] = sample;
    tw[i] = twin;
    ve[i] = version;
  }

  /**
   * Puts the entry (sample, twin, version) at slot i of a heap of n entries, moving it down while a child is
   * less (an earlier sample, or the same sample and a lower twin index).
   */
  #siftDown(start: number, n: number, ls: number, lt: number, lv: number): void {
    const st = this.#sample;
    const tw = this.#twin;
    const ve = this.#version;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && (st[r]! < st[l]! || (st[r] === st[l] && tw[r]! < tw[l]!)) ? r : l;
      // stop unless less(child, entry)
      if (!(st[c]! < ls || (st[c] === ls && tw[c]! < lt))) break;
      st[i] = st[c]!;
      tw[i] = tw[c]!;
      ve[i] = ve[c]!;
      i = c;
    }
    st[i] = ls;
    tw[i] = lt;
    ve[i] = lv;
  }

  /** Empties the heap (keeping its storage). */
  clear(): void {
    this.#size = 0;
  }

  /** Adds an entry without restoring the order: call `heapify` after a run of these. */
  append(twin: number, sample: number, version: number): void {
    if (this.#size === this.#twin.length) this.#grow();
    const i = this.#size++;
    this.#sample[i] = sample;
    this.#twin[i] = twin;
    this.#version[i] = version;
  }

  /**
   * Restores the heap order after `append`s, in O(size) (Floyd). Entries of distinct twins have distinct
   * keys, so they leave in the same order whatever the layout.
   */
  heapify(): void {
    const n = this.#size;
    for (let p = (n >> 1) - 1; p >= 0; p--)
      this.#siftDown(p, n, this.#sample[p]!, this.#twin[p]!, this.#version[p]!);
  }

  #grow(): void {
    const cap = this.#twin.length * 2;
    const st = new Float64Array(cap);
    st.set(this.#sample);
    this.#sample = st;
    const tw = new Int32Array(cap);
    tw.set(this.#twin);
    this.#twin = tw;
    const ve = new Int32Array(cap);
    ve.set(this.#version);
    this.#version = ve;
  }
}
