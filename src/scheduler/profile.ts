/**
 * A policy is a named profile: which plugins at which extension point, with which weights.
 * Profiles are validated once, when built; a bad profile is a policy error, not a crash mid-run.
 */
import { ArsError } from '../errors.js';
import type {
  AttentionAllocator,
  Feedback,
  Filter,
  Placer,
  Planner,
  QueueSort,
  Scaler,
  Score,
} from './plugins.js';

export interface WeightedScore {
  readonly plugin: Score;
  readonly weight: number;
}

export interface Profile {
  readonly name: string;
  readonly description: string;
  readonly queueSort: QueueSort;
  readonly filters: readonly Filter[];
  readonly scores: readonly WeightedScore[];
  readonly planner: Planner | undefined;
  readonly attention: AttentionAllocator;
  readonly feedback: Feedback | undefined;
  /** sizes elastic pools; undefined leaves it to the scenario's scaling rule */
  readonly scaler: Scaler | undefined;
  /** the profile's own node index (chooses like the scan, faster); undefined: the framework scans */
  readonly placer: Placer | undefined;
  /** the parameters the profile was built with, echoed into results */
  readonly params: Readonly<Record<string, unknown>>;
}

export interface ProfileSpec {
  name: string;
  description: string;
  queueSort: QueueSort;
  filters?: Filter[];
  scores?: WeightedScore[];
  planner?: Planner;
  attention: AttentionAllocator;
  feedback?: Feedback;
  scaler?: Scaler;
  placer?: Placer;
  params?: Record<string, unknown>;
}

export function buildProfile(spec: ProfileSpec): Profile {
  const scores = spec.scores ?? [];
  if (scores.length === 0 && !spec.planner) {
    throw new ArsError('ARS_E_POLICY', `policy ${spec.name}: needs at least one score plugin or a planner`);
  }
  const names = new Set<string>();
  for (const s of scores) {
    if (!Number.isFinite(s.weight) || s.weight < 0) {
      throw new ArsError(
        'ARS_E_POLICY',
        `policy ${spec.name}: weight of score ${s.plugin.name} must be a finite number >= 0, got ${s.weight}`,
      );
    }
    if (names.has(s.plugin.name)) {
      throw new ArsError(
        'ARS_E_POLICY',
        `policy ${spec.name}: score plugin ${s.plugin.name} is listed twice`,
      );
    }
    names.add(s.plugin.name);
  }
  return Object.freeze({
    name: spec.name,
    description: spec.description,
    queueSort: spec.queueSort,
    filters: Object.freeze([...(spec.filters ?? [])]),
    scores: Object.freeze([...scores]),
    planner: spec.planner,
    attention: spec.attention,
    feedback: spec.feedback,
    scaler: spec.scaler,
    placer: spec.placer,
    params: Object.freeze({ ...(spec.params ?? {}) }),
  });
}
