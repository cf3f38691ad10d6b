/**
 * ARS's placement index: the node the full scan would choose (filters, then the weighted sum of the finish,
 * reserve and cost scores over every node, ties to the lowest index), found without scoring every node.
 *
 * Why it can be exact. Nodes fall into classes: the same group, tier, zone, capacities and cost per second.
 * For an item, every ARS quantity of a node is a function of its class, its free compute and its free
 * attention, except two things, which the index checks instead of assuming:
 * - the input transfers: a node holding one of the item's inputs (a *source*) gets it in no time, and an
 *   explicit link can single out members of a class. Sources are scored one by one; for every other source
 *   node the index checks once (cached) that it reaches all members of each class with the same latency and
 *   bandwidth, and scores a class that fails the check node by node;
 * - speed per task kind: checked once per kind and class, likewise.
 * So the up members of a class sit in buckets of equal (free compute, free attention), each a min-heap of node
 * indices. A bucket's members all get the same feasibility and total, and the scan would pick the lowest
 * index among them: one candidate per bucket. Within a class the finish and cost scores are the same for all
 * buckets and the total only rises with the reserve score, so only the buckets whose reserve score is within
 * rounding of the class's best are judged. The quantities the scores normalise by (earliest finish over
 * feasible nodes, dearest run over up nodes, the patience filter's earliest finish after backlogs) are minima
 * and maxima, computed per class instead of per node and handed to the plugins (`preset`): the same values,
 * since min and max do not depend on the order. The patience filter's backlogs are read node by node only for
 * a class where no member could start the item now and whose finish could still lower the minimum.
 *
 * Cost per decision: O(classes + buckets + sources); per node change O(log class size) at the next decision.
 */
import type { Placer, PlacerJudge, Score } from '../../scheduler/plugins.js';
import type { WeightedScore } from '../../scheduler/profile.js';
import type { NodeView, Snapshot, WorkItem } from '../../scheduler/types.js';
import { finishAt, finishIn, plainCompute, runCost, runCostAt } from './compute.js';

const EPS = 1e-9; // the framework's capacity tolerance

interface Bucket {
  readonly fc: number;
  readonly fa: number;
  heap: Int32Array;
  size: number;
  /** position in its class's bucket list (−1: an empty grid bucket, not listed) */
  at: number;
}

interface NodeClass {
  readonly tier: NodeView['tier'];
  readonly computeCapacity: number;
  readonly attentionCapacity: number;
  /** node indices, ascending */
  readonly members: number[];
  /**
   * The buckets of whole (free compute, free attention) within the capacities, at fc · (attention
   * capacity + 1) + fa, so the common case needs no map; every other pair is in `byCompute`.
   */
  readonly grid: (Bucket | undefined)[];
  readonly byCompute: Map<number, Map<number, Bucket>>;
  readonly buckets: Bucket[];
}

export interface ArsPlacerParts {
  readonly finish: Score & { preset(best: number): void; scoreAt(f: number): number };
  readonly cost: Score & { preset(dearest: number): void; scoreAt(cost: number): number };
  readonly patience: {
    preset(item: WorkItem, now: number, bestLater: number): void;
    /** the finish the next filter call on this node may take (the class's, computed here) */
    hint?(node: number, here: number): void;
  };
  /** the reserve score plugin (prepared here, then read per bucket) */
  readonly reserve: Score & {
    prepareWith(now: number, plain: number): void;
    flatFor(item: WorkItem, attentionCapacity: number): boolean;
  };
  /**
   * The profile's weighted scores, in its order: exactly the three above. A candidate's total is summed here
   * in this order with these weights, as the framework's `totalScore` sums it (the same arithmetic).
   */
  readonly scores: readonly WeightedScore[];
  /** Σ of the weights the scores carry (bounds the rounding of a total) */
  weights(): number;
}

/** largest grid of whole free-capacity pairs a class keeps (more goes through the maps) */
const GRID_MAX = 4096;

function gridOf(compute: number, attention: number): (Bucket | undefined)[] {
  const size = (Math.floor(compute) + 1) * (Math.floor(attention) + 1);
  return Number.isFinite(size) && size > 0 && size <= GRID_MAX ? new Array(size).fill(undefined) : [];
}

/** where (fc, fa) sits in the class's grid, or -1 for a pair the grid does not hold */
function gridIndex(cls: NodeClass, fc: number, fa: number): number {
  if (cls.grid.length === 0 || !Number.isInteger(fc) || !Number.isInteger(fa)) return -1;
  const width = Math.floor(cls.attentionCapacity) + 1;
  if (fc < 0 || fa < 0 || fa >= width) return -1;
  const g = fc * width + fa;
  return g < cls.grid.length ? g : -1;
}

export class ArsPlacer implements Placer {
  readonly name = 'ars-index';
  readonly #parts: ArsPlacerParts;
  #ready = false;
  #nodes: readonly NodeView[] = [];
  #count = 0;
  #classes: NodeClass[] = [];
  #classOf = new Int32Array(0);
  #bucketOf: (Bucket | undefined)[] = [];
  #pos = new Int32Array(0);
  #dirty = new Int32Array(0);
  #isDirty = new Uint8Array(0);
  #dirtyCount = 0;
  /** per task kind: 1 when every member of the class has the class's speed for it */
  readonly #speedUniform = new Map<string, Uint8Array>();
  /** per source node: 1 when it reaches every other member of the class alike */
  readonly #linkUniform = new Map<number, Uint8Array>();
  /** the last task kind asked of `#speedsAlike`, and its answer (most decisions repeat the kind) */
  #lastKind: string | undefined;
  #lastAlike: Uint8Array = new Uint8Array(0);
  // per-decision scratch
  #sources: number[] = [];
  #uniform = new Uint8Array(0);
  #reps = new Int32Array(0);
  #bucketRep = new Int32Array(16);
  #bucketScore = new Float64Array(16);
  /** classes none of whose plain members could start now, and their finish (`nLater` of them) */
  #laterClass = new Int32Array(0);
  #laterFinish = new Float64Array(0);
  #frontier: number[] = [];
  /** per class: `finishIn` and `runCost` of its plain members for the current item */
  #classFinish = new Float64Array(0);
  #classRun = new Float64Array(0);
  /** per class, for the current item: its best reserve score, its finish and cost scores, its top total */
  #classTop = new Float64Array(0);
  #classFinScore = new Float64Array(0);
  #classCostScore = new Float64Array(0);
  #classTotal = new Float64Array(0);
  /** classes still to judge */
  #pending = new Int32Array(0);
  /** per position in the profile's scores: 0 finish, 1 reserve, 2 cost; and the weights */
  readonly #scoreKind: Int8Array;
  readonly #scoreWeight: Float64Array;
  /** the reserve score's `plain` sum, recomputed when a node went up or down (NaN: to recompute) */
  #plain = Number.NaN;
  /** decisions taken and candidates judged (for the benchmark and the docs) */
  decisions = 0;
  judged = 0;

  constructor(parts: ArsPlacerParts) {
    this.#parts = parts;
    const scores = parts.scores;
    this.#scoreKind = new Int8Array(scores.length);
    this.#scoreWeight = new Float64Array(scores.length);
    const seen = [0, 0, 0];
    for (let k = 0; k < scores.length; k++) {
      const p = scores[k]!.plugin;
      const kind = p === parts.finish ? 0 : p === parts.reserve ? 1 : p === parts.cost ? 2 : -1;
      if (kind < 0 || seen[kind]! > 0) throw new Error(`ArsPlacer: unexpected score plugin ${p.name}`);
      seen[kind] = 1;
      this.#scoreKind[k] = kind;
      this.#scoreWeight[k] = scores[k]!.weight;
    }
  }

  /** A candidate's total from its finish, reserve and cost scores, summed as `totalScore` sums them. */
  #total(finish: number, reserve: number, cost: number): number {
    const kind = this.#scoreKind;
    const weight = this.#scoreWeight;
    let total = 0;
    for (let k = 0; k < kind.length; k++) {
      const c = kind[k]!;
      total += weight[k]! * (c === 0 ? finish : c === 1 ? reserve : cost);
    }
    return total;
  }

  nodeChanged(i: number): void {
    if (!this.#ready || this.#isDirty[i] === 1) return;
    this.#isDirty[i] = 1;
    this.#dirty[this.#dirtyCount++] = i;
  }

  /** (Re)builds the classes and buckets from the snapshot's nodes: at the first decision, and if nodes join. */
  #init(s: Snapshot): void {
    const nodes = s.nodes;
    this.#nodes = nodes;
    this.#count = nodes.length;
    this.#classes = [];
    this.#speedUniform.clear();
    this.#lastKind = undefined;
    this.#linkUniform.clear();
    this.#dirtyCount = 0;
    const n = nodes.length;
    this.#classOf = new Int32Array(n);
    this.#bucketOf = new Array<Bucket | undefined>(n).fill(undefined);
    this.#pos = new Int32Array(n).fill(-1);
    this.#dirty = new Int32Array(n);
    this.#isDirty = new Uint8Array(n);
    const byKey = new Map<string, number>();
    for (const node of nodes) {
      const key = `${node.group}\u0000${node.tier}\u0000${node.zone ?? ''}\u0000${node.computeCapacity}\u0000${node.attentionCapacity}\u0000${node.costPerSecond}`;
      let c = byKey.get(key);
      if (c === undefined) {
        c = this.#classes.length;
        byKey.set(key, c);
        this.#classes.push({
          tier: node.tier,
          computeCapacity: node.computeCapacity,
          attentionCapacity: node.attentionCapacity,
          members: [],
          grid: gridOf(node.computeCapacity, node.attentionCapacity),
          byCompute: new Map(),
          buckets: [],
        });
      }
      this.#classOf[node.index] = c;
      this.#classes[c]!.members.push(node.index);
      this.#isDirty[node.index] = 1;
      this.#dirty[this.#dirtyCount++] = node.index;
    }
    this.#uniform = new Uint8Array(this.#classes.length);
    this.#reps = new Int32Array(this.#classes.length);
    this.#classFinish = new Float64Array(this.#classes.length);
    this.#classRun = new Float64Array(this.#classes.length);
    this.#classTop = new Float64Array(this.#classes.length);
    this.#classFinScore = new Float64Array(this.#classes.length);
    this.#classCostScore = new Float64Array(this.#classes.length);
    this.#classTotal = new Float64Array(this.#classes.length);
    this.#pending = new Int32Array(this.#classes.length);
    this.#laterClass = new Int32Array(this.#classes.length);
    this.#laterFinish = new Float64Array(this.#classes.length);
    this.#plain = Number.NaN;
    this.#ready = true;
  }

  /** Re-buckets the nodes changed since the last decision. */
  #sync(): void {
    const nodes = this.#nodes;
    for (let d = 0; d < this.#dirtyCount; d++) {
      const i = this.#dirty[d]!;
      this.#isDirty[i] = 0;
      const node = nodes[i]!;
      const old = this.#bucketOf[i];
      // a node is in a bucket exactly when it was up at the last decision
      if ((old !== undefined) !== node.up) this.#plain = Number.NaN;
      if (old !== undefined) {
        if (node.up && old.fc === node.freeCompute && old.fa === node.freeAttention) continue;
        this.#remove(i, old);
      }
      if (node.up) this.#insert(i, this.#bucket(this.#classOf[i]!, node.freeCompute, node.freeAttention));
    }
    this.#dirtyCount = 0;
  }

  #bucket(c: number, fc: number, fa: number): Bucket {
    const cls = this.#classes[c]!;
    const g = gridIndex(cls, fc, fa);
    if (g >= 0) {
      let b = cls.grid[g];
      if (b === undefined) {
        b = { fc, fa, heap: new Int32Array(4), size: 0, at: cls.buckets.length };
        cls.grid[g] = b;
        cls.buckets.push(b);
      } else if (b.at < 0) {
        // an emptied grid bucket is kept (its heap too) and listed again, where a new one would be
        b.at = cls.buckets.length;
        cls.buckets.push(b);
      }
      return b;
    }
    let byAttention = cls.byCompute.get(fc);
    if (byAttention === undefined) {
      byAttention = new Map();
      cls.byCompute.set(fc, byAttention);
    }
    let b = byAttention.get(fa);
    if (b === undefined) {
      b = { fc, fa, heap: new Int32Array(4), size: 0, at: cls.buckets.length };
      byAttention.set(fa, b);
      cls.buckets.push(b);
    }
    return b;
  }

  #insert(i: number, b: Bucket): void {
    if (b.size === b.heap.length) {
      const grown = new Int32Array(b.size * 2);
      grown.set(b.heap);
      b.heap = grown;
    }
    this.#bucketOf[i] = b;
    this.#siftUp(b, b.size++, i);
  }

  #remove(i: number, b: Bucket): void {
    const p = this.#pos[i]!;
    this.#bucketOf[i] = undefined;
    this.#pos[i] = -1;
    const last = b.heap[--b.size]!;
    if (p < b.size) {
      // put the last entry at p and restore the order in whichever direction it is off
      this.#siftUp(b, p, last);
      this.#siftDown(b, this.#pos[last]!);
    }
    if (b.size === 0) {
      const cls = this.#classes[this.#classOf[i]!]!;
      const moved = cls.buckets.pop()!;
      if (moved !== b) {
        cls.buckets[b.at] = moved;
        moved.at = b.at;
      }
      const g = gridIndex(cls, b.fc, b.fa);
      if (g >= 0) b.at = -1;
      else {
        const byAttention = cls.byCompute.get(b.fc)!;
        byAttention.delete(b.fa);
        if (byAttention.size === 0) cls.byCompute.delete(b.fc);
      }
    }
  }

  #siftUp(b: Bucket, p: number, v: number): void {
    const heap = b.heap;
    while (p > 0) {
      const parent = (p - 1) >> 1;
      const u = heap[parent]!;
      if (u <= v) break;
      heap[p] = u;
      this.#pos[u] = p;
      p = parent;
    }
    heap[p] = v;
    this.#pos[v] = p;
  }

  #siftDown(b: Bucket, p: number): void {
    const heap = b.heap;
    const v = heap[p]!;
    for (;;) {
      let child = 2 * p + 1;
      if (child >= b.size) break;
      if (child + 1 < b.size && heap[child + 1]! < heap[child]!) child++;
      const u = heap[child]!;
      if (u >= v) break;
      heap[p] = u;
      this.#pos[u] = p;
      p = child;
    }
    heap[p] = v;
    this.#pos[v] = p;
  }

  #isSource(i: number): boolean {
    const src = this.#sources;
    for (let k = 0; k < src.length; k++) if (src[k] === i) return true;
    return false;
  }

  /** The lowest node index in the bucket that is not a source, or -1. */
  #lowestPlain(b: Bucket): number {
    const heap = b.heap;
    if (b.size === 0) return -1;
    if (this.#sources.length === 0 || !this.#isSource(heap[0]!)) return heap[0]!;
    // best-first walk of the heap; it passes at most as many nodes as there are sources
    const frontier = this.#frontier;
    frontier.length = 0;
    frontier.push(0);
    while (frontier.length > 0) {
      let k = 0;
      for (let j = 1; j < frontier.length; j++) if (heap[frontier[j]!]! < heap[frontier[k]!]!) k = j;
      const p = frontier[k]!;
      frontier[k] = frontier[frontier.length - 1]!;
      frontier.pop();
      const v = heap[p]!;
      if (!this.#isSource(v)) return v;
      if (2 * p + 1 < b.size) frontier.push(2 * p + 1);
      if (2 * p + 2 < b.size) frontier.push(2 * p + 2);
    }
    return -1;
  }

  #speedsAlike(kind: string): Uint8Array {
    if (kind === this.#lastKind) return this.#lastAlike;
    let u = this.#speedUniform.get(kind);
    if (u !== undefined) {
      this.#lastKind = kind;
      this.#lastAlike = u;
      return u;
    }
    u = new Uint8Array(this.#classes.length);
    const nodes = this.#nodes;
    for (let c = 0; c < this.#classes.length; c++) {
      const m = this.#classes[c]!.members;
      const v = nodes[m[0]!]!.speed(kind);
      let same = true;
      for (let k = 1; k < m.length && same; k++) same = nodes[m[k]!]!.speed(kind) === v;
      u[c] = same ? 1 : 0;
    }
    this.#speedUniform.set(kind, u);
    this.#lastKind = kind;
    this.#lastAlike = u;
    return u;
  }

  #linksAlike(j: number, s: Snapshot): Uint8Array {
    let u = this.#linkUniform.get(j);
    if (u !== undefined) return u;
    u = new Uint8Array(this.#classes.length);
    const from = { node: j };
    for (let c = 0; c < this.#classes.length; c++) {
      let first = -1;
      let same = true;
      for (const m of this.#classes[c]!.members) {
        if (m === j) continue;
        if (first < 0) {
          first = m;
          continue;
        }
        for (const bytes of [0, 1, 1e9]) {
          if (s.transferTime(from, m, bytes) !== s.transferTime(from, first, bytes)) {
            same = false;
            break;
          }
        }
        if (!same) break;
      }
      u[c] = same ? 1 : 0;
    }
    this.#linkUniform.set(j, u);
    return u;
  }

  choose(item: WorkItem, s: Snapshot, judge: PlacerJudge): number {
    // the simulated world's nodes are fixed for a run; a service whose nodes join starts the index afresh
    if (!this.#ready || s.nodes !== this.#nodes || s.nodes.length !== this.#count) this.#init(s);
    this.#sync();
    this.decisions++;
    const nodes = this.#nodes;
    const classes = this.#classes;
    const parts = this.#parts;
    const c0 = item.compute;
    const a0 = item.attention;
    const tier = item.tier;

    // sources, and the classes whose members are alike for this item
    const sources = this.#sources;
    // (setting an array's length is a runtime call even when it changes nothing)
    if (sources.length !== 0) sources.length = 0;
    const speedsAlike = this.#speedsAlike(item.kind);
    // without an input from a node, the classes alike are those whose speeds are (the array is only read)
    let uniform: Uint8Array = speedsAlike;
    const inputs = item.inputs;
    for (let k = 0; k < inputs.length; k++) {
      // a node location has `node` (a device location has not): read it rather than ask `in` of two shapes
      const j = (inputs[k]!.from as { readonly node?: number }).node;
      if (j === undefined) continue;
      if (uniform === speedsAlike) {
        uniform = this.#uniform;
        for (let c = 0; c < classes.length; c++) uniform[c] = speedsAlike[c]!;
      }
      if (!this.#isSource(j)) sources.push(j);
      const alike = this.#linksAlike(j, s);
      for (let c = 0; c < classes.length; c++) uniform[c] = uniform[c]! & alike[c]!;
    }
    const noSources = sources.length === 0;

    // the reserve score's per-instant strength (it reads the up nodes' compute without attention)
    const reserve = parts.reserve;
    if (Number.isNaN(this.#plain)) this.#plain = plainCompute(nodes);
    reserve.prepareWith(s.now, this.#plain);

    // the normalisers: earliest feasible finish, dearest run, earliest finish once a backlog clears
    let best = Number.POSITIVE_INFINITY;
    let dearest = 0;
    let bestLater = Number.POSITIVE_INFINITY;
    const laterClass = this.#laterClass;
    const laterFinish = this.#laterFinish;
    let nLater = 0;
    const reps = this.#reps;
    for (let c = 0; c < classes.length; c++) reps[c] = -1;
    for (let c = 0; c < classes.length; c++) {
      const cls = classes[c]!;
      if (cls.buckets.length === 0) continue; // no member up
      const members = cls.members;
      if (uniform[c] === 0) {
        for (let q = 0; q < members.length; q++) {
          const m = members[q]!;
          const n = nodes[m]!;
          if (!n.up) continue;
          dearest = Math.max(dearest, runCost(item, n));
          if (this.#isSource(m) || (tier !== undefined && n.tier !== tier)) continue;
          const f = finishIn(item, n, s);
          if (n.freeCompute >= c0 - EPS && n.freeAttention >= a0 - EPS) best = Math.min(best, f);
          if (n.computeCapacity < c0 || n.attentionCapacity < a0) continue;
          bestLater = Math.min(bestLater, (n.freeCompute >= c0 && n.freeAttention >= a0 ? 0 : n.backlog) + f);
        }
        continue;
      }
      let rep = noSources ? members[0]! : -1;
      for (let q = 0; rep < 0 && q < members.length; q++) {
        if (!this.#isSource(members[q]!)) {
          rep = members[q]!;
          break;
        }
      }
      if (rep < 0) continue; // every member is a source: scored one by one below
      // all members cost the same; a source member is up only if some bucket holds it, so check plain ones
      // the representative's speed, read once for its run cost and its finish
      const repNode = nodes[rep]!;
      const speed = repNode.speed(item.kind);
      const run = runCostAt(item, repNode, speed);
      this.#classRun[c] = run;
      dearest = Math.max(dearest, run);
      if (tier !== undefined && cls.tier !== tier) continue;
      const f = finishAt(item, repNode, s, speed);
      this.#classFinish[c] = f;
      // one pass over the buckets in reach: whether any plain member can take the item now (and start it
      // without rounding), and the best reserve score among them
      let feasible = false;
      let startsNow = false;
      let top = Number.NEGATIVE_INFINITY;
      // where the reserve score is its weight on every member (the item holds attention, or the class has
      // none), one bucket gives it and the pass stops at the first bucket that can start the item
      const flat = reserve.flatFor(item, cls.attentionCapacity);
      const buckets = cls.buckets;
      for (let q = 0; q < buckets.length; q++) {
        const b = buckets[q]!;
        if (!(b.fc >= c0 - EPS && b.fa >= a0 - EPS)) continue;
        const m = this.#lowestPlain(b);
        if (m < 0) continue;
        feasible = true;
        if (b.fc >= c0 && b.fa >= a0) startsNow = true;
        if (!flat || top === Number.NEGATIVE_INFINITY) {
          const r = reserve.score(item, nodes[m]!, s);
          if (r > top) top = r;
        }
        if (flat && startsNow) break;
      }
      this.#classTop[c] = top;
      if (feasible) best = Math.min(best, f);
      reps[c] = feasible ? rep : -1;
      if (cls.computeCapacity < c0 || cls.attentionCapacity < a0) continue;
      if (startsNow) bestLater = Math.min(bestLater, 0 + f);
      else {
        laterClass[nLater] = c;
        laterFinish[nLater++] = f;
      }
    }
    for (let q = 0; q < sources.length; q++) {
      const n = nodes[sources[q]!];
      if (n === undefined || !n.up) continue;
      dearest = Math.max(dearest, runCost(item, n));
      if (tier !== undefined && n.tier !== tier) continue;
      const f = finishIn(item, n, s);
      if (n.freeCompute >= c0 - EPS && n.freeAttention >= a0 - EPS) best = Math.min(best, f);
      if (n.computeCapacity < c0 || n.attentionCapacity < a0) continue;
      bestLater = Math.min(bestLater, (n.freeCompute >= c0 && n.freeAttention >= a0 ? 0 : n.backlog) + f);
    }
    for (let k = 0; k < nLater; k++) {
      const f = laterFinish[k]!;
      if (!(f < bestLater)) continue; // a backlog only adds to f
      const members = classes[laterClass[k]!]!.members;
      for (let q = 0; q < members.length; q++) {
        const m = members[q]!;
        const n = nodes[m]!;
        if (!n.up || this.#isSource(m)) continue;
        bestLater = Math.min(bestLater, (n.freeCompute >= c0 && n.freeAttention >= a0 ? 0 : n.backlog) + f);
      }
    }
    parts.finish.preset(best);
    parts.cost.preset(dearest);
    parts.patience.preset(item, s.now, bestLater);

    // candidates: the members of classes that are not alike, sources, and per class the buckets with the best
    // reserve score (within rounding)
    // the rounding tolerance, asked of the weights only when a bucket's reserve score is near the top but not on it
    let tol = Number.NaN;
    let chosen = -1;
    let chosenTotal = Number.NEGATIVE_INFINITY;
    // classes whose members are alike: the finish and cost scores are the class's, so a bucket's total is
    // these two and its reserve score, summed as the framework sums it (`#total`), and it only rises with the
    // reserve score. The class's top total (at its best reserve score) bounds every bucket's, so the classes
    // are judged best top total first and stop at one below the best total found: it can neither win nor tie
    const pending = this.#pending;
    let np = 0;
    for (let c = 0; c < classes.length; c++) {
      const cls = classes[c]!;
      if (cls.buckets.length === 0) continue;
      if (uniform[c] === 0) {
        const members = cls.members;
        for (let q = 0; q < members.length; q++) {
          const m = members[q]!;
          const n = nodes[m]!;
          if (!(n.up && !this.#isSource(m) && (tier === undefined || n.tier === tier))) continue;
          this.judged++;
          if (!judge.feasible(item, n, s)) continue;
          const t = judge.total(item, n, s);
          if (t > chosenTotal || (t === chosenTotal && m < chosen)) {
            chosenTotal = t;
            chosen = m;
          }
        }
        continue;
      }
      if (reps[c]! < 0) continue;
      const top = this.#classTop[c]!;
      const fin = parts.finish.scoreAt(this.#classFinish[c]!);
      const cost = parts.cost.scoreAt(this.#classRun[c]!);
      const topTotal = this.#total(fin, top, cost);
      // a total that is not above −∞ (no bucket in reach, or NaN) is never chosen
      if (!(topTotal > Number.NEGATIVE_INFINITY)) continue;
      this.#classFinScore[c] = fin;
      this.#classCostScore[c] = cost;
      this.#classTotal[c] = topTotal;
      pending[np++] = c;
    }
    for (let q = 0; q < sources.length; q++) {
      const j = sources[q]!;
      const n = nodes[j];
      if (!n?.up) continue;
      this.judged++;
      if (!judge.feasible(item, n, s)) continue;
      const t = judge.total(item, n, s);
      if (t > chosenTotal || (t === chosenTotal && j < chosen)) {
        chosenTotal = t;
        chosen = j;
      }
    }
    while (np > 0) {
      let at = 0;
      for (let q = 1; q < np; q++)
        if (this.#classTotal[pending[q]!]! > this.#classTotal[pending[at]!]!) at = q;
      const c = pending[at]!;
      pending[at] = pending[--np]!;
      const topTotal = this.#classTotal[c]!;
      if (topTotal < chosenTotal) break;
      const cls = classes[c]!;
      // each feasible bucket's lowest plain member and its reserve score
      if (this.#bucketRep.length < cls.buckets.length) {
        this.#bucketRep = new Int32Array(2 * cls.buckets.length);
        this.#bucketScore = new Float64Array(2 * cls.buckets.length);
      }
      const bm = this.#bucketRep;
      const br = this.#bucketScore;
      let k = 0;
      const buckets = cls.buckets;
      for (let q = 0; q < buckets.length; q++) {
        const b = buckets[q]!;
        if (!(b.fc >= c0 - EPS && b.fa >= a0 - EPS)) continue;
        const m = this.#lowestPlain(b);
        if (m < 0) continue;
        bm[k] = m;
        br[k] = reserve.score(item, nodes[m]!, s);
        k++;
      }
      // the class's filters pass or fail alike for all its plain members: ask once, on any feasible one
      this.judged++;
      // the patience filter's finish for that member is the class's, computed above: handed to it
      // (and withdrawn after, had a check before the filter failed)
      const patience = parts.patience;
      patience.hint?.(bm[0]!, this.#classFinish[c]!);
      const ok = judge.feasible(item, nodes[bm[0]!]!, s);
      patience.hint?.(-1, Number.NaN);
      if (!ok) continue;
      // buckets with exactly the top reserve score have exactly the same total, so of them only the lowest
      // index can win; those within rounding of it are summed too
      const top = this.#classTop[c]!;
      const fin = this.#classFinScore[c]!;
      const cost = this.#classCostScore[c]!;
      let firstTop = -1;
      for (let q = 0; q < k; q++) {
        const m = bm[q]!;
        const r = br[q]!;
        if (r === top) {
          if (firstTop < 0 || m < firstTop) firstTop = m;
          continue;
        }
        if (Number.isNaN(tol)) tol = 1e-12 * (1 + parts.weights());
        if (!(r >= top - tol)) continue;
        const t = this.#total(fin, r, cost);
        if (t > chosenTotal || (t === chosenTotal && m < chosen)) {
          chosenTotal = t;
          chosen = m;
        }
      }
      if (firstTop >= 0 && (topTotal > chosenTotal || (topTotal === chosenTotal && firstTop < chosen))) {
        chosenTotal = topTotal;
        chosen = firstTop;
      }
    }
    return chosen;
  }
}
