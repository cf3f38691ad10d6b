/**
 * Task priorities of the list schedulers (Topcuoglu, Hariri & Wu, IEEE TPDS 13(3), 2002):
 * upward and downward ranks over mean execution and mean communication costs.
 */
import type { DagProblem } from './problem.js';

/** Mean execution cost of every task over all processors. */
export function meanCosts(problem: DagProblem): Float64Array {
  const { tasks: T, processors: P, cost } = problem;
  const out = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let p = 0; p < P; p++) s += cost[t * P + p] as number;
    out[t] = s / P;
  }
  return out;
}

/**
 * Mean transfer time of `comm` units over all ordered pairs of distinct processors (the paper's
 * c̄ = L̄ + data / B̄ for uniform links; with unit bandwidth and no latency it is `comm` itself).
 * Returns a function so the pair averages are computed once.
 */
export function meanTransfer(problem: DagProblem): (comm: number) => number {
  const P = problem.processors;
  if (P < 2) return () => 0;
  if (!problem.latency && !problem.inverseBandwidth) return (comm) => comm;
  let lat = 0;
  let inv = 0;
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < P; q++) {
      if (p === q) continue;
      lat += problem.latency ? (problem.latency[p * P + q] as number) : 0;
      inv += problem.inverseBandwidth ? (problem.inverseBandwidth[p * P + q] as number) : 1;
    }
  }
  const pairs = P * (P - 1);
  const meanLat = lat / pairs;
  const meanInv = inv / pairs;
  return (comm) => meanLat + comm * meanInv;
}

/** rank_u(t) = w̄(t) + max over successors s of (c̄(t,s) + rank_u(s)); exit tasks: w̄(t). */
export function upwardRanks(problem: DagProblem): Float64Array {
  const w = meanCosts(problem);
  const c = meanTransfer(problem);
  const rank = new Float64Array(problem.tasks);
  for (let i = problem.topoOrder.length - 1; i >= 0; i--) {
    const t = problem.topoOrder[i] as number;
    const succ = problem.succ[t] as readonly number[];
    const comm = problem.succComm[t] as readonly number[];
    let best = 0;
    for (let k = 0; k < succ.length; k++) {
      const v = c(comm[k] as number) + (rank[succ[k] as number] as number);
      if (v > best) best = v;
    }
    rank[t] = (w[t] as number) + best;
  }
  return rank;
}

/** rank_d(t) = max over predecessors u of (rank_d(u) + w̄(u) + c̄(u,t)); entry tasks: 0. */
export function downwardRanks(problem: DagProblem): Float64Array {
  const w = meanCosts(problem);
  const c = meanTransfer(problem);
  const rank = new Float64Array(problem.tasks);
  for (const t of problem.topoOrder) {
    const pred = problem.pred[t] as readonly number[];
    const comm = problem.predComm[t] as readonly number[];
    let best = 0;
    for (let k = 0; k < pred.length; k++) {
      const u = pred[k] as number;
      const v = (rank[u] as number) + (w[u] as number) + c(comm[k] as number);
      if (v > best) best = v;
    }
    rank[t] = best;
  }
  return rank;
}

/**
 * Max-priority queue of ready tasks: highest priority first, ties to the lowest task index so
 * every planner is deterministic.
 */
export class ReadyQueue {
  private readonly heap: number[] = [];
  constructor(private readonly priority: ArrayLike<number>) {}

  get size(): number {
    return this.heap.length;
  }

  private above(a: number, b: number): boolean {
    const pa = this.priority[a] as number;
    const pb = this.priority[b] as number;
    return pa > pb || (pa === pb && a < b);
  }

  push(t: number): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.above(h[i] as number, h[parent] as number)) break;
      [h[i], h[parent]] = [h[parent] as number, h[i] as number];
      i = parent;
    }
  }

  pop(): number {
    const h = this.heap;
    const top = h[0] as number;
    const last = h.pop() as number;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.above(h[l] as number, h[m] as number)) m = l;
        if (r < h.length && this.above(h[r] as number, h[m] as number)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m] as number, h[i] as number];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Runs a list scheduler: repeatedly takes the ready task of highest priority and lets `place`
 * put it. Tasks already placed (fixed by the processor state) count as done.
 */
export function forEachReady(
  problem: DagProblem,
  priority: ArrayLike<number>,
  isPlaced: (t: number) => boolean,
  place: (t: number) => void,
): void {
  const pending = new Int32Array(problem.tasks);
  const queue = new ReadyQueue(priority);
  for (let t = 0; t < problem.tasks; t++) pending[t] = (problem.pred[t] as readonly number[]).length;
  const release = (t: number) => {
    for (const s of problem.succ[t] as readonly number[]) {
      pending[s] = (pending[s] as number) - 1;
      if (pending[s] === 0 && !isPlaced(s)) queue.push(s);
    }
  };
  for (let t = 0; t < problem.tasks; t++) {
    if (!isPlaced(t)) continue;
    for (const s of problem.succ[t] as readonly number[]) pending[s] = (pending[s] as number) - 1;
  }
  for (let t = 0; t < problem.tasks; t++) if (pending[t] === 0 && !isPlaced(t)) queue.push(t);
  while (queue.size > 0) {
    const t = queue.pop();
    place(t);
    release(t);
  }
}
