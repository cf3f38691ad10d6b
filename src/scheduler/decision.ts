/**
 * The decision trace: one record per decision the runtime and the world take, written as one JSON line
 * each by `ars run --trace` (report/trace-file.ts, which puts the format version `"v": 1` first on every
 * line) and read back by `ars explain`. The union is closed: a consumer switches on `kind` and handles every
 * variant. Every variant has `time`, `kind`, `subject`, `chosen` and `candidates`, so a reader that knows
 * only those fields can still list what happened to a subject. docs/trace.md documents each field.
 */
import type { MetricsWindow } from './plugins.js';

/** The version of the JSON lines format, written as `"v"` on every line. Bump it when a field changes meaning. */
export const TRACE_VERSION = 1;

/** One node that could take the work, with its total score and each score plugin's weighted part of it. */
export interface CandidateExplanation {
  readonly id: string;
  readonly score: number;
  readonly parts: Readonly<Record<string, number>>;
}

interface DecisionBase {
  /** simulated (or live) seconds */
  readonly time: number;
  readonly subject: string;
  readonly candidates: readonly CandidateExplanation[];
}

/** Where a placement's facts sit: shared by `place` and `attention` (an attention choice is placed too). */
interface PlacementFacts {
  /** the node id, or null when no node could take the work now (it waits) */
  readonly chosen: string | null;
  /** the second-best candidate node, null when there was none; absent for planned work */
  readonly runnerUp?: string | null;
  /** the node a planner assigned the work to (the only candidate then) */
  readonly planned?: string;
  /** why planned work could not go to its node now */
  readonly waiting?: string;
  /** when no node fitted: how many nodes failed for each reason */
  readonly unschedulable?: Readonly<Record<string, number>>;
}

/** A task or an on-demand refresh taken from the ready queue and bound to a node, or deferred. Subject: the item id. */
export interface PlaceDecision extends DecisionBase, PlacementFacts {
  readonly kind: 'place';
}

/**
 * A twin the attention allocator chose to refresh now, and where the refresh went. Subject: the twin id.
 * `score`, `weight`, `features` and `detail` are whatever the allocator explained (ARS gives all four,
 * the baselines none).
 */
export interface AttentionDecision extends DecisionBase, PlacementFacts {
  readonly kind: 'attention';
  readonly score?: number;
  readonly weight?: number;
  readonly features?: Readonly<Record<string, number>>;
  readonly detail?: Readonly<Record<string, unknown>>;
  /** the twin's age of information when it was chosen, seconds */
  readonly age: number;
}

/**
 * A planner's assignment: of one request's DAG on arrival (subject: the request id `workload#n`) or of a
 * batch of ready tasks at a scheduling window (subject: `batch of N`). `chosen` is the planner's name;
 * `assignment` maps each task or item id to its node id, or null for work left to regular placement.
 */
export interface PlanDecision extends DecisionBase {
  readonly kind: 'plan';
  readonly chosen: string;
  readonly assignment: Readonly<Record<string, string | null>>;
}

/** An elastic pool switching one node on (`up`) or off (`down`). Subject: the group id; `chosen`: the node id. */
export interface ScaleDecision extends DecisionBase {
  readonly kind: 'scale';
  readonly chosen: string;
  readonly action: 'up' | 'down';
  /** the pool size the scaler asked for, clamped to the pool's limits */
  readonly desired: number;
}

/** A feedback controller's look at one metrics window, and the parameters it left. Subject: the controller's name. */
export interface FeedbackDecision extends DecisionBase {
  readonly kind: 'feedback';
  readonly chosen: null;
  readonly window: MetricsWindow;
  readonly parameters: Readonly<Record<string, number>>;
}

/** One line of `--trace`. */
export type Decision = PlaceDecision | AttentionDecision | PlanDecision | ScaleDecision | FeedbackDecision;

export type DecisionKind = Decision['kind'];

/** Every kind, in the order docs/trace.md lists them. */
export const DECISION_KINDS: readonly DecisionKind[] = ['place', 'attention', 'plan', 'scale', 'feedback'];

/** Where decisions go; the runtime builds explanations only when it has one. */
export interface DecisionSink {
  record(d: Decision): void;
  /**
   * Whether to explain again why `subject` waits, should it wait again (optional: always). The subject is the
   * one its decision would have: a task's or refresh's id for a placement, a twin's id for an attention choice.
   * Where it says no, the runtime decides untraced (the same choice) and explains only a placement: a live
   * service whose queue is tried at every cycle says no for work whose wait it explained a moment ago, so
   * that a long queue costs no explanations while it keeps waiting (src/live/runtime.ts).
   */
  explainsWait?(subject: string): boolean;
}
