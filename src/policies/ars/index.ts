/**
 * The ARS policy and its ablations as registry factories:
 * - `ars`: forecast features, softmax attention with water-filling, urgency queue, earliest-finish placement
 *   with compute kept beside attention, feedback retuning while it runs;
 * - `ars-no-forecast`: without the forecast features (twin demand, uncertainty growth, forecast task load);
 * - `ars-no-feedback`: parameters stay as configured for the whole run;
 * - `ars-uniform-attention`: every twin the same attention weight (the rest unchanged);
 * - `ars-ahead`: ARS deciding by simulating ahead (ahead.ts) instead of the feedback rules.
 */
import { ArsError } from '../../errors.js';
import { buildProfile, type Profile } from '../../scheduler/profile.js';
import type { PolicyFactory } from '../../scheduler/registry.js';
import { costAwareScaler } from '../scaling/cost-aware.js';
import { ArsAhead } from './ahead.js';
import { ArsAttention } from './attention.js';
import {
  earliestFinishScore,
  nodeCostScore,
  patienceFilter,
  quotaReserveFilter,
  reserveScore,
  urgencyOrder,
} from './compute.js';
import { ArsContext, DEMAND_WINDOW } from './context.js';
import { ArsFeedback } from './feedback.js';
import { type ArsParams, aheadParamDocs, paramDocs, resolveAheadParams, resolveParams } from './params.js';
import { ArsPlacer } from './placement-index.js';

export { AHEAD_KNOBS, ArsAhead } from './ahead.js';
export { ArsAttention } from './attention.js';
export { ArsContext } from './context.js';
export { ArsFeedback, FEEDBACK_KNOBS } from './feedback.js';
export {
  AHEAD_PARAMS,
  type AheadParams,
  type ArsParams,
  ATTENTION_FEATURES,
  defaultParams,
  PARAMS,
  type ParamName,
  type ProfileFile,
  readProfileFile,
  resolveParams,
  TUNABLE,
} from './params.js';
export { ArsPlacer } from './placement-index.js';
export { softmax, waterFill } from './softmax.js';

interface Variant {
  readonly name: string;
  readonly summary: string;
  readonly forecast?: boolean;
  readonly feedback?: boolean;
  readonly uniform?: boolean;
  readonly ahead?: boolean;
}

export const ARS_VARIANTS: readonly Variant[] = [
  {
    name: 'ars',
    summary:
      'forecast-driven softmax attention over twins and an urgency queue over requests, with feedback retuning',
  },
  { name: 'ars-no-forecast', summary: 'ARS without forecast features (ablation)', forecast: false },
  {
    name: 'ars-no-feedback',
    summary: 'ARS with its parameters fixed for the run (ablation)',
    feedback: false,
  },
  {
    name: 'ars-uniform-attention',
    summary: 'ARS with the same attention weight for every twin (ablation)',
    uniform: true,
  },
  {
    name: 'ars-ahead',
    summary:
      'ARS deciding by simulating ahead: forks the world every rolloutWindow s, rolls candidate settings forward, applies the best',
    ahead: true,
  },
];

function flag(
  policy: string,
  params: Readonly<Record<string, unknown>>,
  key: string,
  fallback: boolean,
): boolean {
  const v = params[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') {
    throw new ArsError(
      'ARS_E_POLICY',
      `policy ${policy}: parameter ${key} must be true or false, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

/** Builds one ARS profile; exported for tests and the tuner. */
export function createArs(variant: Variant, raw: Readonly<Record<string, unknown>>): Profile {
  return buildArs(variant, raw, resolveParams(variant.name, raw));
}

/** The plain ARS variant rollouts run (no feedback, no simulating ahead of their own). */
const ROLLOUT: Variant = { name: 'ars', summary: 'rollout', feedback: false, ahead: false };

function buildArs(
  variant: Variant,
  raw: Readonly<Record<string, unknown>>,
  params: ArsParams,
  seed?: (ctx: ArsContext) => void,
): Profile {
  const forecast = variant.forecast ?? flag(variant.name, raw, 'forecast', true);
  const ahead = variant.ahead ?? flag(variant.name, raw, 'ahead', false);
  // simulating ahead replaces the feedback rules unless feedback=true is asked for too
  const feedback = variant.feedback ?? flag(variant.name, raw, 'feedback', !ahead);
  const indexed = flag(variant.name, raw, 'index', true);
  const arrivals = raw.aheadArrivals ?? 'forecast';
  if (arrivals !== 'forecast' && arrivals !== 'scenario') {
    throw new ArsError(
      'ARS_E_POLICY',
      `policy ${variant.name}: parameter aheadArrivals must be forecast or scenario, got ${JSON.stringify(arrivals)}`,
    );
  }
  const settings = ahead ? resolveAheadParams(variant.name, raw) : undefined;
  const scaling = raw.scaler ?? 'cost-aware';
  if (scaling !== 'rule' && scaling !== 'cost-aware') {
    throw new ArsError(
      'ARS_E_POLICY',
      `policy ${variant.name}: parameter scaler must be rule or cost-aware, got ${JSON.stringify(scaling)}`,
    );
  }
  const ctx = new ArsContext(params, forecast);
  seed?.(ctx);
  const finish = earliestFinishScore(ctx);
  const reserve = reserveScore(ctx);
  const cost = nodeCostScore(ctx);
  const patience = patienceFilter();
  const scores = [
    { plugin: finish, weight: 1 },
    { plugin: reserve, weight: 1 },
    { plugin: cost, weight: 1 },
  ];
  const placer = indexed
    ? new ArsPlacer({
        finish,
        cost,
        patience,
        reserve,
        scores,
        weights: () => ctx.params.wFinish + ctx.params.wReserve + ctx.params.wNodeCost,
      })
    : undefined;
  return buildProfile({
    name: variant.name,
    description: variant.summary,
    queueSort: urgencyOrder(ctx),
    filters: [quotaReserveFilter(ctx), patience],
    scores,
    ...(placer ? { placer } : {}),
    ...(scaling === 'cost-aware'
      ? {
          scaler: costAwareScaler({
            target: params.scaleTarget,
            ...(forecast
              ? {
                  load: () => ctx.computeLoad(),
                  tier: {
                    watch: (tier: string) => ctx.watchTier(tier),
                    load: (tier: string, k: number) => ctx.tierLoad(tier, k),
                    window: DEMAND_WINDOW,
                  },
                  ahead: params.scaleAhead,
                }
              : {}),
          }),
        }
      : {}),
    attention: new ArsAttention(ctx, { uniform: variant.uniform === true }),
    feedback: settings
      ? new ArsAhead(ctx, new ArsFeedback(ctx, feedback), {
          settings,
          forecastArrivals: arrivals === 'forecast',
          build: (p, seedRollout) =>
            buildArs(ROLLOUT, { forecast, index: indexed, scaler: scaling }, { ...p }, seedRollout),
        })
      : new ArsFeedback(ctx, feedback),
    params: {
      ...params,
      forecast,
      feedback,
      ...(settings ? { ahead: true, aheadArrivals: arrivals, ...settings } : {}),
      ...(raw.profile !== undefined ? { profile: raw.profile } : {}),
      ...(raw.index !== undefined ? { index: indexed } : {}),
      ...(raw.scaler !== undefined ? { scaler: scaling } : {}),
    },
  });
}

function factory(variant: Variant): PolicyFactory {
  const docs = paramDocs();
  docs.scaler =
    'cost-aware or rule: weigh a new node’s cost against the deadline risk (src/policies/scaling; default), or size elastic pools by the scenario’s rule';
  docs.index =
    'true/false: find the node from an index of node classes instead of scoring every node (same choice; default true)';
  if (variant.forecast !== undefined) delete docs.forecast;
  if (variant.feedback !== undefined) delete docs.feedback;
  Object.assign(docs, aheadParamDocs());
  if (variant.ahead !== undefined) delete docs.ahead;
  return {
    name: variant.name,
    summary: variant.summary,
    placement:
      'urgency queue (deadline − work − priority/fairness credit, fixed at enqueue); earliest finish incl. transfers and the answer’s delivery to the user, compute kept beside attention, low cost; waits for a much faster node; keeps part of a tenant’s compute quota for its twins’ refreshes',
    attention: variant.uniform
      ? 'equal weights, water-filled; most overdue twin first'
      : 'softmax(features / temperature) water-filled with tenant floors and twin caps; most overdue (age × target rate) first',
    params: docs,
    create: (params) => createArs(variant, params),
  };
}

export const arsPolicies: readonly PolicyFactory[] = ARS_VARIANTS.map(factory);
