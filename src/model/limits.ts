/**
 * Explicit limits on what a scenario may ask for, checked before anything is expanded or simulated, so a
 * file that validates but cannot run (a billion twins, an arrival rate of 1e308, a window of 1e-300 s)
 * is refused with a clear message instead of hanging or exhausting the heap. Every limit can be raised
 * (`ars --max-work`, `ars --no-limits`); docs/scenario.md lists them.
 */
import { ArsError } from '../errors.js';
import { DEFAULT_MAX_ALIAS_COUNT, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH } from './read.js';
import type { Scenario, WorkloadDef } from './scenario.js';

export interface Limits {
  /** largest input file, bytes */
  readonly maxBytes: number;
  /** most YAML alias expansions per file */
  readonly maxAliasCount: number;
  /** deepest nesting of lists and mappings in a file */
  readonly maxDepth: number;
  /** most nodes after expanding groups (an elastic group counts with its `max`) */
  readonly maxNodes: number;
  /** most twins after expanding asset groups */
  readonly maxTwins: number;
  /** most tasks in one workload's DAG */
  readonly maxTasks: number;
  /** most simulation events a scenario may generate per simulated second (estimated) */
  readonly maxEventsPerSecond: number;
  /** most simulation events one command may run, over all its runs (estimated) */
  readonly maxWork: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxBytes: DEFAULT_MAX_BYTES,
  maxAliasCount: DEFAULT_MAX_ALIAS_COUNT,
  maxDepth: DEFAULT_MAX_DEPTH,
  maxNodes: 100_000,
  maxTwins: 1_000_000,
  maxTasks: 100_000,
  maxEventsPerSecond: 10_000_000,
  maxWork: 1_000_000_000,
});

/** `--no-limits`: every count and work limit lifted (files are still read only when regular). */
export const NO_LIMITS: Limits = Object.freeze({
  maxBytes: Number.POSITIVE_INFINITY,
  maxAliasCount: Number.POSITIVE_INFINITY,
  maxDepth: Number.POSITIVE_INFINITY,
  maxNodes: Number.POSITIVE_INFINITY,
  maxTwins: Number.POSITIVE_INFINITY,
  maxTasks: Number.POSITIVE_INFINITY,
  maxEventsPerSecond: Number.POSITIVE_INFINITY,
  maxWork: Number.POSITIVE_INFINITY,
});

export function resolveLimits(partial: Partial<Limits> | undefined): Limits {
  return partial ? { ...DEFAULT_LIMITS, ...partial } : DEFAULT_LIMITS;
}

/** Compact English for big counts in messages: 1.2e+9 reads worse than "1.2 billion". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return 'more than 1e308';
  if (n < 1e4) return String(Math.round(n));
  const units: [number, string][] = [
    [1e12, 'trillion'],
    [1e9, 'billion'],
    [1e6, 'million'],
    [1e3, 'thousand'],
  ];
  if (n >= 1e15) return n.toExponential(1);
  for (const [size, word] of units) if (n >= size) return `${Number((n / size).toPrecision(3))} ${word}`;
  return String(n);
}

/** The expected number of requests of `w` over `horizon` seconds (an upper estimate for bursty). */
export function expectedArrivals(w: WorkloadDef, horizon: number): number {
  const a = w.arrival;
  switch (a.kind) {
    case 'poisson':
      return a.rate * horizon;
    case 'periodic':
      return Math.max(0, horizon - a.offset) / a.period + 1;
    case 'bursty':
      return Math.max(a.onRate, a.offRate) * horizon;
    case 'diurnal':
      return a.meanRate * (1 + a.amplitude) * horizon;
    case 'trace':
      return w.traceTimes?.length ?? 0;
  }
}

export interface WorkEstimate {
  /** estimated simulation events of one run */
  readonly events: number;
  /** estimated events per simulated second, independent of the horizon (trace arrivals excluded) */
  readonly perSecond: number;
  /** the largest contributor, named for the message */
  readonly mainSource: string;
}

/**
 * An upper-side estimate of the events one run of `scenario` over `horizon` seconds generates: each
 * request's arrival plus a start and an end per task, refreshes at the most the nodes can run, the
 * scheduling and feedback windows, anomalies, node failures and repairs, and autoscaler looks.
 * Runs in O(nodes + twin groups + workloads); exact counts are the simulator's business.
 */
export function estimateWork(scenario: Scenario, horizon: number): WorkEstimate {
  const perSecond: [string, number][] = [];
  let fixed = scenario.twins.length + scenario.nodes.length;
  let requests = 0;
  for (const w of scenario.workloads) {
    const perRequest = 1 + 2 * w.tasks.length;
    if (w.arrival.kind === 'trace') fixed += expectedArrivals(w, horizon) * perRequest;
    else requests += (expectedArrivals(w, horizon) / horizon) * perRequest;
  }
  perSecond.push(['request arrivals', requests]);
  // Refreshes: a node runs at most min(compute / least refresh compute, attention / least refresh
  // attention) at once, each lasting at least (shortest refresh work) / (node speed); and a twin has at
  // most one refresh running. A start and an end event each.
  let refreshes = 0;
  if (scenario.twins.length > 0) {
    let minWork = Number.POSITIVE_INFINITY;
    let minCompute = Number.POSITIVE_INFINITY;
    let minAttention = Number.POSITIVE_INFINITY;
    for (const t of scenario.twins) {
      minWork = Math.min(minWork, t.refresh.work);
      minCompute = Math.min(minCompute, t.refresh.compute);
      minAttention = Math.min(minAttention, t.refresh.attention);
    }
    let maxSpeed = 0;
    for (const n of scenario.nodes) {
      const speed = Math.max(n.speedDefault, ...Object.values(n.speedByKind));
      maxSpeed = Math.max(maxSpeed, speed);
      const slots = Math.min(
        n.compute / minCompute,
        minAttention > 0 ? n.attention / minAttention : Infinity,
      );
      refreshes += (2 * Math.floor(slots) * speed) / minWork;
    }
    refreshes = Math.min(refreshes, (2 * scenario.twins.length * maxSpeed) / minWork);
  }
  perSecond.push(['twin refreshes', refreshes]);
  perSecond.push([
    'scheduling windows',
    1 / scenario.scheduling.window + 1 / scenario.scheduling.feedbackWindow,
  ]);
  let anomalies = 0;
  for (const g of scenario.assetGroups) anomalies += g.count * (g.anomaly?.rate ?? 0);
  perSecond.push(['anomalies', anomalies]);
  let failures = 0;
  let scaler = 0;
  for (const g of scenario.nodeGroups) {
    const members = g.elastic ? g.elastic.max : g.count;
    if (g.failure) failures += (2 * members) / Math.min(g.failure.mtbf, g.failure.mttr);
    if (g.elastic) scaler += 1 / g.elastic.interval;
  }
  perSecond.push(['node failures', failures], ['autoscaler', scaler]);
  const rate = perSecond.reduce((s, [, r]) => s + r, 0);
  const main = perSecond.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { events: fixed + rate * horizon, perSecond: rate, mainSource: main[0] };
}

export interface WorkRequest {
  /** simulated seconds per run */
  readonly horizon: number;
  /** how many runs the command makes (policies × replications × seeds) */
  readonly runs: number;
}

/**
 * Refuses a command whose estimated work exceeds the limits, before any run starts.
 * @throws ArsError `ARS_E_INPUT_SEMANTIC` naming the estimate, the limit and the flag that lifts it.
 */
export function checkWork(scenario: Scenario, request: WorkRequest, limits: Limits): WorkEstimate {
  const estimate = estimateWork(scenario, request.horizon);
  const where = scenario.file ? `${scenario.file}: ` : '';
  if (estimate.perSecond > limits.maxEventsPerSecond)
    throw new ArsError(
      'ARS_E_INPUT_SEMANTIC',
      `${where}refused: about ${formatCount(estimate.perSecond)} simulation events per simulated second ` +
        `(mostly ${estimate.mainSource}), more than the limit of ${formatCount(limits.maxEventsPerSecond)}; ` +
        'check the rates, counts and windows, or lift the limit with --no-limits',
    );
  const total = estimate.events * request.runs;
  if (!(total <= limits.maxWork))
    throw new ArsError(
      'ARS_E_INPUT_SEMANTIC',
      `${where}refused: about ${formatCount(total)} simulation events ` +
        `(${request.runs === 1 ? 'one run' : `${formatCount(request.runs)} runs`} of ${formatCount(request.horizon)} s, ` +
        `mostly ${estimate.mainSource}), more than the limit of ${formatCount(limits.maxWork)} (--max-work); ` +
        'shorten --horizon, run fewer replications, or raise --max-work',
    );
  return estimate;
}
