/**
 * The parameters of the ARS policy: feature weights, the softmax temperature, the water-filling limits, the
 * compute-side weights and the feedback gains. Every parameter has a default, bounds and a one-line meaning;
 * a profile file (`profile=path.json`, written by `ars tune`) supplies values that explicit parameters override.
 */
import { ArsError, InputError } from '../../errors.js';
import { readTextFile } from '../../model/index.js';

export interface ParamDef {
  readonly fallback: number;
  readonly min: number;
  readonly max: number;
  readonly doc: string;
  /** true for the feature weights and temperature that `ars tune` searches and feedback may retune */
  readonly tunable?: boolean;
  /** a count: only whole numbers are accepted */
  readonly integer?: boolean;
}

/** Attention features: each twin's rate score is Σ weight · feature (see features in attention.ts). */
export const ATTENTION_FEATURES = [
  'criticality',
  'cost',
  'uncertainty',
  'suspicion',
  'hazard',
  'demand',
  'fairness',
] as const;
export type AttentionFeature = (typeof ATTENTION_FEATURES)[number];

export const PARAMS = {
  // attention: rate score weights (log-space: a weight of 0.5 on ln criticality is a square-root law)
  wCriticality: { fallback: 0.5, min: 0, max: 2, doc: 'weight of ln(criticality)', tunable: true },
  wCost: { fallback: 0.5, min: 0, max: 1, doc: 'weight of ln(refresh cost / mean cost)', tunable: true },
  wUncertainty: {
    fallback: 0,
    min: 0,
    max: 1.5,
    doc: 'weight of ln(uncertainty growth / group mean), from the drift estimator',
    tunable: true,
  },
  wSuspicion: {
    fallback: 0.02962,
    min: 0,
    max: 1.5,
    doc: 'weight of ln(1 + anomaly suspicion)',
    tunable: true,
  },
  wHazard: {
    fallback: 0.1974,
    min: 0,
    max: 2,
    doc: "weight of ln(1 + anomalyWeight · (the group's anomaly rate / the mean) · (mean criticality / criticality)); equal to wCriticality it is the rate law for weighted age + anomalyWeight · mean detection delay",
    tunable: true,
  },
  anomalyWeight: {
    fallback: 1,
    min: 0,
    max: 10,
    doc: 'how much a second of mean anomaly-detection delay counts against a second of criticality-weighted age',
    tunable: true,
  },
  hazardPrior: {
    fallback: 100000,
    min: 0,
    max: 1e7,
    doc: "seconds of observation the asset model's declared anomaly rate is worth against the surprises seen",
  },
  surpriseLevel: {
    fallback: 5,
    min: 1,
    max: 50,
    doc: 'a sample whose suspicion reaches this counts as a surprise (an anomaly seen) for the hazard feature',
  },
  wDemand: {
    fallback: 0.02938,
    min: 0,
    max: 1.5,
    doc: 'weight of ln(1 + forecast requests per twin per minute)',
    tunable: true,
  },
  wFresh: {
    fallback: 6.644,
    min: 0,
    max: 20,
    doc: 'freshness floor coverage: min(1, wFresh · forecast requests per twin within their max age)',
    tunable: true,
  },
  freshMargin: {
    fallback: 0.9494,
    min: 0.5,
    max: 1,
    doc: 'freshness floors aim at this fraction of the period that just keeps a twin within its max age',
    tunable: true,
  },
  freshBudget: {
    fallback: 0.5845,
    min: 0,
    max: 1,
    doc: 'freshness floors together take at most this fraction of the attention capacity (scaled down together past it)',
    tunable: true,
  },
  wFairness: {
    fallback: 0.0156,
    min: 0,
    max: 2,
    doc: "weight of the tenant's dominant-share deficit in [-1, 1]",
    tunable: true,
  },
  temperature: {
    fallback: 1.017,
    min: 0.2,
    max: 5,
    doc: 'softmax temperature (higher: more uniform)',
    tunable: true,
  },
  tenantFloor: {
    fallback: 0.5,
    min: 0,
    max: 1,
    doc: 'each tenant gets at least this fraction of the attention share its twin count would give it',
  },
  twinCap: {
    fallback: 20,
    min: 1,
    max: 1000,
    doc: 'no twin gets more than this many times the uniform share',
  },
  negligible: {
    fallback: 0.02,
    min: 0,
    max: 1,
    doc: 'twins whose share is below this fraction of the uniform share are left unrefreshed',
  },
  preempt: {
    fallback: 1,
    min: 0,
    max: 1,
    integer: true,
    doc: 'a refresh a request waits for, finding no room, stops the proactive refresh bound last and takes its place when waiting for a slot could make the request late (1), or always waits (0)',
  },
  wSlot: {
    fallback: 4,
    min: 0,
    max: 16,
    doc: "comparative advantage where nodes refresh at different speeds: a free slot goes to the twin with the highest overdue × (its group's least priced refresh time / its priced time on the slot's node)^wSlot, and a refresh's cost is its priced time (0: the plain dispatch)",
  },
  minOverdue: {
    fallback: 0,
    min: 0,
    max: 10,
    doc: 'refresh a twin only once its age is this fraction of its target period (0: use all free attention)',
  },
  window: { fallback: 1, min: 0.01, max: 3600, doc: 'seconds between full recomputations of the weights' },
  // compute: queue order and placement
  wPriority: {
    fallback: 0.6052,
    min: 0,
    max: 10,
    doc: 'seconds of deadline one priority level is worth in the queue order',
    tunable: true,
  },
  wQueueFairness: {
    fallback: 0.2998,
    min: 0,
    max: 10,
    doc: "seconds of deadline a tenant's full dominant-share deficit is worth",
    tunable: true,
  },
  refreshBonus: {
    fallback: 0.5,
    min: 0,
    max: 10,
    doc: 'seconds of deadline credit for a refresh a request waits on',
  },
  noDeadlineSlack: {
    fallback: 60,
    min: 0,
    max: 1e6,
    doc: 'seconds after arrival that work without a deadline is treated as due',
  },
  wFinish: {
    fallback: 1,
    min: 0,
    max: 10,
    doc: 'placement weight of earliest finish (transfers, speed, backlog)',
  },
  wReserve: {
    fallback: 0,
    min: 0,
    max: 10,
    doc: 'placement weight of keeping compute beside free attention for forecast refreshes',
    tunable: true,
  },
  quotaReserve: {
    fallback: 2,
    min: 0,
    max: 4,
    doc: "a tenant's tasks keep this many times its twins' expected concurrent refreshes of its compute quota for them, running ones included (at most half the quota)",
  },
  scaleTarget: {
    fallback: 0.5,
    min: 0.1,
    max: 1,
    doc: 'cost-aware scaler: utilisation a new node must expect to reach, and the pool sizing target',
  },
  scaleAhead: {
    fallback: 0.65,
    min: 0,
    max: 1,
    doc: 'cost-aware scaler with the forecast: grow a pool ahead of its tier’s forecast demand so that it runs at most this busy once the new node is up (0: only after a shortfall)',
    tunable: true,
  },
  wNodeCost: { fallback: 0, min: 0, max: 3, doc: 'placement weight of low running cost', tunable: true },
  // feedback
  feedbackGain: {
    fallback: 0.15,
    min: 0,
    max: 1,
    doc: 'multiplicative step of the feedback controller per window',
  },
  feedbackRange: {
    fallback: 4,
    min: 1,
    max: 1000,
    doc: 'feedback keeps each knob within this factor of its configured value (1: feedback off)',
  },
  feedbackLeak: {
    fallback: 0.1,
    min: 0,
    max: 1,
    doc: 'fraction of the way back to the configured value per calm window',
  },
  missTarget: { fallback: 0.01, min: 0, max: 1, doc: 'deadline-miss rate the feedback tolerates' },
  marginDrop: {
    fallback: 0.05,
    min: 0,
    max: 0.5,
    doc: 'feedback lowers freshMargin (stronger freshness floors) at most this far below its configured value while misses exceed missTarget',
  },
} as const satisfies Record<string, ParamDef>;

export type ParamName = keyof typeof PARAMS;
export type ArsParams = { -readonly [K in ParamName]: number };

export const TUNABLE: readonly ParamName[] = (Object.keys(PARAMS) as ParamName[]).filter(
  (k) => (PARAMS[k] as ParamDef).tunable === true,
);

/**
 * The defaults, a fresh mutable copy. Filled key by key, V8 keeps an object of this many properties as a
 * dictionary, so every `params.x` read on the policy's hot paths (several per placement and per pick) would be a
 * hash lookup; the spread copy returned has a fixed shape and inline-cached reads, and stays so as the known
 * keys are set (`resolveParams`, the controllers' knob moves).
 */
export function defaultParams(): ArsParams {
  const out = {} as ArsParams;
  for (const k of Object.keys(PARAMS) as ParamName[]) out[k] = PARAMS[k].fallback;
  return { ...out };
}

/** A tuned profile file, as `ars tune` writes it. Only `params` is read back. */
export interface ProfileFile {
  readonly policy: string;
  readonly params: Readonly<Partial<Record<ParamName, number>>>;
  readonly [extra: string]: unknown;
}

/** Largest profile file read (bytes). */
const MAX_PROFILE_BYTES = 1024 * 1024;

/** Reads `profile` (a tuned weights file) and checks every value, naming the file in errors. */
export function readProfileFile(path: string, policy: string): Partial<ArsParams> {
  let doc: unknown;
  try {
    // bounded and regular files only: a profile is a few hundred bytes, /dev/zero is not one
    doc = JSON.parse(readTextFile(path, { maxBytes: MAX_PROFILE_BYTES, expected: 'a profile file (JSON)' }));
  } catch (err) {
    const reason =
      err instanceof InputError ? err.issues.map((i) => i.message).join('; ') : (err as Error).message;
    throw new ArsError('ARS_E_POLICY', `policy ${policy}: cannot read profile ${path}: ${reason}`);
  }
  const params = (doc as { params?: unknown } | null)?.params;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new ArsError('ARS_E_POLICY', `policy ${policy}: profile ${path} has no "params" object`);
  }
  const out: Partial<ArsParams> = {};
  for (const [k, v] of Object.entries(params)) {
    if (!Object.hasOwn(PARAMS, k)) {
      throw new ArsError('ARS_E_POLICY', `policy ${policy}: profile ${path}: unknown parameter "${k}"`);
    }
    out[k as ParamName] = checkParam(policy, k as ParamName, v, `profile ${path}: `);
  }
  return out;
}

function checkParam(policy: string, key: ParamName, v: unknown, where = ''): number {
  return checkValue(policy, key, PARAMS[key], v, where);
}

function checkValue(policy: string, key: string, d: ParamDef, v: unknown, where = ''): number {
  if (
    typeof v !== 'number' ||
    !Number.isFinite(v) ||
    v < d.min ||
    v > d.max ||
    (d.integer && !Number.isInteger(v))
  ) {
    throw new ArsError(
      'ARS_E_POLICY',
      `policy ${policy}: ${where}parameter ${key} must be a number in [${d.min}, ${d.max}]${d.integer ? ' (a whole number)' : ''}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/**
 * The parameters of one run: defaults, then the profile file's values, then explicit parameters.
 * `overrides` are the variant's fixed values (an ablation), applied last.
 */
export function resolveParams(
  policy: string,
  raw: Readonly<Record<string, unknown>>,
  overrides: Partial<ArsParams> = {},
): ArsParams {
  const out = defaultParams();
  const profile = raw.profile;
  if (profile !== undefined) {
    if (typeof profile !== 'string' || profile === '') {
      throw new ArsError('ARS_E_POLICY', `policy ${policy}: parameter profile must be a file path`);
    }
    Object.assign(out, readProfileFile(profile, policy));
  }
  for (const [k, v] of Object.entries(raw)) {
    if (k === 'profile' || k === 'feedback' || k === 'forecast' || k === 'index' || k === 'scaler') continue;
    if (!(k in PARAMS)) continue; // the registry refuses unknown names before we get here
    out[k as ParamName] = checkParam(policy, k as ParamName, v);
  }
  return Object.assign(out, overrides);
}

/**
 * The parameters of simulating ahead (`ahead=true`, policy `ars-ahead`; src/policies/ars/ahead.ts). Kept
 * apart from `PARAMS` so that runs without it echo exactly the parameters they always did.
 */
export const AHEAD_PARAMS = {
  rolloutWindow: {
    fallback: 30,
    min: 1,
    max: 3600,
    doc: 'simulated seconds between two forks, at least: a fork is taken at a metric window (scheduling.feedbackWindow, default 60 s)',
  },
  rolloutHorizon: { fallback: 30, min: 1, max: 3600, doc: 'simulated seconds each rollout runs ahead' },
  rollouts: {
    integer: true,
    fallback: 9,
    min: 3,
    max: 17,
    doc: 'rollouts per fork: the current setting and ± a step on (rollouts − 1) / 2 knobs, taken in turn',
  },
  rolloutEvents: {
    integer: true,
    fallback: 200000,
    min: 100,
    max: 1e9,
    doc: 'events one rollout may process; a fork any rollout of which hits it changes nothing (the budget is in events, so runs stay deterministic)',
  },
  aheadStep: {
    fallback: 1.25,
    min: 1.01,
    max: 4,
    doc: 'a candidate multiplies (or divides) one knob by this factor',
  },
  aheadStreams: {
    integer: true,
    fallback: 3,
    min: 1,
    max: 8,
    doc: 'sets of random streams each candidate is rolled on: its objective is the mean over them (more sets, less noise, proportionally more cost)',
  },
  aheadMargin: {
    fallback: 0.02,
    min: 0,
    max: 10,
    doc: 'hysteresis: a candidate replaces the current setting only if its objective is lower by this much',
  },
} as const satisfies Record<string, ParamDef>;

export type AheadParamName = keyof typeof AHEAD_PARAMS;
export type AheadParams = { -readonly [K in AheadParamName]: number };

/** The simulate-ahead parameters of one run: defaults, then explicit parameters (checked against bounds). */
export function resolveAheadParams(policy: string, raw: Readonly<Record<string, unknown>>): AheadParams {
  const out = {} as AheadParams;
  for (const k of Object.keys(AHEAD_PARAMS) as AheadParamName[]) {
    const d: ParamDef = AHEAD_PARAMS[k];
    out[k] = raw[k] === undefined ? d.fallback : checkValue(policy, k, d, raw[k]);
  }
  return out;
}

/** Docs of the simulate-ahead parameters for `ars policies`. */
export function aheadParamDocs(): Record<string, string> {
  const out: Record<string, string> = {
    ahead:
      'true/false: every rolloutWindow s, fork the world and roll candidate settings ahead, apply the best (default false; true in ars-ahead)',
    aheadArrivals:
      'forecast or scenario: rollouts draw arrivals from the demand forecast (default) or from the scenario’s own arrival process',
  };
  for (const k of Object.keys(AHEAD_PARAMS) as AheadParamName[]) {
    const d: ParamDef = AHEAD_PARAMS[k];
    out[k] = `${d.doc}; default ${d.fallback}, in [${d.min}, ${d.max}]`;
  }
  return out;
}

/** Parameter docs for `ars policies`, with defaults. */
export function paramDocs(): Record<string, string> {
  const out: Record<string, string> = {
    profile: 'path of a tuned weights file (ars tune --out); explicit parameters override it',
    feedback: 'true/false: retune weights from metric windows while running (default true)',
    forecast: 'true/false: use forecast features (demand, uncertainty growth, refresh cost) (default true)',
  };
  for (const k of Object.keys(PARAMS) as ParamName[]) {
    const d: ParamDef = PARAMS[k];
    out[k] = `${d.doc}; default ${d.fallback}, in [${d.min}, ${d.max}]`;
  }
  return out;
}
