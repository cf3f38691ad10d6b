/**
 * The fork port: a system that can copy its current state into a short simulation of what happens next.
 * The simulated world implements it (`World.fork`); a policy reaches it through the snapshot it is given
 * (`forkOf`), so policies simulate ahead without importing the world. One fork can be run many times: each
 * run starts from the same copied state with the same random streams (common random numbers), so two
 * runs differ only by the profile (the candidate setting) they are run under.
 */
import type { Scenario } from '../model/scenario.js';
import type { Profile } from './profile.js';
import type { Snapshot } from './types.js';

export interface ForkRunOptions {
  /** the profile to run the fork under (a fresh one per run: profiles hold per-run state) */
  readonly profile: Profile;
  /** simulated seconds to run from the fork's time */
  readonly horizon: number;
  /** stop after this many events (the run is then `truncated`); default: no cap */
  readonly maxEvents?: number;
  /**
   * Per workload (in `WorldFork.workloads` order), requests per second of a Poisson arrival process to
   * drive the run with (a forecast); NaN or absent: the scenario's own arrival process, continued from the
   * fork's time on the fork's streams.
   */
  readonly arrivalRates?: readonly number[];
  /**
   * Which set of random streams to run on: 0 (default) the fork's own, k > 0 the k-th other set, the same
   * for every run with the same k (an estimate averaged over several sets is less noisy than one run)
   */
  readonly stream?: number;
}

export interface ForkOutcome {
  /** simulated start and end (the end is earlier than start + horizon when truncated) */
  readonly start: number;
  readonly end: number;
  /** events the run processed */
  readonly events: number;
  readonly truncated: boolean;
  /**
   * The run's result document over [start, start + horizon] (the world's `RunResult`: `twins.weightedAoI`,
   * `requests.deadlineMissRate`, `requests.latency.p95`, `resources.cost`, …), measured from the fork's time.
   */
  readonly result: unknown;
}

export interface WorldFork {
  /** the simulated time the state was copied at */
  readonly time: number;
  /** the scenario the system runs (rollout profiles get its privacy rule, as every run's profile does) */
  readonly scenario: Scenario;
  /** the workloads, in the order `arrivalRates` uses: id and tenant id */
  readonly workloads: readonly { readonly id: string; readonly tenant: string }[];
  /** Runs a fresh copy of the state under a profile. Never touches the system it was forked from. */
  run(options: ForkRunOptions): ForkOutcome;
}

export interface Forkable {
  fork(): WorldFork;
}

/** The fork port of a snapshot, when the system behind it has one (the simulated world does). */
export function forkOf(s: Snapshot): WorldFork | undefined {
  const f = (s as Snapshot & Partial<Forkable>).fork;
  return typeof f === 'function' ? f.call(s) : undefined;
}
