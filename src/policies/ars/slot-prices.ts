/**
 * Which twin a free refresh slot should go to when nodes refresh at different speeds: comparative advantage.
 *
 * A refresh of a twin of group g takes d_gj seconds of a slot on node j: the sample's transfer from the asset
 * to the node plus the refresh's work at the node's speed. Where every group is the same number of times
 * slower on a slow node, it does not matter which twins the slow slots serve. Where the ratios differ (a
 * gearbox spectrum that takes 2.4 times as long on a turbine controller as on the substation server, a pitch
 * reading that takes 1.1 times as long), every slot-second does the most refreshes when the slow slots serve
 * the groups they are least slow for, and the fast ones the rest: the allocation the fluid bound
 * (`ars bound`, src/experiment/bound.ts) finds, which the runtime's "earliest finish" alone does not.
 *
 * Prices. A slot-second of node j is worth p_j, the dual price of its attention in the relaxation that routes
 * the groups' refresh demand over the nodes (`update`), scaled so that the attention capacity keeps its size
 * (Σ_j A_j p_j = Σ_j A_j): a slot twice as slow for everyone is worth half. A refresh of g on j then costs
 * d_gj · p_j priced seconds, and its least, π_g = min_j d_gj · p_j, is where g's refreshes do best against the
 * rest.
 *
 * Dispatch. A free slot on node j goes to the twin with the highest overdue × f_gj^γ, f_gj = π_g / (d_gj · p_j)
 * (`wSlot` = γ; f is 1 on a node where g is at its best, below 1 elsewhere), among the twins due there if any
 * is (overdue · f_gj ≥ 1: a twin the slot serves at twice its priced time is due there at twice its period),
 * so a slot does not refresh the twins it serves best far ahead of their time while another waits ever longer.
 * The slots are offered the most valuable first, and each choice names its slot's node (`AttentionChoice.node`):
 * the runtime binds the refresh there when the node takes it. A group's measured refresh cost is its priced
 * time, so the rate law (share / cost) counts a refresh on a fast, dear slot as dearer than the same seconds on
 * a slow one. With every node alike (or γ = 0) each price and factor is exactly 1 and nothing changes.
 */
import type { NodeView, Snapshot, TwinView } from '../../scheduler/types.js';

export class SlotPrices {
  /** per group: the model refresh time on each node (∞ on a node without attention) */
  #times: Float64Array[] = [];
  #nodeCount = -1;
  /** per node: its class (nodes whose refresh times agree for every group; −1 without attention), and per class one node */
  #classOf: Int32Array | undefined;
  #rep: number[] = [];
  /** per node: the price of one of its slot-seconds (capacity-weighted mean 1; 0 without attention) */
  #price = new Float64Array(0);
  /** per group: the least priced refresh time over the nodes */
  #best = new Float64Array(0);
  /** the free slots of the last `slots` call, node indices, most valuable first */
  #slots = new Int32Array(16);
  /** the nodes with attention, most valuable first */
  #order = new Int32Array(0);
  /** the node count `#order` was made for (−1: none yet) */
  #orderFor = -1;

  /** true while every node with attention has price 1: the slots are all alike and the dispatch is the plain one */
  alike = true;

  /** The model refresh time of a twin of the group that `rep` belongs to, on each node (cached per group). */
  #timesOf(s: Snapshot, g: number, rep: TwinView): Float64Array {
    if (s.nodes.length !== this.#nodeCount) this.#reset(s.nodes.length);
    let t = this.#times[g];
    if (t === undefined) {
      const nodes = s.nodes;
      t = new Float64Array(nodes.length);
      const from = { device: rep.zone };
      for (let j = 0; j < nodes.length; j++) {
        const n = nodes[j]!;
        t[j] =
          n.attentionCapacity > 0
            ? s.transferTime(from, j, rep.refreshBytes) + rep.refreshWork / n.speed('refresh')
            : Number.POSITIVE_INFINITY;
      }
      this.#times[g] = t;
    }
    return t;
  }

  #reset(nodes: number): void {
    this.#times = [];
    this.#classOf = undefined;
    this.#nodeCount = nodes;
    this.#price = new Float64Array(nodes);
    // nodes joined or left: the plain dispatch until the next update prices them
    this.alike = true;
  }

  /**
   * Recomputes the prices from each group's refresh demand (`demand[g]`, refreshes a second; only their ratios
   * matter) and `reps[g]`, a twin of each group.
   *
   * The prices are the dual of the relaxation that routes every group's demand over the nodes' attention, each
   * refresh taking its time on the node it goes to, so as to serve the largest common fraction of all demands
   * (a maximum concurrent flow). Nodes whose refresh times are the same for every group form one class with
   * their summed capacity (the up ones'). Solved by Garg and Könemann's multiplicative lengths (ε = 0.1: the
   * prices are within a few per cent of the optimum's): each class's price grows as demand is routed through
   * it, each group always takes its cheapest class, so a class's price ends where the groups that use it are
   * indifferent between it and their next best. A group that the optimum splits over two classes thus has
   * factor 1 on both; one that the optimum keeps off a class has a factor below 1 there.
   */
  update(s: Snapshot, demand: Float64Array, reps: readonly TwinView[]): void {
    const nodes = s.nodes;
    if (nodes.length !== this.#nodeCount) this.#reset(nodes.length);
    const G = reps.length;
    const times: Float64Array[] = [];
    for (let g = 0; g < G; g++) times.push(this.#timesOf(s, g, reps[g]!));
    // the classes are fixed while the nodes are (the times are); only the capacity up changes
    if (this.#classOf === undefined) this.#classes(nodes, times);
    const classOf = this.#classOf!;
    const rep = this.#rep;
    const capacity = new Array<number>(rep.length).fill(0);
    for (let j = 0; j < nodes.length; j++) {
      const c = classOf[j]!;
      const n = nodes[j]!;
      if (c >= 0 && n.up) capacity[c] = capacity[c]! + n.attentionCapacity;
    }
    const C = capacity.length;
    const price = this.#price;
    const length = C > 1 ? maxConcurrentFlowPrices(times, rep, capacity, demand) : undefined;
    let slots = 0;
    let valued = 0;
    for (let j = 0; j < nodes.length; j++) {
      const c = classOf[j]!;
      // no price (no slot offered, no group's best) for a node without attention or whose whole class is down
      // until the next update after it is back; a refresh it still completes counts at price 1
      if (c < 0 || !(capacity[c]! > 0)) price[j] = 0;
      else price[j] = length !== undefined ? length[c]! : 1;
      if (price[j]! > 0) {
        slots += nodes[j]!.attentionCapacity;
        valued += nodes[j]!.attentionCapacity * price[j]!;
      }
    }
    // scaled so that the attention capacity keeps its size in priced slot-seconds
    const scale = valued > 0 ? slots / valued : 1;
    let alike = true;
    for (let j = 0; j < nodes.length; j++) {
      price[j] = price[j]! * scale;
      if (price[j]! > 0 && price[j] !== 1) alike = false;
    }
    this.alike = alike;
    this.#sortNodes(nodes.length);
    if (this.#best.length !== G) this.#best = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      const t = times[g]!;
      let b = Number.POSITIVE_INFINITY;
      for (let j = 0; j < nodes.length; j++)
        if (price[j]! > 0 && t[j]! * price[j]! < b) b = t[j]! * price[j]!;
      this.#best[g] = b;
    }
  }

  /** Pools the nodes with attention whose refresh times agree for every group: a class, one node as its `rep`. */
  #classes(nodes: readonly NodeView[], times: readonly Float64Array[]): void {
    const classOf = new Int32Array(nodes.length).fill(-1);
    const keys = new Map<string, number>();
    const rep: number[] = [];
    for (let j = 0; j < nodes.length; j++) {
      if (!(nodes[j]!.attentionCapacity > 0)) continue;
      let key = '';
      for (let g = 0; g < times.length; g++) key += `${times[g]![j]},`;
      let c = keys.get(key);
      if (c === undefined) {
        c = rep.length;
        keys.set(key, c);
        rep.push(j);
      }
      classOf[j] = c;
    }
    this.#classOf = classOf;
    this.#rep = rep;
  }

  /** The price of a slot-second of node j (1 before the first update). */
  price(j: number): number {
    return j >= 0 && j < this.#price.length && this.#price[j]! > 0 ? this.#price[j]! : 1;
  }

  /** π_g / (d_gj · p_j): 1 where node j is among group g's best, below 1 elsewhere, 0 where g cannot refresh. */
  factor(g: number, j: number): number {
    const t = this.#times[g]?.[j];
    const p = this.#price[j] ?? 0;
    const b = this.#best[g];
    if (t === undefined || b === undefined || !(p > 0) || !Number.isFinite(t)) return 0;
    const f = b / (t * p);
    return Math.min(f, 1);
  }

  /**
   * The free refresh slots now, at most `want`, one entry per slot (node index), most valuable first (ties by
   * node index): an up node offers as many as its free attention and free compute hold refreshes of
   * `attention` and `compute` units. Returns the count; read them with `slot(k)`.
   */
  slots(nodes: readonly NodeView[], want: number, attention: number, compute: number): number {
    if (this.#orderFor !== nodes.length) this.#sortNodes(nodes.length);
    const order = this.#order;
    let count = 0;
    for (let q = 0; q < order.length && count < want; q++) {
      const j = order[q]!;
      const n = nodes[j]!;
      if (!n.up) continue;
      let k = attention > 0 ? Math.floor(n.freeAttention / attention + 1e-9) : 0;
      if (compute > 0) k = Math.min(k, Math.floor(n.freeCompute / compute + 1e-9));
      for (let x = 0; x < k && count < want; x++) {
        if (count === this.#slots.length) {
          const grown = new Int32Array(2 * count);
          grown.set(this.#slots);
          this.#slots = grown;
        }
        this.#slots[count++] = j;
      }
    }
    return count;
  }

  /** The nodes with attention, most valuable first, ties by index (after each price update). */
  #sortNodes(n: number): void {
    const price = this.#price;
    const order: number[] = [];
    for (let j = 0; j < n; j++) if ((price[j] ?? 0) > 0) order.push(j);
    order.sort((a, b) => price[b]! - price[a]! || a - b);
    this.#order = Int32Array.from(order);
    this.#orderFor = n;
  }

  slot(k: number): number {
    return this.#slots[k]!;
  }
}

/** ε of the lengths' growth: the prices come within about this fraction of the optimum's */
const EPSILON = 0.1;
/** the largest λ the phases are run for (see maxConcurrentFlowPrices) */
const MAX_LAMBDA = 256;

/**
 * The dual prices (one per class) of the maximum concurrent flow that routes demand[g] refreshes a second of
 * each group g over classes of capacity[c] slot-seconds a second, a refresh of g taking times[g][rep[c]]
 * there (Garg and Könemann, "Faster and simpler algorithms for multicommodity flow and other fractional
 * packing problems", 1998/2007, the concurrent-flow phases). Groups without demand are left out; with no
 * demand at all every group counts alike.
 */
export function maxConcurrentFlowPrices(
  times: readonly Float64Array[],
  rep: readonly number[],
  capacity: readonly number[],
  demand: Float64Array,
): Float64Array {
  const C = capacity.length;
  const G = times.length;
  let any = false;
  for (let g = 0; g < G; g++) if (demand[g]! > 0) any = true;
  // with no demand at all every group counts alike
  const base = (g: number) => (any ? demand[g]! : 1);
  // The phases grow with the optimum's λ (how many times over the demands fit). Served at its fastest, the
  // demand fills Σ capacity / λ₀ of the capacity, so λ is about λ₀ = Σ capacity / Σ_g demand_g · fastest_g; past
  // MAX_LAMBDA the demands are scaled up to it (the prices do not depend on the demands' scale), which bounds
  // the work on a fleet of thousands of slots.
  let served = 0;
  let total = 0;
  for (let c = 0; c < C; c++) total += Math.max(capacity[c]!, 0);
  for (let g = 0; g < G; g++) {
    let fastest = Number.POSITIVE_INFINITY;
    for (let c = 0; c < C; c++) if (capacity[c]! > 0) fastest = Math.min(fastest, times[g]![rep[c]!]!);
    if (Number.isFinite(fastest)) served += base(g) * fastest;
  }
  const lambda = served > 0 ? total / served : 1;
  const up = lambda > MAX_LAMBDA ? lambda / MAX_LAMBDA : 1;
  const d = (g: number) => base(g) * up;
  let live = 0;
  for (let c = 0; c < C; c++) if (capacity[c]! > 0) live++;
  const length = new Float64Array(C);
  if (live === 0) return length.fill(1);
  const delta = (1 + EPSILON) / ((1 + EPSILON) * live) ** (1 / EPSILON);
  let D = 0;
  for (let c = 0; c < C; c++) {
    if (!(capacity[c]! > 0)) continue;
    length[c] = delta / capacity[c]!;
    D += delta;
  }
  // each phase routes every group's whole demand once; the lengths grow until D = Σ capacity · length reaches 1
  for (let phase = 0; D < 1 && phase < 100_000; phase++) {
    for (let g = 0; g < G && D < 1; g++) {
      let rem = d(g);
      const t = times[g]!;
      while (rem > 1e-12 && D < 1) {
        let best = -1;
        let bestCost = Number.POSITIVE_INFINITY;
        for (let c = 0; c < C; c++) {
          if (!(capacity[c]! > 0)) continue;
          const tc = t[rep[c]!]!;
          if (!Number.isFinite(tc)) continue;
          const cost = tc * length[c]!;
          if (cost < bestCost) {
            bestCost = cost;
            best = c;
          }
        }
        if (best < 0) break;
        const tc = t[rep[best]!]!;
        const u = Math.min(rem, capacity[best]! / tc);
        rem -= u;
        const grow = length[best]! * EPSILON * ((u * tc) / capacity[best]!);
        length[best] = length[best]! + grow;
        D += capacity[best]! * grow;
      }
    }
  }
  for (let c = 0; c < C; c++) if (!(capacity[c]! > 0)) length[c] = 0;
  return length;
}
