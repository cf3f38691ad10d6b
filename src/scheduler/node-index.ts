/**
 * Nodes ordered by free compute, so that a placement whose score only rises with free compute (least
 * loaded) finds its node without scanning them all.
 *
 * Nodes fall into classes of equal tier and compute capacity. Within a class a score that reads a node
 * only through its free compute and its capacity is ordered like free compute, so each class keeps a
 * binary max-heap of its nodes by (free compute, then lower index). Attention is the other thing that
 * rules nodes out, so there is one such heap per *attention level*: the heap of level L holds only the
 * nodes with at least L attention free. The levels are the attention demands the owner expects (a
 * scenario has few: 0 and the refreshes' demand, say); an item is served by the highest level not above
 * its demand, whose nodes all have the attention it needs when its demand is a level.
 *
 * A query walks each class's heap best first (a small frontier heap of positions); the first node that
 * passes the framework's full check is the class's best. Only a node with less free compute but exactly
 * the same score could still win (on a lower index), which takes two free-compute values close enough for
 * floating-point rounding to merge their scores. Each class keeps its distinct free-compute values sorted,
 * so the walk asks the score of the next lower value present and goes on only when it ties. It stops
 * early at a node with too little free compute for the item. The class bests are then compared with the
 * scan's arithmetic and tie-break, so the choice is the scan's, bit for bit.
 *
 * The owner marks a node `dirty` whenever its reservations or state change; dirty nodes are re-sifted at
 * the start of the next query. Cost: O(levels · log n) per change; a query costs O(log n) per node it
 * visits, and it visits few unless many nodes are ruled out by something other than compute and attention.
 */
import type { Profile } from './profile.js';
import type { NodeView, Snapshot, WorkItem } from './types.js';

/** The framework's own feasibility check and weighted score sum, which the index must agree with. */
export interface Judge {
  feasible(item: WorkItem, node: NodeView, s: Snapshot, profile: Profile): boolean;
  total(item: WorkItem, node: NodeView, s: Snapshot, profile: Profile): number;
}

/** True when every score of the profile declares `monotoneInFreeCompute`, so the index gives the scan's answer. */
export function indexable(profile: Profile): boolean {
  return (
    profile.scores.length > 0 &&
    profile.scores.every((s) => s.plugin.monotoneInFreeCompute === true && s.plugin.prepare === undefined)
  );
}

const EPS = 1e-9; // the framework's capacity tolerance

interface Level {
  readonly attention: number;
  /** per node: its position in its class heap at this level, -1 when not a member */
  readonly pos: Int32Array;
  /** per class: node indices in heap order, `sizes[c]` of them in use */
  readonly heaps: Int32Array[];
  readonly sizes: Int32Array;
}

/**
 * Distinct values with their counts, kept sorted in typed arrays: the free-compute values present in one
 * class. Few in practice (whole units of compute), so shifting on insert and delete is cheap, and nothing
 * is allocated once the arrays have grown.
 */
class ValueSet {
  #values = new Float64Array(16);
  #counts = new Int32Array(16);
  #size = 0;

  add(v: number): void {
    const i = this.#lowerBound(v);
    if (i < this.#size && this.#values[i] === v) {
      this.#counts[i]!++;
      return;
    }
    if (this.#size === this.#values.length) {
      const values = new Float64Array(this.#size * 2);
      values.set(this.#values);
      this.#values = values;
      const counts = new Int32Array(this.#size * 2);
      counts.set(this.#counts);
      this.#counts = counts;
    }
    this.#values.copyWithin(i + 1, i, this.#size);
    this.#counts.copyWithin(i + 1, i, this.#size);
    this.#values[i] = v;
    this.#counts[i] = 1;
    this.#size++;
  }

  /** Removes one occurrence of v, which must be present. */
  delete(v: number): void {
    const i = this.#lowerBound(v);
    if (--this.#counts[i]! > 0) return;
    this.#values.copyWithin(i, i + 1, this.#size);
    this.#counts.copyWithin(i, i + 1, this.#size);
    this.#size--;
  }

  /** The largest value below v, or NaN if none. */
  below(v: number): number {
    const i = this.#lowerBound(v);
    return i > 0 ? this.#values[i - 1]! : Number.NaN;
  }

  /** index of the first value >= v */
  #lowerBound(v: number): number {
    const a = this.#values;
    let lo = 0;
    let hi = this.#size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export class FreeComputeIndex {
  readonly #nodes: readonly NodeView[];
  readonly #classTier: NodeView['tier'][] = [];
  readonly #classCapacity: number[] = [];
  readonly #classValues: ValueSet[] = [];
  readonly #classOf: Int32Array;
  /** free compute of each node when last sifted: the heaps' key */
  readonly #key: Float64Array;
  readonly #levels: Level[] = [];
  readonly #dirty: Int32Array;
  readonly #isDirty: Uint8Array;
  #dirtyCount = 0;
  #frontier = new Int32Array(64);
  /** a node that is nothing but a free compute and a capacity, to ask a score about a value no node has */
  readonly #probe: { freeCompute: number; computeCapacity: number };

  /** `attentionLevels`: the attention demands expected (0 is always a level). */
  constructor(nodes: readonly NodeView[], attentionLevels: readonly number[] = []) {
    this.#nodes = nodes;
    const n = nodes.length;
    this.#classOf = new Int32Array(n);
    this.#key = new Float64Array(n);
    this.#dirty = new Int32Array(n);
    this.#isDirty = new Uint8Array(n);
    const classIds = new Map<string, number>();
    const classSize: number[] = [];
    for (const node of nodes) {
      const k = `${node.tier}\u0000${node.computeCapacity}`;
      let c = classIds.get(k);
      if (c === undefined) {
        c = this.#classTier.length;
        classIds.set(k, c);
        this.#classTier.push(node.tier);
        this.#classCapacity.push(node.computeCapacity);
        this.#classValues.push(new ValueSet());
        classSize.push(0);
      }
      this.#classOf[node.index] = c;
      classSize[c]!++;
      this.#key[node.index] = node.freeCompute;
      this.#classValues[c]!.add(node.freeCompute);
    }
    const levels = [...new Set([0, ...attentionLevels.filter((a) => a > 0 && Number.isFinite(a))])].sort(
      (a, b) => a - b,
    );
    for (const attention of levels) {
      const level: Level = {
        attention,
        pos: new Int32Array(n).fill(-1),
        heaps: classSize.map((size) => new Int32Array(size)),
        sizes: new Int32Array(classSize.length),
      };
      this.#levels.push(level);
      for (const node of nodes) if (this.#member(level, node)) this.#insert(level, node.index);
    }
    this.#probe = { freeCompute: 0, computeCapacity: 0 };
  }

  #member(level: Level, node: NodeView): boolean {
    return level.attention === 0 || node.freeAttention >= level.attention - EPS;
  }

  /** Records that node `i` may have new free compute or attention (reservation or state changed). */
  dirty(i: number): void {
    if (this.#isDirty[i] === 1) return;
    this.#isDirty[i] = 1;
    this.#dirty[this.#dirtyCount++] = i;
  }

  #flush(): void {
    const nodes = this.#nodes;
    for (let d = 0; d < this.#dirtyCount; d++) {
      const i = this.#dirty[d]!;
      this.#isDirty[i] = 0;
      const node = nodes[i]!;
      const old = this.#key[i]!;
      const key = node.freeCompute;
      this.#key[i] = key;
      if (key !== old) {
        const values = this.#classValues[this.#classOf[i]!]!;
        values.delete(old);
        values.add(key);
      }
      for (let l = 0; l < this.#levels.length; l++) {
        const level = this.#levels[l]!;
        const member = this.#member(level, node);
        const at = level.pos[i]!;
        if (at < 0) {
          if (member) this.#insert(level, i);
        } else if (!member) this.#remove(level, i);
        else if (key > old) this.#siftUp(level, this.#classOf[i]!, at);
        else if (key < old) this.#siftDown(level, this.#classOf[i]!, at);
      }
    }
    this.#dirtyCount = 0;
  }

  /** a before b in a class heap: more free compute first, then the lower index */
  #before(a: number, b: number): boolean {
    const ka = this.#key[a]!;
    const kb = this.#key[b]!;
    return ka > kb || (ka === kb && a < b);
  }

  #insert(level: Level, i: number): void {
    const c = this.#classOf[i]!;
    const at = level.sizes[c]!++;
    level.heaps[c]![at] = i;
    level.pos[i] = at;
    this.#siftUp(level, c, at);
  }

  #remove(level: Level, i: number): void {
    const c = this.#classOf[i]!;
    const heap = level.heaps[c]!;
    const at = level.pos[i]!;
    const last = --level.sizes[c]!;
    level.pos[i] = -1;
    if (at === last) return;
    const moved = heap[last]!;
    heap[at] = moved;
    level.pos[moved] = at;
    this.#siftUp(level, c, at);
    if (level.pos[moved] === at) this.#siftDown(level, c, at);
  }

  #siftUp(level: Level, c: number, p: number): void {
    const heap = level.heaps[c]!;
    const pos = level.pos;
    const x = heap[p]!;
    while (p > 0) {
      const parent = (p - 1) >> 1;
      const y = heap[parent]!;
      if (!this.#before(x, y)) break;
      heap[p] = y;
      pos[y] = p;
      p = parent;
    }
    heap[p] = x;
    pos[x] = p;
  }

  #siftDown(level: Level, c: number, p: number): void {
    const heap = level.heaps[c]!;
    const pos = level.pos;
    const n = level.sizes[c]!;
    const x = heap[p]!;
    for (;;) {
      const l = 2 * p + 1;
      if (l >= n) break;
      const r = l + 1;
      const ch = r < n && this.#before(heap[r]!, heap[l]!) ? r : l;
      const y = heap[ch]!;
      if (!this.#before(y, x)) break;
      heap[p] = y;
      pos[y] = p;
      p = ch;
    }
    heap[p] = x;
    pos[x] = p;
  }

  /**
   * The node the full scan would choose for `item` (highest total score among feasible nodes, ties to the
   * lowest index), or -1.
   */
  best(item: WorkItem, s: Snapshot, profile: Profile, judge: Judge): number {
    if (this.#dirtyCount > 0) this.#flush();
    const levels = this.#levels;
    let level = levels[0]!;
    for (let l = 1; l < levels.length; l++) if (levels[l]!.attention <= item.attention) level = levels[l]!;
    let best = -1;
    let bestTotal = Number.NEGATIVE_INFINITY;
    const need = item.compute - EPS;
    for (let c = 0; c < this.#classTier.length; c++) {
      if (item.tier !== undefined && this.#classTier[c] !== item.tier) continue;
      const size = level.sizes[c]!;
      if (size === 0 || this.#key[level.heaps[c]![0]!]! < need) continue;
      const found = this.#walk(level.heaps[c]!, size, c, need, item, s, profile, judge);
      if (found < 0) continue;
      const t = judge.total(item, s.nodes[found]!, s, profile);
      if (t > bestTotal || (t === bestTotal && found < best)) {
        bestTotal = t;
        best = found;
      }
    }
    return best;
  }

  /** Best-first walk of one class heap; see the module comment. */
  #walk(
    heap: Int32Array,
    heapSize: number,
    c: number,
    need: number,
    item: WorkItem,
    s: Snapshot,
    profile: Profile,
    judge: Judge,
  ): number {
    const nodes = this.#nodes;
    let frontier = this.#frontier;
    let size = 1;
    frontier[0] = 0;
    let found = -1;
    let foundTotal = 0;
    while (size > 0) {
      const p = frontier[0]!;
      const last = frontier[--size]!;
      if (size > 0) this.#frontierDown(frontier, size, heap, last);
      const i = heap[p]!;
      if (this.#key[i]! < need) break; // this node and everything after it lack the compute
      const node = nodes[i]!;
      if (found >= 0) {
        // only reached when rounding may tie a lower free compute with the found score
        const t = judge.total(item, node, s, profile);
        if (t < foundTotal) break;
        if (i < found && judge.feasible(item, node, s, profile)) found = i;
      } else if (judge.feasible(item, node, s, profile)) {
        found = i;
        foundTotal = judge.total(item, node, s, profile);
        // the nodes after this one have its free compute (and higher indices) or at most the next lower
        // value present in the class, so a score no higher than the probe's
        const below = this.#classValues[c]!.below(this.#key[i]!);
        if (!(below >= need)) break;
        const probe = this.#probe;
        probe.freeCompute = below;
        probe.computeCapacity = this.#classCapacity[c]!;
        if (judge.total(item, probe as unknown as NodeView, s, profile) < foundTotal) break;
      }
      const l = 2 * p + 1;
      if (l < heapSize) {
        if (size + 2 > frontier.length) {
          const bigger = new Int32Array(frontier.length * 2);
          bigger.set(frontier);
          this.#frontier = frontier = bigger;
        }
        this.#frontierUp(frontier, size++, heap, l);
        if (l + 1 < heapSize) this.#frontierUp(frontier, size++, heap, l + 1);
      }
    }
    return found;
  }

  #frontierUp(f: Int32Array, at: number, heap: Int32Array, p: number): void {
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const q = f[parent]!;
      if (!this.#before(heap[p]!, heap[q]!)) break;
      f[at] = q;
      at = parent;
    }
    f[at] = p;
  }

  #frontierDown(f: Int32Array, size: number, heap: Int32Array, p: number): void {
    let at = 0;
    for (;;) {
      const l = 2 * at + 1;
      if (l >= size) break;
      const r = l + 1;
      const ch = r < size && this.#before(heap[f[r]!]!, heap[f[l]!]!) ? r : l;
      if (!this.#before(heap[f[ch]!]!, heap[p]!)) break;
      f[at] = f[ch]!;
      at = ch;
    }
    f[at] = p;
  }
}
