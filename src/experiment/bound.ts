/**
 * What no policy can beat: a lower bound on a scenario's criticality-weighted age of information, alone or
 * for policies that also keep the anomaly-detection delay's quantile within a target.
 *
 * The fluid relaxation. Twin i is refreshed f_i times a second; a refresh on node n holds its attention and
 * compute for d_in (the sample's transfer from the asset plus its work at the node's refresh speed, the
 * world's `Execution.bind`), and its sample is taken when it is bound, so the twin's age is at least d_i =
 * min_n d_in on delivery. With inter-delivery gaps X the twin's mean age is E[X²]/(2E[X]) + d_i ≥ 1/(2f_i) +
 * d_i (E[X²] ≥ E[X]², equality for a periodic schedule). An anomaly that strikes at a uniform time waits for
 * the next sample, whose residual time R has P(R > x) = E[(X − x)⁺]/E[X] ≥ (1 − x f_i)⁺ (Jensen; equality
 * for a periodic schedule again), then for the refresh: P(delay > D) ≥ (1 − (D − d_i) f_i)⁺. Over a node's
 * time the refreshes it runs hold at most its capacity: Σ_i f_in d_in a_i ≤ A_n and Σ_i f_in d_in k_i ≤ C_n
 * (a_i, k_i the refresh's attention and compute), beside the request tasks it runs: task class j, λ_j a
 * second over the window (`meanArrivalRate`), holds a_j and k_j for at least e_jn (its work at the node's
 * speed), so Σ_i f_in d_in a_i + Σ_j z_jn e_jn a_j ≤ A_n with Σ_n z_jn = λ_j, and the same for compute.
 * Every schedule in the world that serves its requests satisfies these, so the least weighted age under them,
 * Σ c_i (1/(2f_i) + d_i) / Σ c, is a lower bound for every such policy. Where the tasks alone do not fit
 * (`tasksFit`), no policy serves them all and the requests are left out; the window bound always leaves them
 * out (a window may end with requests unserved). A node counts with its expected time up (`availability`; the
 * bound is convex in the capacities, so at the expected capacity it bounds the expected weighted age), or with
 * the up-seconds of one run. The requests' timing, tenant quotas, privacy rules, link queueing, a slot's
 * whole-refresh granularity and an elastic pool's nodes while off only add to the age (they are left out, so
 * the bound is loose where they bind). With a target D for the q-quantile of the detection delay
 * pooled over all anomalies (`anomalyQuantile`, 0.95 as in the metrics), the schedules that meet it also
 * satisfy Σ_i r_i (1 − (D − d_i) f_i)⁺ ≤ (1 − q) Σ_i r_i (r_i the twin's anomaly rate).
 *
 * Delivery age. A sample is as old as its refresh took when it is delivered, so a twin refreshed on nodes of
 * different refresh times d_n gets older samples from the slower ones. Over a window of length L with X_j the
 * gap after delivery j, the age integrates to Σ_j (d_j X_j + X_j²/2); for given refresh counts per node this is
 * least at X_j = μ − d_j (the constraint X_j ≥ 0 dropped, so still a lower bound), a mean age of at least
 * (1 + D)²/(2f) − Q/2 with D = Σ_n f_n d_n, Q = Σ_n f_n d_n², f = Σ_n f_n: 1/(2f) + d again for one refresh
 * time, more for several. So the long-run bound takes each twin's age as the larger of the two forms (`mixed`
 * classes; the window bound keeps the plain one). As max_t [t − Σ_n f_n (t − d_n)²/2] the delivery-age form
 * is convex, and for any θ ∈ [0, 1] and t, θ · plain + (1 − θ) · (t − Σ_n f_n (t − d_n)²/2) is a lower bound of
 * the age that is linear in the rates besides the plain 1/(2f): the dual uses it with θ and t searched per
 * class (`classDual`), so every (θ, t) it tries is valid.
 *
 * Whether any allocation meets the anomaly target is a linear program (the anomalies the capacities can catch
 * within D at most, every task placed), solved exactly (`simplexMax`).
 *
 * The bound is the Lagrangian dual of that convex program, maximised over the multipliers of the node
 * capacities and of the anomaly constraint: any multipliers give a valid bound (weak duality), so the
 * search can only make it less tight, never wrong. Twins alike (same criticality, refresh, zone and anomaly
 * rate) and nodes alike (same capacities and refresh times for every twin class) are pooled: the pooled
 * program has the same optimum, since splitting a rate evenly over alike twins or nodes is optimal for a
 * convex objective. A feasible allocation of the relaxation is built beside it (Frank–Wolfe, `primal`), so
 * the result says how close the bound is to the relaxation's optimum.
 *
 * The plain bound is the long-run one; `steady: false` allows for a run's window (a twin refreshed k times in
 * L seconds has a mean age of at least d + L/(2(k + 1))), which no run can beat. The anomaly side is
 * stationary: a run's p95 over a few dozen anomalies scatters around the population's.
 */
import { InputError } from '../errors.js';
import type { Scenario, WorkloadDef } from '../model/scenario.js';
import { Network } from '../world/network.js';
import { speedOf } from '../world/state.js';

export interface FreshnessBoundOptions {
  /** a target for the pooled anomaly-detection delay's quantile (s); the bound then covers only the policies that meet it */
  anomalyDelay?: number;
  /** the quantile the target is for (default 0.95, the metrics' p95) */
  anomalyQuantile?: number;
  /** dual ascent steps (default 4,000) */
  iterations?: number;
  /** false: the bound for any schedule over the run's measured window (see `FreshnessBound.steady`) */
  steady?: boolean;
  /**
   * seconds each node (by id) was up in the measured window of one run (`resources.byNode[id].upSeconds` of
   * its result): with `steady: false`, the bound for that run itself. Without: the nodes' expected availability.
   */
  upSeconds?: Readonly<Record<string, number>>;
  /** simulated time (default: the scenario's), as `ars run --horizon`: the measured window is warm-up to it */
  horizon?: number;
  /**
   * whether the requests' tasks take their share of the nodes (default: with the long-run bound, not with the
   * window's). The long-run bound is then for the policies that serve every request: a run's window may end
   * with requests unserved, so the window bound leaves them out.
   */
  requests?: boolean;
}

export interface BoundGroup {
  /** the asset group the twins belong to */
  readonly group: string;
  readonly twins: number;
  readonly criticality: number;
  /** anomalies per second per twin */
  readonly anomalyRate: number;
  /** the shortest refresh on any node, s (the least age a sample can have on delivery) */
  readonly refreshTime: number;
  /** the refresh period of each twin at the bound's allocation, s */
  readonly period: number;
}

export interface FreshnessBound {
  /** no policy's weighted age of information is below this (s) */
  readonly weightedAoI: number;
  /**
   * the weighted age of a feasible allocation of the relaxation (s): the relaxation's optimum lies between
   * the two, so `(feasible − weightedAoI) / weightedAoI` is how much tighter the bound could still be.
   * Absent with an anomaly target (the scaled allocation need not meet it).
   */
  readonly feasible: number | undefined;
  /**
   * true: the long-run bound, what a schedule that keeps running the same way cannot beat on average (the
   * AoI literature's bound). false: the bound for any schedule over the run's measured window (warm-up to
   * horizon): a twin refreshed k times there has a mean age of at least d + L/(2(k + 1)), so the run's edges
   * are allowed for. A run can sit a little below the steady bound, never below the window's.
   */
  readonly steady: boolean;
  /** the anomaly target the bound was computed for, if any */
  readonly anomalyDelay: number | undefined;
  readonly anomalyQuantile: number;
  /**
   * false when no allocation within the capacities meets the anomaly target: `weightedAoI` is then +∞ where
   * the target is below the refresh times, else only what the dual reached (valid, but of no use)
   */
  readonly reachable: boolean;
  /**
   * the request tasks' share of the nodes: `counted` (the bound is for the policies that serve every request),
   * `left out` (the window bound, `requests: false`, or no request holds a node), `overload` (the requests
   * alone need more than the nodes hold: no policy serves them all, and the bound leaves them out)
   */
  readonly requests: 'counted' | 'left out' | 'overload';
  readonly groups: readonly BoundGroup[];
  /** attention and compute units of the nodes that can run a refresh */
  readonly capacity: { readonly attention: number; readonly compute: number };
}

interface TwinClass {
  group: string;
  n: number;
  c: number;
  anomaly: number;
  att: number;
  comp: number;
  /** refresh time on each node class (∞ where it does not fit) */
  d: number[];
  dmin: number;
}

interface NodeClass {
  attention: number;
  compute: number;
  /** whether the class runs some twin's refresh */
  refreshes: boolean;
}

/** Request tasks alike (same kind, work, demands and tier), pooled. */
interface TaskClass {
  /** tasks a second */
  rate: number;
  att: number;
  comp: number;
  /** the task's time on each node class (∞ where it may not run) */
  e: number[];
}

/**
 * The expected share of [from, to] a node that starts up spends up, with exponential times to failure (mean
 * `mtbf`) and to repair (`mttr`): P(up at t) = π + (1 − π) e^{−(λ+μ)t}, π = μ/(λ+μ), averaged over the window.
 * The bound is convex in the capacities, so at the expected capacity it bounds the expected weighted age.
 */
export function availability(
  failure: { mtbf: number; mttr: number } | undefined,
  from: number,
  to: number,
): number {
  if (!failure) return 1;
  const l = 1 / failure.mtbf;
  const m = 1 / failure.mttr;
  const pi = m / (l + m);
  const s = l + m;
  if (!(to > from)) return pi + (1 - pi) * Math.exp(-s * from);
  return pi + ((1 - pi) * (Math.exp(-s * from) - Math.exp(-s * to))) / (s * (to - from));
}

/**
 * A workload's expected arrivals a second over [from, to], from its arrival process's definition: the
 * periodic streams count only the arrivals that land in the window whatever their jitter, so the load is
 * never overstated; a bursty stream starts in a burst, as the world's does.
 */
export function meanArrivalRate(w: WorkloadDef, from: number, to: number): number {
  const a = w.arrival;
  const span = to - from;
  if (!(span > 0)) return 0;
  switch (a.kind) {
    case 'poisson':
      return a.rate;
    case 'periodic': {
      // bases offset + k·period with k ≥ 0 in [from, to − jitter]
      const first = Math.max(0, Math.ceil((from - a.offset) / a.period));
      const last = Math.floor((to - a.jitter - a.offset) / a.period);
      return Math.max(0, last - first + 1) / span;
    }
    case 'bursty': {
      const on = availability({ mtbf: a.onMean, mttr: a.offMean }, from, to);
      return a.offRate + (a.onRate - a.offRate) * on;
    }
    case 'diurnal': {
      const k = (2 * Math.PI) / a.period;
      const swing = (Math.sin(k * (to - a.peak)) - Math.sin(k * (from - a.peak))) / (k * span);
      return a.meanRate * (1 + a.amplitude * swing);
    }
    case 'trace': {
      let n = 0;
      for (const t of w.traceTimes ?? []) if (t >= from && t <= to) n++;
      return n / span;
    }
  }
}

/**
 * Pools the scenario's twins, request tasks and nodes into classes and reads every refresh and task time
 * (`Network.estimate`, the node's speed). With `requests` false the request tasks are left out.
 */
function classesOf(
  scenario: Scenario,
  from: number,
  to: number,
  upSeconds: Readonly<Record<string, number>> | undefined,
  requests: boolean,
): { twins: TwinClass[]; nodes: NodeClass[]; tasks: TaskClass[] } {
  const network = new Network(scenario.network, scenario.nodes);
  const twinKey = new Map<string, number>();
  const twins: TwinClass[] = [];
  const specs: { zone: string | undefined; bytes: number; kind: string; work: number }[] = [];
  for (const t of scenario.twins) {
    const r = t.refresh;
    const kind = r.kind ?? 'refresh';
    const anomaly = t.anomaly?.rate ?? 0;
    const key = [
      t.group,
      t.zone ?? '',
      t.criticality,
      t.sampleBytes,
      kind,
      r.work,
      r.compute,
      r.attention,
      anomaly,
    ].join('\u0000');
    const k = twinKey.get(key);
    if (k !== undefined) {
      twins[k]!.n++;
      continue;
    }
    twinKey.set(key, twins.length);
    twins.push({
      group: t.group,
      n: 1,
      c: t.criticality,
      anomaly,
      att: r.attention,
      comp: r.compute,
      d: [],
      dmin: Infinity,
    });
    specs.push({ zone: t.zone, bytes: t.sampleBytes, kind, work: r.work });
  }
  // the request tasks: every task of every request arriving in the window runs once, holding its compute and
  // attention at least its work at the node's speed (its inputs' transfers only add to that)
  const taskKey = new Map<string, number>();
  const tasks: TaskClass[] = [];
  const taskSpecs: { kind: string; work: number; tier: string | undefined }[] = [];
  if (requests)
    for (const w of scenario.workloads) {
      const rate = meanArrivalRate(w, from, to);
      if (!(rate > 0)) continue;
      for (const t of w.tasks) {
        if (!(t.work > 0) || (t.compute <= 0 && t.attention <= 0)) continue;
        const key = [t.kind, t.work, t.compute, t.attention, t.tier ?? ''].join('\u0000');
        const k = taskKey.get(key);
        if (k !== undefined) {
          tasks[k]!.rate += rate;
          continue;
        }
        taskKey.set(key, tasks.length);
        tasks.push({ rate, att: t.attention, comp: t.compute, e: [] });
        taskSpecs.push({ kind: t.kind, work: t.work, tier: t.tier });
      }
    }
  const nodeKey = new Map<string, number>();
  const nodes: NodeClass[] = [];
  for (const n of scenario.nodes) {
    const d = twins.map((tc, g) => {
      if (tc.att > n.attention + 1e-9 || tc.comp > n.compute + 1e-9) return Infinity;
      const s = specs[g]!;
      return network.estimate(-1, s.zone, n.index, s.bytes) + s.work / speedOf(n, s.kind);
    });
    const e = tasks.map((tc, j) => {
      const s = taskSpecs[j]!;
      if (tc.att > n.attention + 1e-9 || tc.comp > n.compute + 1e-9) return Infinity;
      if (s.tier !== undefined && s.tier !== n.tier) return Infinity;
      return s.work / speedOf(n, s.kind);
    });
    if (d.every((x) => x === Infinity) && e.every((x) => x === Infinity)) continue;
    const measured = upSeconds?.[n.id];
    const up =
      measured !== undefined
        ? Math.min(1, Math.max(0, measured / (to - from)))
        : availability(n.failure, from, to);
    const key = [n.attention, n.compute, up, ...d, '', ...e].join('\u0000');
    const k = nodeKey.get(key);
    if (k !== undefined) {
      nodes[k]!.attention += n.attention * up;
      nodes[k]!.compute += n.compute * up;
      continue;
    }
    nodeKey.set(key, nodes.length);
    nodes.push({
      attention: n.attention * up,
      compute: n.compute * up,
      refreshes: d.some((x) => x < Infinity),
    });
    d.forEach((x, g) => {
      twins[g]!.d.push(x);
    });
    e.forEach((x, j) => {
      tasks[j]!.e.push(x);
    });
  }
  for (const tc of twins) tc.dmin = Math.min(...tc.d);
  return { twins, nodes, tasks };
}

/**
 * The least of α/(F + s) + πF + w (1 − F/F̄)⁺ over F ≥ 0 (s ≥ 0 the window's shift, w ≥ 0, F̄ > 0 the rate
 * past which the tail term is 0), and the F that gives it. π = 0 without a tail term has no minimiser: F = ∞,
 * value 0.
 */
function inner(alpha: number, shift: number, pi: number, w: number, fbar: number): [number, number] {
  const tail = w > 0 && fbar < Infinity;
  if (!tail && pi <= 0) return [Infinity, 0];
  const h = (F: number) => alpha / (F + shift) + pi * F + (tail && F < fbar ? w * (1 - F / fbar) : 0);
  // the stationary point of α/(F + s) + p F, clamped to [lo, hi]
  const at = (p: number, lo: number, hi: number) =>
    Math.min(hi, Math.max(lo, p > 0 ? Math.sqrt(alpha / p) - shift : Number.POSITIVE_INFINITY));
  if (!tail) {
    const F = at(pi, 0, Infinity);
    return [F, h(F)];
  }
  let best = fbar;
  let value = h(fbar);
  for (const F of [at(pi, fbar, Infinity), at(pi - w / fbar, 0, fbar)]) {
    if (F < Infinity && h(F) < value) [best, value] = [F, h(F)];
  }
  return [best, value];
}

/**
 * The search of the dual over the mix θ of the plain and the delivery-age lower bounds per twin class (θ = 1 is
 * the plain one), and over the delivery age t: golden-section steps for each, θ from THETA_MIN.
 */
const THETA_MIN = 0.01;
const THETA_STEPS = 24;
const T_STEPS = 30;
/** dual steps per full search over (θ, t); the steps between search near each class's last (θ, t) */
const SEARCH_EVERY = 50;
const NEAR_STEPS = 8;

/** The x in [a, b] where the unimodal f is largest, by `steps` golden-section steps (f(NaN) never asked). */
function goldenMax(f: (x: number) => number, a: number, b: number, steps: number): number {
  const r = (Math.sqrt(5) - 1) / 2;
  let x1 = b - r * (b - a);
  let x2 = a + r * (b - a);
  let f1 = f(x1);
  let f2 = f(x2);
  for (let k = 0; k < steps; k++) {
    if (f1 < f2) {
      a = x1;
      x1 = x2;
      f1 = f2;
      x2 = a + r * (b - a);
      f2 = f(x2);
    } else {
      b = x2;
      x2 = x1;
      f2 = f1;
      x1 = b - r * (b - a);
      f1 = f(x1);
    }
  }
  return f1 < f2 ? x2 : x1;
}

/** the most twin class g can be refreshed on node class k alone (refreshes a second; 0 where it does not fit) */
function mostRate(twins: readonly TwinClass[], nodes: readonly NodeClass[], g: number, k: number): number {
  const t = twins[g]!;
  const d = t.d[k]!;
  if (d === Infinity) return 0;
  const a = t.att > 0 ? nodes[k]!.attention / (d * t.att) : Infinity;
  const c = t.comp > 0 ? nodes[k]!.compute / (d * t.comp) : Infinity;
  return Math.min(a, c);
}

/**
 * max c·x subject to A x ≤ b, x ≥ 0, with b ≥ 0 (so the origin is a vertex): the simplex method on a dense
 * tableau, Bland's rule (no cycling). Small programs only: the reachability check below has a few dozen rows.
 */
export function simplexMax(
  c: readonly number[],
  A: readonly (readonly number[])[],
  b: readonly number[],
  /** filled with an optimal x when given (length c.length) */
  solution?: number[],
): number {
  const m = A.length;
  const n = c.length;
  const width = n + m + 1;
  // rows 0..m-1: constraints with slacks; row m: −c (reduced costs); last column: right-hand side
  const T = Array.from({ length: m + 1 }, () => new Float64Array(width));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) T[i]![j] = A[i]![j]!;
    T[i]![n + i] = 1;
    T[i]![width - 1] = b[i]!;
  }
  for (let j = 0; j < n; j++) T[m]![j] = -c[j]!;
  const basis = Array.from({ length: m }, (_, i) => n + i);
  const eps = 1e-12;
  for (let step = 0; step < 50 * (n + m); step++) {
    let enter = -1;
    for (let j = 0; j < n + m; j++)
      if (T[m]![j]! < -eps) {
        enter = j;
        break;
      }
    if (enter < 0) break;
    let leave = -1;
    let ratio = Infinity;
    for (let i = 0; i < m; i++) {
      const a = T[i]![enter]!;
      if (a <= eps) continue;
      const r = T[i]![width - 1]! / a;
      if (r < ratio - eps || (Math.abs(r - ratio) <= eps && basis[i]! < basis[leave]!))
        [ratio, leave] = [r, i];
    }
    if (leave < 0) return Infinity; // unbounded
    const pivot = T[leave]![enter]!;
    for (let j = 0; j < width; j++) T[leave]![j]! /= pivot;
    for (let i = 0; i <= m; i++) {
      if (i === leave) continue;
      const f = T[i]![enter]!;
      if (f === 0) continue;
      for (let j = 0; j < width; j++) T[i]![j]! -= f * T[leave]![j]!;
    }
    basis[leave] = enter;
  }
  if (solution) {
    solution.fill(0);
    for (let i = 0; i < m; i++) if (basis[i]! < n) solution[basis[i]!] = T[i]![width - 1]!;
  }
  return T[m]![width - 1]!;
}

/**
 * Whether some allocation within the capacities keeps the anomaly tail Σ_g N_g r_g (1 − F_g / F̄_g)⁺ within
 * `budget`: the anomalies a second that can be caught at most, max Σ_g N_g r_g y_g / F̄_g with y_g ≤ F̄_g,
 * y_g ≤ Σ_k x_gk and each node class's attention and compute, is a linear program, solved exactly.
 */
function meetsTarget(
  twins: readonly TwinClass[],
  tasks: readonly TaskClass[],
  nodes: readonly NodeClass[],
  fbar: readonly number[],
  budget: number,
): boolean {
  const groups = twins.map((_, g) => g).filter((g) => fbar[g]! < Infinity && twins[g]!.anomaly > 0);
  let total = 0;
  for (const t of twins) total += t.n * t.anomaly;
  const K = nodes.length;
  const P = groups.length;
  // variables: x_gk of the groups that can catch anomalies (P·K), the tasks' z_jk (J·K), then y_g (P); where a
  // node class cannot run a refresh its rate is in no row and catches nothing (the link below)
  const { A, b, n, Z, runs } = taskProgram(
    groups.map((g) => twins[g]!),
    tasks,
    nodes,
    P,
  );
  const Y = n - P;
  const c = new Array<number>(n).fill(0);
  groups.forEach((g, p) => {
    c[Y + p] = (twins[g]!.n * twins[g]!.anomaly) / fbar[g]!;
    const link = new Array<number>(n).fill(0);
    link[Y + p] = 1;
    for (let k = 0; k < K; k++) if (twins[g]!.d[k]! < Infinity) link[p * K + k] = -1;
    A.push(link);
    b.push(0);
    const cap = new Array<number>(n).fill(0);
    cap[Y + p] = 1;
    A.push(cap);
    b.push(fbar[g]!);
  });
  const meets = (caught: number) => total - caught <= budget * (1 + 1e-9) + 1e-15;
  if (tasks.length === 0) return meets(simplexMax(c, A, b));
  // every task placed as well, the anomalies caught then read off the solution
  const x = new Array<number>(n).fill(0);
  const M0 = (10 * total) / Math.min(...tasks.map((t) => t.rate));
  if (solvePlacingTasks(c, A, b, x, Z, runs, tasks, K, M0)) {
    let caught = 0;
    for (let p = 0; p < P; p++) caught += c[Y + p]! * x[Y + p]!;
    return meets(caught);
  }
  // no placement found (rounding): the target judged without the requests, which can only call it reachable
  for (let v = Z; v < Y; v++) c[v] = 0;
  return meets(simplexMax(c, A, b));
}

/**
 * max c·x over A x ≤ b with every request task placed: a gain M on each task's column (z_jk at `from` + j·K + k,
 * where the task may run), M from `M0` up (×1000 a time) until the optimum places all of them. The solution
 * goes into x (the task columns' gains into c); false if no M did (rounding).
 */
function solvePlacingTasks(
  c: number[],
  A: readonly (readonly number[])[],
  b: readonly number[],
  x: number[],
  from: number,
  runs: (j: number, k: number) => boolean,
  tasks: readonly TaskClass[],
  K: number,
  M0: number,
): boolean {
  const J = tasks.length;
  const total = tasks.reduce((sum, t) => sum + t.rate, 0);
  for (let attempt = 0, M = M0; attempt < 4; attempt++, M *= 1000) {
    for (let j = 0; j < J; j++) for (let k = 0; k < K; k++) c[from + j * K + k] = runs(j, k) ? M : 0;
    simplexMax(c, A, b, x);
    let placed = 0;
    for (let v = from; v < from + J * K; v++) placed += x[v]!;
    if (placed >= total * (1 - 1e-9)) return true;
  }
  return false;
}

/**
 * The capacity rows of the node classes and the task rows Σ_k z_jk ≤ λ_j, over x_gk (first), z_jk (from Z)
 * and `extra` columns after them that these rows leave at 0 (n columns in all).
 */
function taskProgram(
  twins: readonly TwinClass[],
  tasks: readonly TaskClass[],
  nodes: readonly NodeClass[],
  extra = 0,
): { A: number[][]; b: number[]; n: number; Z: number; runs: (j: number, k: number) => boolean } {
  const G = twins.length;
  const J = tasks.length;
  const K = nodes.length;
  const X = G * K;
  const n = X + J * K + extra;
  const runs = (j: number, k: number) => tasks[j]!.e[k]! < Infinity;
  const A: number[][] = [];
  const b: number[] = [];
  for (let k = 0; k < K; k++) {
    const att = new Array<number>(n).fill(0);
    const comp = new Array<number>(n).fill(0);
    for (let g = 0; g < G; g++) {
      const t = twins[g]!;
      const d = t.d[k]!;
      if (d === Infinity) continue;
      att[g * K + k] = d * t.att;
      comp[g * K + k] = d * t.comp;
    }
    for (let j = 0; j < J; j++) {
      // where the class may not run its variable is in no row and gains nothing: it stays 0
      if (!runs(j, k)) continue;
      const t = tasks[j]!;
      att[X + j * K + k] = t.e[k]! * t.att;
      comp[X + j * K + k] = t.e[k]! * t.comp;
    }
    A.push(att, comp);
    b.push(nodes[k]!.attention, nodes[k]!.compute);
  }
  for (let j = 0; j < J; j++) {
    const row = new Array<number>(n).fill(0);
    for (let k = 0; k < K; k++) if (runs(j, k)) row[X + j * K + k] = 1;
    A.push(row);
    b.push(tasks[j]!.rate);
  }
  return { A, b, n, Z: X, runs };
}

/**
 * Whether the request tasks alone fit the node classes' capacities: the most tasks a second that can be
 * placed, max Σ z subject to Σ_k z_jk ≤ λ_j and each node class's attention and compute, is a linear program.
 */
function tasksFit(tasks: readonly TaskClass[], nodes: readonly NodeClass[]): boolean {
  const { A, b, runs } = taskProgram([], tasks, nodes);
  const K = nodes.length;
  const c = Array.from({ length: tasks.length * K }, (_, v) => (runs(Math.floor(v / K), v % K) ? 1 : 0));
  const total = tasks.reduce((s, t) => s + t.rate, 0);
  return simplexMax(c, A, b) >= total * (1 - 1e-9);
}

/**
 * The vertex oracle with request tasks: max Σ_gk gain_gk x_gk + M Σ z over refresh rates x and task rates z
 * within the capacities, Σ_k z_jk ≤ λ_j, M large enough that every task is placed (checked: M grows until it
 * is). Writes the refresh rates x_gk into `out` (at g·K + k); false if no vertex placing every task was found.
 */
function taskVertex(
  twins: readonly TwinClass[],
  tasks: readonly TaskClass[],
  nodes: readonly NodeClass[],
): (gain: Float64Array, out: Float64Array) => boolean {
  const { A, b, n, Z: X, runs } = taskProgram(twins, tasks, nodes);
  const G = twins.length;
  const K = nodes.length;
  const most = twins.map((_, g) => nodes.map((_n, k) => mostRate(twins, nodes, g, k)));
  // the most one task a second can displace: its time's share of a node class, in refreshes a second
  let displace = 0;
  for (const t of tasks)
    for (let k = 0; k < K; k++) {
      if (t.e[k]! === Infinity) continue;
      for (let g = 0; g < G; g++) {
        const m = most[g]![k]!;
        if (!(m > 0 && m < Infinity)) continue;
        const share = Math.max(
          t.att > 0 ? (t.e[k]! * t.att) / nodes[k]!.attention : 0,
          t.comp > 0 ? (t.e[k]! * t.comp) / nodes[k]!.compute : 0,
        );
        // (a node class with no capacity up holds no task: the program keeps its z at 0)
        if (share < Infinity) displace = Math.max(displace, share * m);
      }
    }
  const x = new Array<number>(n).fill(0);
  const c = new Array<number>(n).fill(0);
  return (gain, out) => {
    let top = 0;
    for (let v = 0; v < X; v++) top = Math.max(top, gain[v]!);
    for (let g = 0; g < G; g++)
      for (let k = 0; k < K; k++) c[g * K + k] = most[g]![k]! > 0 ? gain[g * K + k]! : 0;
    if (!solvePlacingTasks(c, A, b, x, X, runs, tasks, K, 10 * (top * displace + 1))) return false;
    for (let v = 0; v < X; v++) out[v] = x[v]!;
    return true;
  };
}

/** The relaxation as the feasible allocation reads it (see `freshnessBound`). */
interface Relaxation {
  readonly twins: readonly TwinClass[];
  readonly tasks: readonly TaskClass[];
  readonly nodes: readonly NodeClass[];
  /** per twin class, the 1/F term's coefficient n² c / (2 Σc) */
  readonly alpha: readonly number[];
  /** per twin class, the window's shift of the rate (0 for the long-run bound) */
  readonly shift: readonly number[];
  /** per twin class, whether its delivery-age form counts (refresh times differ between node classes) */
  readonly mixed: readonly boolean[];
  readonly critSum: number;
  /** Σ c d_min / Σc: the part of the objective no rate changes */
  readonly fixed: number;
}

/**
 * The objective of the relaxation at refresh rates x (x_gk at g·K + k, class totals), less `fixed`: per twin
 * class, α/(F + s) (the 1/(2f) term) and, where `mixed`, the larger of that and the delivery-age form
 * c((n + D)²/(2F) − Q/2)/Σc − n c d_min/Σc with D = Σ_k x_k d_k and Q = Σ_k x_k d_k² (see `freshnessBound`).
 * With `grad`, its partial derivatives into it.
 */
function relaxedObjective(
  r: Relaxation,
  x: Float64Array,
  grad?: Float64Array,
  /** > 0: a smooth upper envelope of the larger of the two forms, this close (relative; for the search) */
  smooth = 0,
): number {
  const { twins, alpha, shift, mixed, critSum } = r;
  const K = r.nodes.length;
  let v = 0;
  for (let g = 0; g < twins.length; g++) {
    const t = twins[g]!;
    let F = 0;
    let D = 0;
    let Q = 0;
    for (let k = 0; k < K; k++) {
      const rate = x[g * K + k]!;
      if (rate === 0) continue;
      const d = t.d[k]!;
      F += rate;
      D += rate * d;
      Q += rate * d * d;
    }
    const old = alpha[g]! / (F + shift[g]!);
    const refined = mixed[g]
      ? (t.c * ((t.n + D) ** 2 / (2 * F) - Q / 2 - t.n * t.dmin)) / critSum
      : Number.NEGATIVE_INFINITY;
    if (!(F > 0 && mixed[g])) {
      v += old;
      if (grad)
        for (let k = 0; k < K; k++)
          grad[g * K + k] = t.d[k]! === Infinity ? 0 : -alpha[g]! / (F + shift[g]!) ** 2;
      continue;
    }
    // smooth: (a + b + √((a − b)² + ε²)) / 2, a smooth upper envelope of max(a, b)
    const eps = smooth * (Math.abs(old) + Math.abs(refined));
    const root = Math.sqrt((refined - old) ** 2 + eps * eps);
    v += smooth ? (old + refined + root) / 2 : Math.max(old, refined);
    if (grad) {
      const wR = root > 0 ? (1 + (refined - old) / root) / 2 : 0.5;
      const gOld = -alpha[g]! / (F + shift[g]!) ** 2;
      for (let k = 0; k < K; k++) {
        const d = t.d[k]!;
        if (d === Infinity) {
          grad[g * K + k] = 0;
          continue;
        }
        const gNew = (-t.c / (2 * critSum)) * ((t.n + D) / F - d) ** 2;
        grad[g * K + k] = wR * gNew + (1 - wR) * gOld;
      }
    }
  }
  return v;
}

/**
 * The weighted age of a feasible allocation of the relaxation, by Frank–Wolfe with a line search. Without
 * request tasks the polytope is the node classes' capacity polytopes (each vertex: one twin class at the most
 * its refreshes can take of the node class, a subset of the vertices, so every point stays feasible); with
 * them, each step's vertex places every task as well (`taskVertex`).
 */
function primal(r: Relaxation, iterations: number): number {
  const { twins, tasks, nodes, shift, mixed, fixed } = r;
  const G = twins.length;
  const K = nodes.length;
  const most = twins.map((_, g) => nodes.map((_n, k) => mostRate(twins, nodes, g, k)));
  // the search follows a smooth envelope of the objective (Frank–Wolfe needs a gradient that does not jump),
  // once loose and once close; the value reported is the relaxation's, the larger of the two forms, at the
  // better point found
  if (!mixed.some(Boolean)) return search(0);
  return Math.min(search(1e-2), search(1e-3));

  function search(smooth: number): number {
    const objective = (x: Float64Array, grad?: Float64Array) => relaxedObjective(r, x, grad, smooth);
    // the rates x_gk at g·K + k. Start without tasks: every node class split evenly between the twin classes
    // it can refresh
    const x = new Float64Array(G * K);
    const vertex = tasks.length > 0 ? taskVertex(twins, tasks, nodes) : undefined;
    if (vertex) {
      // start: the mean of the vertices that refresh one twin class each as much as the tasks leave room for
      const one = new Float64Array(G * K);
      const at = new Float64Array(G * K);
      for (let g = 0; g < G; g++) {
        one.fill(0);
        for (let k = 0; k < K; k++) one[g * K + k] = 1;
        if (!vertex(one, at)) return Infinity;
        for (let v = 0; v < G * K; v++) x[v]! += at[v]! / G;
      }
    } else
      for (let k = 0; k < K; k++) {
        let fits = 0;
        for (let g = 0; g < G; g++) if (most[g]![k]! > 0) fits++;
        if (fits > 0) for (let g = 0; g < G; g++) x[g * K + k] = most[g]![k]! / fits;
      }
    const total = (g: number, y: Float64Array) => {
      let F = 0;
      for (let k = 0; k < K; k++) F += y[g * K + k]!;
      return F;
    };
    for (let g = 0; g < G; g++) {
      const F = total(g, x);
      if (!(F + shift[g]! > 0 && F < Infinity)) return Infinity;
    }
    const S = new Float64Array(G * K);
    const grad = new Float64Array(G * K);
    const y = new Float64Array(G * K);
    const at = (gamma: number): number => {
      for (let v = 0; v < G * K; v++) y[v] = (1 - gamma) * x[v]! + gamma * S[v]!;
      for (let g = 0; g < G; g++) if (!(total(g, y) + shift[g]! > 0)) return Infinity;
      return objective(y);
    };
    let value = objective(x, grad);
    for (let it = 0; it < iterations; it++) {
      // the vertex of steepest descent
      S.fill(0);
      if (vertex) {
        for (let v = 0; v < G * K; v++) grad[v] = -grad[v]!;
        if (!vertex(grad, S)) break;
      } else
        for (let k = 0; k < K; k++) {
          let bestG = -1;
          let gain = 0;
          for (let g = 0; g < G; g++) {
            const m = most[g]![k]!;
            const v = -grad[g * K + k]! * m;
            if (m > 0 && v > gain) [gain, bestG] = [v, g];
          }
          if (bestG >= 0) S[bestG * K + k] = most[bestG]![k]!;
        }
      // golden-section search on γ (the objective is convex along the segment)
      const gamma = goldenMax((g) => -at(g), 0, 1, 60);
      const next = at(gamma);
      if (!(next < value)) break; // no descent left
      x.set(y);
      value = objective(x, grad);
    }
    return fixed + relaxedObjective(r, x);
  }
}

/** The lower bound of the weighted age of information of every policy on the scenario (see the file's comment). */
export function freshnessBound(scenario: Scenario, options: FreshnessBoundOptions = {}): FreshnessBound {
  const q = options.anomalyQuantile ?? 0.95;
  const D = options.anomalyDelay;
  if (!(q > 0 && q < 1))
    throw new InputError('ARS_E_INPUT_ARGUMENT', [
      {
        path: 'anomalyQuantile',
        message: 'not a quantile',
        expected: 'a number between 0 and 1',
        found: String(q),
      },
    ]);
  if (D !== undefined && !(D > 0 && Number.isFinite(D)))
    throw new InputError('ARS_E_INPUT_ARGUMENT', [
      {
        path: 'anomalyDelay',
        message: 'not a delay',
        expected: 'a positive number of seconds',
        found: String(D),
      },
    ]);
  const iterations = options.iterations ?? 4000;
  const horizon = options.horizon ?? scenario.horizon;
  const warmup = Math.min(scenario.warmup, horizon);
  const window = horizon - warmup;
  if (!(window > 0))
    throw new InputError('ARS_E_INPUT_ARGUMENT', [
      {
        path: 'horizon',
        message: `ends before the warm-up (${scenario.warmup} s) does: nothing is measured`,
        expected: 'a horizon past the warm-up',
        found: String(horizon),
      },
    ]);
  const steady = options.steady !== false;
  const classes = classesOf(scenario, warmup, horizon, options.upSeconds, options.requests ?? steady);
  const { twins, nodes } = classes;
  // where the requests alone overload the nodes no policy serves them all: the bound then leaves them out
  const overload = classes.tasks.length > 0 && !tasksFit(classes.tasks, nodes);
  const tasks = overload ? [] : classes.tasks;
  const requests: FreshnessBound['requests'] = overload
    ? 'overload'
    : classes.tasks.length > 0
      ? 'counted'
      : 'left out';
  if (!steady) {
    // a refresh delivered in the window may have been bound up to a refresh time before it
    let longest = 0;
    for (const t of twins) for (const d of t.d) if (d < Infinity) longest = Math.max(longest, d);
    for (const n of nodes) {
      n.attention *= 1 + longest / window;
      n.compute *= 1 + longest / window;
    }
  }
  const G = twins.length;
  const K = nodes.length;
  let critSum = 0;
  let fixed = 0; // Σ c_i d_i / Σ c
  let anomalySum = 0;
  for (const t of twins) {
    critSum += t.n * t.c;
    anomalySum += t.n * t.anomaly;
  }
  const refreshing = nodes.filter((n) => n.refreshes);
  const capacity = {
    attention: refreshing.reduce((s, n) => s + n.attention, 0),
    compute: refreshing.reduce((s, n) => s + n.compute, 0),
  };
  const groupsAt = (rates: Float64Array): BoundGroup[] =>
    twins.map((t, g) => ({
      group: t.group,
      twins: t.n,
      criticality: t.c,
      anomalyRate: t.anomaly,
      refreshTime: t.dmin,
      period: rates[g]! > 0 ? t.n / rates[g]! : Infinity,
    }));
  const unreachable = (): FreshnessBound => ({
    weightedAoI: Infinity,
    feasible: undefined,
    steady,
    anomalyDelay: D,
    anomalyQuantile: q,
    reachable: false,
    requests,
    groups: groupsAt(new Float64Array(G)),
    capacity,
  });
  // a twin no node can refresh ages without end
  if (twins.some((t) => t.dmin === Infinity)) return unreachable();
  // every sample is at least d old on delivery; the scenario's first samples, at time 0, are free, so over a
  // window that starts before d a twin may still hold one younger
  for (const t of twins) fixed += (t.n * t.c * (steady ? t.dmin : Math.min(t.dmin, warmup))) / critSum;
  const alpha = twins.map((t) => (t.n * t.n * t.c) / (2 * critSum));
  // classes whose refresh times differ between node classes: the long-run bound also counts what a refresh on
  // a slower node costs in delivery age
  const mixed = twins.map((t) => {
    const finite = t.d.filter((x) => x < Infinity);
    return steady && Math.max(...finite) > t.dmin * (1 + 1e-9);
  });
  // k deliveries in a window of L seconds leave a mean age of at least L / (2(k + 1)) + d: the rate's shift
  const shift = twins.map((t) => (steady ? 0 : t.n / window));
  // the tail term: weight w_g = ν N_g r_g and F̄_g = N_g / (D − d_g) (∞ where D ≤ d_g: the term is then constant)
  const withTail = D !== undefined && anomalySum > 0;
  const tailBudget = (1 - q) * anomalySum;
  let constantTail = 0; // anomaly mass no rate can catch within D
  const fbar = twins.map((t) => (D !== undefined && D > t.dmin ? t.n / (D - t.dmin) : Infinity));
  if (withTail) {
    for (let g = 0; g < G; g++) if (fbar[g] === Infinity) constantTail += twins[g]!.n * twins[g]!.anomaly;
    if (constantTail > tailBudget * (1 + 1e-12)) return unreachable();
  }

  // the dual function at multipliers (λ_K attention, μ_K compute, ν anomaly); it leaves the inner minimisers'
  // rates, node classes, capacity use and anomaly tail beside it (the subgradients)
  const lam = new Float64Array(K);
  const mu = new Float64Array(K);
  const rate = new Float64Array(G);
  const useA = new Float64Array(K);
  const useC = new Float64Array(K);
  let tail = 0;
  /** the node class where task class t costs least at the current prices (ties: the shortest time), or -1 */
  const cheapest = (t: TaskClass): number => {
    let best = -1;
    let price = Infinity;
    for (let k = 0; k < K; k++) {
      const e = t.e[k]!;
      if (e === Infinity) continue;
      const p = e * (lam[k]! * t.att + mu[k]! * t.comp);
      if (p < price || (p === price && e < t.e[best]!)) [price, best] = [p, k];
    }
    return best;
  };
  const price = new Float64Array(K);
  // each class's (θ, t) from the last search, and whether this evaluation searches (every SEARCH_EVERY-th)
  const lastTheta = new Float64Array(G).fill(1);
  const lastT = new Float64Array(G);
  let searching = true;
  /**
   * Twin class g's part of the dual function at the current prices: its least α θ/F + F π'_k + tail, plus
   * n c (1 − θ)(t − d_min)/Σc, over F ≥ 0 and the node class k, as the rate, its value and k. θ = 1 is the
   * plain form; where the class's refresh times differ (`mixed`), every θ < 1 and delivery age t give a
   * lower bound too (see `freshnessBound`), so the best of a few θ, each with t searched, is kept.
   */
  const classDual = (g: number, w: number): [number, number, number] => {
    const t = twins[g]!;
    let pi = Infinity;
    let kBest = -1;
    for (let k = 0; k < K; k++) {
      const d = t.d[k]!;
      price[k] = d === Infinity ? Infinity : d * (lam[k]! * t.att + mu[k]! * t.comp);
      if (price[k]! < pi) [pi, kBest] = [price[k]!, k];
    }
    const [F, v] = inner(alpha[g]!, shift[g]!, pi, w, fbar[g]!);
    let best: [number, number, number] = [F, v, kBest];
    if (!mixed[g]) return best;
    const scale = (t.n * t.c) / critSum;
    const none: [number, number, number] = [0, Number.NEGATIVE_INFINITY, -1];
    /** the class's part at mix θ and delivery age tt */
    const at = (theta: number, tt: number): [number, number, number] => {
      const q = (t.c * (1 - theta)) / (2 * critSum);
      let pm = Infinity;
      let km = -1;
      for (let k = 0; k < K; k++) {
        if (price[k] === Infinity) continue;
        const p = price[k]! - q * (tt - t.d[k]!) ** 2;
        if (p < pm) [pm, km] = [p, k];
      }
      if (!(pm > 0)) return none;
      const [F2, v2] = inner(theta * alpha[g]!, shift[g]!, pm, w, fbar[g]!);
      return [F2, v2 + scale * (1 - theta) * (tt - t.dmin), km];
    };
    // a full search now and then; between, a short one around the class's last (θ, t), as prices move little
    const near = !searching && lastTheta[g]! < 1;
    /** the best delivery age t at this θ (the value is concave in t: a golden-section search) */
    const tAt = (theta: number): number => {
      const q = (t.c * (1 - theta)) / (2 * critSum);
      // the delivery ages t at which every π'_k = price_k − q (t − d_k)² stays positive
      let lo = t.dmin;
      let hi = Infinity;
      for (let k = 0; k < K; k++) {
        if (price[k] === Infinity) continue;
        const r = Math.sqrt(price[k]! / q);
        lo = Math.max(lo, t.d[k]! - r);
        hi = Math.min(hi, t.d[k]! + r);
      }
      if (!(hi > lo && hi < Infinity)) return Number.NaN;
      if (near) {
        const span = 0.25 * Math.max(lastT[g]! - t.dmin, 1e-6);
        lo = Math.max(lo, lastT[g]! - span);
        hi = Math.min(hi, lastT[g]! + span);
        if (!(hi > lo)) return Number.NaN;
      }
      return goldenMax((tt) => at(theta, tt)[1], lo, hi, near ? NEAR_STEPS : T_STEPS);
    };
    const atTheta = (theta: number) => {
      const tt = tAt(theta);
      return Number.isNaN(tt) ? none : at(theta, tt);
    };
    // θ by a golden-section search too (any θ gives a valid bound; the search only makes it tighter)
    const theta = near
      ? goldenMax(
          (x) => atTheta(x)[1],
          Math.max(THETA_MIN, lastTheta[g]! - 0.1),
          Math.min(1, lastTheta[g]! + 0.1),
          NEAR_STEPS,
        )
      : goldenMax((x) => atTheta(x)[1], THETA_MIN, 1, THETA_STEPS);
    const tt = tAt(theta);
    if (!Number.isNaN(tt)) {
      lastTheta[g] = theta;
      lastT[g] = tt;
      const r = at(theta, tt);
      if (r[1] > best[1]) best = r;
    }
    return best;
  };
  const dual = (nu: number): number => {
    useA.fill(0);
    useC.fill(0);
    let value = fixed;
    tail = 0;
    for (let g = 0; g < G; g++) {
      const t = twins[g]!;
      const w = withTail ? nu * t.n * t.anomaly : 0;
      const [F, v, kBest] = classDual(g, w);
      // past reach (D ≤ d_g) the tail term is w whatever the rate
      value += fbar[g] === Infinity ? v + w : v;
      rate[g] = F;
      if (F < Infinity) {
        useA[kBest]! += F * t.d[kBest]! * t.att;
        useC[kBest]! += F * t.d[kBest]! * t.comp;
      }
      if (withTail) tail += t.n * t.anomaly * (fbar[g] === Infinity ? 1 : Math.max(0, 1 - F / fbar[g]!));
    }
    // each request task class runs where its time is cheapest at these prices
    for (const t of tasks) {
      const k = cheapest(t);
      if (k < 0) continue;
      const e = t.e[k]!;
      value += t.rate * e * (lam[k]! * t.att + mu[k]! * t.comp);
      useA[k]! += t.rate * e * t.att;
      useC[k]! += t.rate * e * t.comp;
    }
    for (let k = 0; k < K; k++) value -= lam[k]! * nodes[k]!.attention + mu[k]! * nodes[k]!.compute;
    return value - nu * tailBudget;
  };

  // the node multipliers' starting point: one pool of all capacity at each twin's mean refresh time
  const meanD = twins.map((t) =>
    t.d.filter((x) => x < Infinity).reduce((s, x, _i, a) => s + x / a.length, 0),
  );
  const root = twins.reduce((s, t, g) => s + Math.sqrt(alpha[g]! * meanD[g]! * t.att), 0);
  const lam0 = capacity.attention > 0 ? (root / capacity.attention) ** 2 : 1;
  lam.fill(lam0);
  /**
   * Joint AdaGrad ascent on every multiplier, projected onto ≥ 0, each stepping in proportion to its size (a
   * binding anomaly target can need prices far above the start). Every dual value is a valid bound; the best
   * is kept.
   */
  let nu = 0;
  const scaleNu = withTail ? (lam0 * Math.max(capacity.attention, 1e-9)) / anomalySum : 0;
  let best = dual(nu);
  let bestRates = Float64Array.from(rate);

  const sq = new Float64Array(2 * K + 1).fill(1e-12);
  const steps = withTail ? 5 * iterations : iterations;
  for (let it = 0; it < steps; it++) {
    for (let k = 0; k < K; k++) {
      const ga = (useA[k]! - nodes[k]!.attention) / Math.max(nodes[k]!.attention, 1e-9);
      sq[k]! += ga * ga;
      lam[k] = Math.max(0, lam[k]! + 0.2 * Math.max(lam0, lam[k]!) * (ga / Math.sqrt(sq[k]!)));
      const gc = (useC[k]! - nodes[k]!.compute) / Math.max(nodes[k]!.compute, 1e-9);
      sq[K + k]! += gc * gc;
      mu[k] = Math.max(0, mu[k]! + 0.2 * Math.max(lam0, mu[k]!) * (gc / Math.sqrt(sq[K + k]!)));
    }
    if (withTail) {
      const gn = (tail - tailBudget) / tailBudget;
      sq[2 * K]! += gn * gn;
      nu = Math.max(0, nu + 0.2 * Math.max(scaleNu, nu) * (gn / Math.sqrt(sq[2 * K]!)));
    }
    searching = it % SEARCH_EVERY === 0;
    const v = dual(nu);
    if (v > best) {
      best = v;
      bestRates = Float64Array.from(rate);
    }
  }
  // whether any allocation meets the target at all: exact (a linear program), where the dual only bounds
  const reachable = !withTail || meetsTarget(twins, tasks, nodes, fbar, tailBudget);

  let feasible: number | undefined;
  if (!withTail) {
    // the requests placed first (cheapest at the bound's prices, as far as each node class holds them), the
    // refreshes then allocated within what they leave
    const relaxation = { twins, tasks, nodes, alpha, shift, mixed, critSum, fixed };
    feasible = Math.max(best, primal(relaxation, iterations));
  }
  return {
    weightedAoI: best,
    feasible,
    steady,
    anomalyDelay: D,
    anomalyQuantile: q,
    reachable,
    requests,
    groups: groupsAt(bestRates),
    capacity,
  };
}
