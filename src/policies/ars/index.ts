/**
 * The ARS policy and its ablations as registry factories:
 * - `ars`: forecast features, softmax attention with water-filling, urgency queue, earliest-finish placement
 *   with compute kept beside attention, feedback retuning while it runs;
 * - `ars-no-forecast`: without the forecast features (twin demand, uncertainty growth, forecast task load);
 * - `ars-no-feedback`: parameters stay as configured for the whole run;
 * - `ars-uniform-attention`: every twin the same attention weight (the rest unchanged).
 */
import { ArsError } from '../../errors.js';
import { buildProfile, type Profile } from '../../scheduler/profile.js';
import type { PolicyFactory } from '../../scheduler/registry.js';
import { costAwareScaler } from '../scaling/cost-aware.js';
import { ArsAttention } from './attention.js';
import {
  earliestFinishScore,
  nodeCostScore,
  patienceFilter,
  quotaReserveFilter,
  reserveScore,
  urgencyOrder,
} from './compute.js';
import { ArsContext } from './context.js';
import { ArsFeedback } from './feedback.js';
import { paramDocs, resolveParams } from './params.js';
import { ArsPlacer } from './placement-index.js';

export { ArsAttention } from './attention.js';
export { ArsContext } from './context.js';
export { ArsFeedback, FEEDBACK_KNOBS } from './feedback.js';
export {
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
  const params = resolveParams(variant.name, raw);
  const forecast = variant.forecast ?? flag(variant.name, raw, 'forecast', true);
  const feedback = variant.feedback ?? flag(variant.name, raw, 'feedback', true);
  const indexed = flag(variant.name, raw, 'index', true);
  const scaling = raw.scaler ?? 'cost-aware';
  if (scaling !== 'rule' && scaling !== 'cost-aware') {
    throw new ArsError(
      'ARS_E_POLICY',
      `policy ${variant.name}: parameter scaler must be rule or cost-aware, got ${JSON.stringify(scaling)}`,
    );
  }
  const ctx = new ArsContext(params, forecast);
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
            ...(forecast ? { load: () => ctx.computeLoad() } : {}),
          }),
        }
      : {}),
    attention: new ArsAttention(ctx, { uniform: variant.uniform === true }),
    feedback: new ArsFeedback(ctx, feedback),
    params: {
      ...params,
      forecast,
      feedback,
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
  return {
    name: variant.name,
    summary: variant.summary,
    placement:
      'urgency queue (deadline − work − priority/fairness credit, fixed at enqueue); earliest finish incl. transfers, compute kept beside attention, low cost; waits for a much faster node; keeps part of a tenant’s compute quota for its twins’ refreshes',
    attention: variant.uniform
      ? 'equal weights, water-filled; most overdue twin first'
      : 'softmax(features / temperature) water-filled with tenant floors and twin caps; most overdue (age × target rate) first',
    params: docs,
    create: (params) => createArs(variant, params),
  };
}

export const arsPolicies: readonly PolicyFactory[] = ARS_VARIANTS.map(factory);
