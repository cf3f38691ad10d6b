/**
 * Explicit limits on what a scenario may ask for, checked before anything is expanded or simulated, so a
 * file that validates but cannot run (a billion twins, an arrival rate of 1e308, a window of 1e-300 s)
 * is refused with a clear message instead of hanging or exhausting the heap. Every limit can be raised
 * (`ars --max-work`, `ars --no-limits`); docs/scenario.md lists them.
 */
import { ArsError } from '../errors.js';
import type { PathSegment } from './locate.js';
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
  /** where in the scenario the largest contributor is set */
  readonly mainPath: readonly PathSegment[];
}

/**
 * An upper-side estimate of the events one run of `scenario` over `horizon` seconds generates: each
 * request's arrival plus a start and an end per task, refreshes at the most the nodes can run, the
 * scheduling and feedback windows, anomalies, node failures and repairs, and autoscaler looks.
 * Runs in O(nodes + twins + workloads); exact counts are the simulator's business. On the examples it
 * is 1.5 to 2.5 times the events the simulator reports.
 */
export function estimateWork(scenario: Scenario, horizon: number): WorkEstimate {
  // per source: events per simulated second, and the scenario entry that contributes most
  const sources: { name: string; rate: number; path: PathSegment[]; top: number }[] = [];
  const source = (name: string, fallback: PathSegment[]) => {
    const s = { name, rate: 0, path: fallback, top: -1 };
    sources.push(s);
    return (rate: number, path: PathSegment[]) => {
      s.rate += rate;
      if (rate > s.top) {
        s.top = rate;
        s.path = path;
      }
    };
  };
  let fixed = scenario.twins.length + scenario.nodes.length;
  const requests = source('request arrivals', ['workloads']);
  for (const w of scenario.workloads) {
    const perRequest = 1 + 2 * w.tasks.length;
    if (w.arrival.kind === 'trace') fixed += expectedArrivals(w, horizon) * perRequest;
    else requests((expectedArrivals(w, horizon) / horizon) * perRequest, ['workloads', w.index, 'arrival']);
  }
  // Refreshes: a node runs at most min(compute / least refresh compute, attention / least refresh
  // attention) at once, each lasting at least (shortest refresh work) / (node speed); and a twin has at
  // most one refresh running. A start and an end event each.
  const refreshes = source('twin refreshes', ['assets']);
  if (scenario.twins.length > 0) {
    let minWork = Number.POSITIVE_INFINITY;
    let minCompute = Number.POSITIVE_INFINITY;
    let minAttention = Number.POSITIVE_INFINITY;
    let shortest: PathSegment[] = ['assets'];
    scenario.assetGroups.forEach((g, gi) => {
      const r = g.twin.refresh;
      if (r.work < minWork) shortest = ['assets', gi, 'twin', 'refresh', 'work'];
      minWork = Math.min(minWork, r.work);
      minCompute = Math.min(minCompute, r.compute);
      minAttention = Math.min(minAttention, r.attention);
    });
    let maxSpeed = 0;
    let bound = 0;
    for (const n of scenario.nodes) {
      const speed = Math.max(n.speedDefault, ...Object.values(n.speedByKind));
      maxSpeed = Math.max(maxSpeed, speed);
      const slots = Math.min(
        n.compute / minCompute,
        minAttention > 0 ? n.attention / minAttention : Number.POSITIVE_INFINITY,
      );
      bound += (2 * Math.floor(slots) * speed) / minWork;
    }
    refreshes(Math.min(bound, (2 * scenario.twins.length * maxSpeed) / minWork), shortest);
  }
  const windows = source('scheduling windows', ['scheduling']);
  windows(1 / scenario.scheduling.window, ['scheduling', 'window']);
  windows(1 / scenario.scheduling.feedbackWindow, ['scheduling', 'feedbackWindow']);
  const anomalies = source('anomalies', ['assets']);
  for (const [gi, g] of scenario.assetGroups.entries())
    anomalies(g.count * (g.anomaly?.rate ?? 0), ['assets', gi, 'anomaly', 'rate']);
  const failures = source('node failures', ['nodes']);
  const scaler = source('autoscaler', ['nodes']);
  scenario.nodeGroups.forEach((g, gi) => {
    const members = g.elastic ? g.elastic.max : g.count;
    if (g.failure)
      failures((2 * members) / Math.min(g.failure.mtbf, g.failure.mttr), ['nodes', gi, 'failure']);
    if (g.elastic) scaler(1 / g.elastic.interval, ['nodes', gi, 'elastic', 'interval']);
  });
  const rate = sources.reduce((sum, s) => sum + s.rate, 0);
  const main = sources.reduce((a, b) => (b.rate > a.rate ? b : a));
  return { events: fixed + rate * horizon, perSecond: rate, mainSource: main.name, mainPath: main.path };
}

export interface WorkRequest {
  /** simulated seconds per run */
  readonly horizon: number;
  /** how many runs the command makes (policies × replications × seeds) */
  readonly runs: number;
}

/** Why a scenario's work is refused, with the scenario path to point at; undefined when it fits. */
export interface WorkProblem {
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly expected: string;
}

const about = (n: number) => (Number.isFinite(n) ? `about ${formatCount(n)}` : 'more than 1e308');

/** The first limit `request` breaks on `scenario`, or undefined. */
export function workProblem(
  scenario: Scenario,
  request: WorkRequest,
  limits: Limits,
): WorkProblem | undefined {
  const estimate = estimateWork(scenario, request.horizon);
  if (!(estimate.perSecond <= limits.maxEventsPerSecond))
    return {
      path: estimate.mainPath,
      message:
        `refused: ${about(estimate.perSecond)} simulation events per simulated second, mostly ${estimate.mainSource}; ` +
        'check the rates, counts and windows, or lift the limit with --no-limits',
      expected: `at most ${formatCount(limits.maxEventsPerSecond)} events per simulated second`,
    };
  const total = estimate.events * request.runs;
  if (!(total <= limits.maxWork))
    return {
      path: ['horizon'],
      message:
        `refused: ${about(total)} simulation events ` +
        `(${request.runs === 1 ? 'one run' : `${formatCount(request.runs)} runs`} of ${formatCount(request.horizon)} s, ` +
        `mostly ${estimate.mainSource}); shorten the horizon, run fewer replications, or raise --max-work`,
      expected: `at most ${formatCount(limits.maxWork)} events (--max-work)`,
    };
  return undefined;
}

/**
 * Refuses a command whose estimated work exceeds the limits, before any run starts.
 * @throws ArsError `ARS_E_INPUT_ARGUMENT` naming the scenario, the estimate, the limit and the flag.
 */
export function checkWork(scenario: Scenario, request: WorkRequest, limits: Limits): void {
  const problem = workProblem(scenario, request, limits);
  if (problem)
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `${scenario.file ? `${scenario.file}: ` : ''}${problem.message} (expected ${problem.expected})`,
    );
}
