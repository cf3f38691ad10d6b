/**
 * An indexed binary min-heap over the integers 0 … capacity − 1 ordered by a key each (a dominant
 * share), ties broken by the lower integer, so the head is fully determined by the keys. Keys can
 * change while an entry is in the heap (`update`). O(log n) insert, remove and update, O(1) peek.
 */
export class ShareHeap {
  readonly key: Float64Array;
  private readonly heap: Int32Array;
  private readonly position: Int32Array;
  private length = 0;

  constructor(capacity: number) {
    this.key = new Float64Array(capacity);
    this.heap = new Int32Array(capacity);
    this.position = new Int32Array(capacity).fill(-1);
  }

  get size(): number {
    return this.length;
  }

  has(i: number): boolean {
    return this.position[i]! >= 0;
  }

  /** The entry with the smallest key (lowest index on ties), or -1 when empty. */
  peek(): number {
    return this.length > 0 ? this.heap[0]! : -1;
  }

  /** Adds `i` with key `k`; if present, changes its key instead. */
  set(i: number, k: number): void {
    this.key[i] = k;
    if (this.has(i)) {
      this.siftUp(this.position[i]!);
      this.siftDown(this.position[i]!);
      return;
    }
    this.heap[this.length] = i;
    this.position[i] = this.length;
    this.length++;
    this.siftUp(this.length - 1);
  }

  /** Removes `i` if present. */
  delete(i: number): void {
    const at = this.position[i]!;
    if (at < 0) return;
    this.length--;
    const last = this.heap[this.length]!;
    this.position[i] = -1;
    if (at === this.length) return;
    this.heap[at] = last;
    this.position[last] = at;
    this.siftUp(at);
    this.siftDown(this.position[last]!);
  }

  private less(a: number, b: number): boolean {
    const ka = this.key[a]!;
    const kb = this.key[b]!;
    return ka < kb || (ka === kb && a < b);
  }

  private siftUp(at: number): void {
    const heap = this.heap;
    const item = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const p = heap[parent]!;
      if (!this.less(item, p)) break;
      heap[at] = p;
      this.position[p] = at;
      at = parent;
    }
    heap[at] = item;
    this.position[item] = at;
  }

  private siftDown(at: number): void {
    const heap = this.heap;
    const item = heap[at]!;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= this.length) break;
      const right = child + 1;
      if (right < this.length && this.less(heap[right]!, heap[child]!)) child = right;
      const c = heap[child]!;
      if (!this.less(c, item)) break;
      heap[at] = c;
      this.position[c] = at;
      at = child;
    }
    heap[at] = item;
    this.position[item] = at;
  }
}
