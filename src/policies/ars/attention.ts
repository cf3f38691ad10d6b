/**
 * ARS attention: who gets refreshed. Each window every twin gets a rate score from its features; a softmax
 * with temperature turns the scores into weights; water-filling splits the attention capacity by those
 * weights (a floor per tenant, a cap per twin) into shares; a twin's share over the attention-seconds one
 * of its refreshes costs is its target refresh rate. Free attention then goes to the twins most overdue:
 * the largest age × target rate, i.e. age over target period.
 *
 * Why this shape: for the criticality-weighted age of information with refresh costs r_i, the periodic
 * schedule that minimises Σ c_i · (mean age_i) under a capacity budget refreshes twin i at a rate ∝ √(c_i / r_i)
 * (Lagrange: c_i T_i / 2 + λ r_i / T_i is least at T_i ∝ √(r_i / c_i)). In the share space that is
 * share ∝ √(c_i · r_i): weights 0.5 on ln c and on ln r with temperature 1. The other features move twins off
 * that law where the workload says so. Ordering by age × rate rather than by due time keeps the ratios of the
 * periods when capacity falls short (every period stretches by the same factor).
 *
 * Cost: a full recomputation is O(n) per window (plus a few passes of the cap loop); between windows a twin's
 * score is updated in O(1) when its sample arrives. Twins sit in one heap per rate bucket (1/8 octave wide)
 * ordered by sample time, so a pick compares bucket heads only: O(B + log n) for B buckets.
 */
import type { ArrivalView, AttentionAllocator, AttentionChoice } from '../../scheduler/plugins.js';
import type { Snapshot, TwinView, WorkItem } from '../../scheduler/types.js';
import { finishIn } from './compute.js';
import { type ArsContext, DEMAND_WINDOW } from './context.js';
import { DriftBank } from './drift-bank.js';
import { type ArsParams, ATTENTION_FEATURES, type AttentionFeature } from './params.js';
import { SlotPrices } from './slot-prices.js';
import { softmaxNorm, WaterFiller } from './softmax.js';
import { TwinHeap } from './twin-heap.js';

/** weight of the newest window in the smoothed stretch of the target periods */
const STRETCH_SMOOTHING = 0.1;
const BUCKETS_PER_OCTAVE = 8;
const NO_BUCKET = -0x7fffffff;
/** weight of a new refresh-duration measurement in a group's running mean */
const COST_SMOOTHING = 0.05;
/** samples of a twin before its uncertainty growth is trusted */
const MIN_DRIFT_SAMPLES = 4;
/**
 * Samples of a twin before its surprises count: a sample's suspicion is its change over the typical change of
 * the twin's earlier samples, which the first few do not yet tell (counted so, two of three surprises on a
 * fleet without anomalies came from a twin's first seven samples).
 */
const SURPRISE_HISTORY = 8;
/** how far (Poisson standard deviations, plus as many events) a group's surprises must pass the noise's */
const SURPRISE_Z = 3;
/** forgetting of the per-twin drift estimator: about 20 increments of memory, so a drift anomaly shows */
const DRIFT_FORGETTING = 0.95;
/** horizon of the uncertainty feature: expected error after this many seconds */
const UNCERTAINTY_HORIZON = 5;
/** weight of one request in a group's running mean tightness */
const TIGHT_SMOOTHING = 0.05;
/**
 * Refresh durations a request waits on average when it finds its twin stale with a refresh already in flight
 * (a "blind" read). The world lets the read go on with that refresh when its sample meets the read's age bound
 * (r ≤ m: the sample is r old on delivery), so the read waits for the rest of it, half a refresh on average;
 * with a bound tighter than a refresh it waits for the rest and for a refresh of its own.
 */
const BLIND_SERVED = 0.5;
const BLIND_REFRESHES = 1.5;
/**
 * how far (in standard deviations, Poisson) the arrivals of the demand window still open may stray from the
 * forecast before the floors trust the open window instead (see #floorRate)
 */
const OPEN_WINDOW_Z = 3;
/**
 * Refresh durations a demanded refresh that finds no slot takes at worst: one waiting for a slot (a running
 * refresh ends within one) and its own (see `preempts`)
 */
const PREEMPT_WAITS = 2;
/** the chance of a late read above which a demanded refresh stops a proactive one (see `preempts`) */
const PREEMPT_RISK = 0.01;
/** steps of `preempts`'s integral over the wait for a slot */
const PREEMPT_STEPS = 64;
/**
 * demanded refreshes waiting ahead of one in the cycle up to which `preempts` models when its slot frees; behind
 * more it stops a proactive refresh
 */
const PREEMPT_BEHIND = 16;
/** a chance that no slot has freed below which `preempts`'s integral stops (far below PREEMPT_RISK) */
const PREEMPT_NEGLIGIBLE = 1e-9;
/**
 * tightness at which a stale read starts to miss its deadline, and at which it (almost) always does: its
 * demanded refresh may wait for an attention slot, and the wait spreads the finish; where ARS preempts
 * (`preempt` 1) that refresh takes a slot at once, the wait goes, and a read short of its deadline makes it
 */
const MISS_FROM = 0.6;
const MISS_FROM_PREEMPT = 0.9;
const MISS_TO = 1;
/** bucket ids are rate key × this + tenant */
const TENANT_SLOTS = 1 << 20;
/** bucket keys with their bounds in a table rather than a map: 2^(±1024/8) covers any rate × n met in practice */
const KEY_TABLE_HALF = 1024;
/** tenants whose buckets of keys −KEY_TABLE_HALF … KEY_TABLE_HALF − 1 sit in a table rather than a map */
const TABLE_TENANTS = 8;
/** twins passed over in one call (tenant at quota, group that cannot be placed) before giving up */
const MAX_SKIPPED = 256;

interface Bucket {
  readonly key: number;
  /** buckets are per tenant too, so a tenant at its quota is passed over in one step */
  readonly tenant: number;
  /** representative target rate of the bucket (per second, relative) */
  readonly rate: number;
  /** entries (twin, sample time, version) by sample time, then twin */
  readonly heap: TwinHeap;
  /** whether it is in the bucket list: a bucket left empty by a rebuild leaves the list but is kept, heap and all */
  listed: boolean;
}

export interface ArsAttentionOptions {
  /** every twin the same weight (the `ars-uniform-attention` ablation) */
  readonly uniform: boolean;
}

export class ArsAttention implements AttentionAllocator {
  readonly name: string;
  readonly #ctx: ArsContext;
  readonly #uniform: boolean;
  #n = 0;
  #tenantOf = new Int32Array(0);
  #groupOf = new Int32Array(0);
  #groupIds: string[] = [];
  /** the demand key of each group, `group:<id>` (built once) */
  #groupKeys: string[] = [];
  /** each group's forecast demand rate, valid while `#groupRateFresh` (inside a full recomputation) */
  #groupRate = new Float64Array(0);
  #groupRateFresh = false;
  /** scratch: one twin's features */
  readonly #x = new Float64Array(ATTENTION_FEATURES.length);
  #groupSize = new Int32Array(0);
  /** per group: the measured cost of a refresh, priced slot-seconds (seconds where all slots are alike) */
  #groupCost = new Float64Array(0);
  /** per group: the measured time of a refresh, seconds (what a read waits for it) */
  #groupDuration = new Float64Array(0);
  readonly #slotPrices = new SlotPrices();
  /** the least attention and compute a refresh holds (what a free slot must have) */
  #minRefreshAttention = 1;
  #minRefreshCompute = 1;
  #groupCostSeen = new Int32Array(0);
  #groupUncertainty = new Float64Array(0);
  /** surprising samples seen per group (suspicion ≥ surpriseLevel): the learned anomaly hazard */
  #groupSurprises = new Float64Array(0);
  /** samples per group that could have been surprising (their twin had `SURPRISE_HISTORY` before them) */
  #groupSamples = new Float64Array(0);
  /** samples delivered per twin */
  #samplesOf = new Float64Array(0);
  /** anomalies per second per twin the asset model declares for each group (the prior of the hazard) */
  #groupPrior = new Float64Array(0);
  /** κ × the group's anomaly rate over the mean rate of all twins, from the last window */
  #groupHazard = new Float64Array(0);
  #meanCriticality = 1;
  #tenantTwins = new Int32Array(0);
  /** each twin's uncertainty-growth estimator (DriftEstimator's arithmetic, one record per twin) */
  #drift = new DriftBank(0, DRIFT_FORGETTING);
  #z = new Float64Array(0);
  #weight = new Float64Array(0);
  #share = new Float64Array(0);
  #rate = new Float64Array(0);
  #version = new Int32Array(0);
  #bucketKey = new Int32Array(0);
  #selected = new Uint8Array(0);
  #proactive = new Uint8Array(0);
  #startedAt = new Float64Array(0);
  #failedAt = new Float64Array(0);
  #groupMaxAge = new Float64Array(0);
  #groupTight = new Float64Array(0);
  /** per group: running mean of the work (seconds at speed 2) of the requests that read it */
  #groupWork = new Float64Array(0);
  /**
   * the same tightness for a blind read: its wait (BLIND_SERVED or BLIND_REFRESHES refreshes) + work / 2 over
   * the relative deadline
   */
  #groupTightBlind = new Float64Array(0);
  /**
   * how much of the demand feature each group gets (see #freshnessFloors): the chance that a stale read of it
   * misses, 0 for a group whose reads are left to on-demand refreshes
   */
  #demandScale = new Float64Array(0);
  /** per group: the most the demand feature may be (see #freshnessFloors) */
  #demandCap = new Float64Array(0);
  /**
   * How much longer than their target periods the twins wait in fact: a smoothed mean over the windows of
   * age / target period at the moment a twin is picked (1 where the capacity serves the periods it was
   * planned for; more where it does not, e.g. nodes whose compute runs out before their attention does)
   */
  #stretch = 1;
  #pickOverdue = 0;
  #picks = 0;
  /** full recomputations so far (the cap needs a last window) */
  #windows = 0;
  /**
   * per group, the demand window still open (index on the forecasts' grid, NaN: none yet), the requests
   * counted in it, the arrival that last counted a request, and all reads and requests so far; and the time
   * arrivals have been counted from (init: a rollout's allocator starts at its fork) (see #floorRate)
   */
  #openWindow = new Float64Array(0);
  #openRequests = new Float64Array(0);
  #openStamp = new Float64Array(0);
  #totalReads = new Float64Array(0);
  #totalRequests = new Float64Array(0);
  #arrivals = 0;
  #countedFrom = 0;
  #floor = new Float64Array(0);
  #computeBudget = new Float64Array(0);
  #budget = new Float64Array(0);
  #open = new Uint8Array(0);
  /** per tenant: the least attention and compute any refresh of its twins holds (a budget below both admits none) */
  #cheapestAttention = new Float64Array(0);
  #cheapestCompute = new Float64Array(0);
  #buckets = new Map<number, Bucket>();
  /** the buckets of keys in the key table's range and tenants < TABLE_TENANTS, at (key + KEY_TABLE_HALF) · TABLE_TENANTS + tenant */
  readonly #bucketTable: (Bucket | undefined)[] = new Array(2 * KEY_TABLE_HALF * TABLE_TENANTS).fill(
    undefined,
  );
  #bucketList: Bucket[] = [];
  #entries = 0;
  // the last window's normalisers, for O(1) updates of one twin between windows
  #zMax = 0;
  #expSum = 1;
  #temperature = 1;
  #groupScale = new Float64Array(0);
  #level = 1;
  #cap = 1;
  #negligible = 0;
  #deficit = new Float64Array(0);
  #attention = 1;
  /** `preempts`'s slots per node and the refresh's time there */
  readonly #preemptSlots: number[] = [];
  readonly #preemptTook: number[] = [];
  readonly #preemptFrees: number[] = [];
  /** `#onTimeBehind`'s counts of slots freed by a time, per node prefix and suffix (each kept up to `waiting`) */
  #before = new Float64Array(0);
  #after = new Float64Array(0);
  #others = new Float64Array(0);
  /**
   * Whether a request's task has asked for attention: until one has, only refreshes hold attention, so a node
   * whose attention is all held frees a slot when its first running refresh ends (see `preempts`)
   */
  #tasksHoldAttention = false;
  #nextRecompute = 0;
  // caches of feature values (see #featuresInto), each with the inputs it was computed from
  /**
   * Each twin's criticality (fixed, as `#meanCriticality` already takes it) and the suspicion of its newest
   * sample, which changes only with a new sample, i.e. right before `refreshed(twin, true)`: read there and
   * at `init`, so that the per-window pass over all twins touches no twin object.
   */
  #criticality = new Float64Array(0);
  #suspicion = new Float64Array(0);
  /**
   * Mirrors of twin state the bucket heads are checked against, so that picking a twin touches no twin
   * object: whether it is refreshing (the world sets that right before `refreshStarted` and clears it right
   * before `refreshed`, which read it), the time of its newest sample (it changes only right before
   * `refreshed(twin, true)`), and what a refresh of it holds (fixed).
   */
  #refreshing = new Uint8Array(0);
  #lastSample = new Float64Array(0);
  #refreshAttention = new Float64Array(0);
  #refreshCompute = new Float64Array(0);
  #critSeen = new Float64Array(0);
  #critLog = new Float64Array(0);
  #suspicionSeen = new Float64Array(0);
  #suspicionLog = new Float64Array(0);
  /** bucket keys k with 2^((k ± 0.5)/8), the bounds of rate × n that round to k (see #setRate) */
  readonly #keyBounds = new Map<number, readonly [number, number]>();
  /** the same bounds for keys −KEY_TABLE_HALF … KEY_TABLE_HALF − 1: low, high of key k at 2 (k + KEY_TABLE_HALF) (NaN: not yet computed) */
  readonly #keyTable = new Float64Array(4 * KEY_TABLE_HALF).fill(Number.NaN);
  /** each twin's bucket key's bounds (NaN: none) */
  #keyLow = new Float64Array(0);
  /** scratch: the twins whose bucket changed in a recomputation */
  #moved = new Int32Array(0);
  #keyHigh = new Float64Array(0);
  /**
   * each twin's expected error after UNCERTAINTY_HORIZON s from its drift estimator, set at every sample
   * once it has MIN_DRIFT_SAMPLES (NaN before): what `expectedError` would return now
   */
  #error = new Float64Array(0);
  #costSeen = new Float64Array(0);
  #costMeanSeen = new Float64Array(0);
  #costLog = new Float64Array(0);
  #hazardSeen = new Float64Array(0);
  #hazardCritSeen = new Float64Array(0);
  #hazardLog = new Float64Array(0);
  #demandSeen = new Float64Array(0);
  #demandLog = new Float64Array(0);
  /** scratch of #scoreAll: each group's cost and demand features */
  #groupCostFeature = new Float64Array(0);
  #groupDemandFeature = new Float64Array(0);
  readonly #filler = new WaterFiller();
  // the twins one select passed over (their group failed to place at this instant), pushed back at its end
  readonly #skipBucket: Bucket[] = [];
  readonly #skipEntry: number[] = [];
  /** per workload, per tenant index: the demand keys of its arrivals (no strings built per arrival) */
  readonly #arrivalKeys = new Map<string, (readonly [string, string])[]>();

  constructor(ctx: ArsContext, options: ArsAttentionOptions) {
    this.#ctx = ctx;
    this.#uniform = options.uniform;
    this.name = options.uniform ? 'ars-uniform-attention' : 'ars-attention';
  }

  init(s: Snapshot): void {
    this.#ctx.snapshot = s;
    const n = s.twins.length;
    this.#n = n;
    this.#tenantOf = new Int32Array(n);
    this.#groupOf = new Int32Array(n);
    const groups = new Map<string, number>();
    for (const t of s.twins) {
      let g = groups.get(t.group);
      if (g === undefined) {
        g = groups.size;
        groups.set(t.group, g);
        this.#groupIds.push(t.group);
        this.#groupKeys.push(`group:${t.group}`);
      }
      this.#groupOf[t.index] = g;
      this.#tenantOf[t.index] = t.tenant;
    }
    const G = groups.size;
    this.#groupSize = new Int32Array(G);
    for (let i = 0; i < n; i++) this.#groupSize[this.#groupOf[i]!]!++;
    this.#groupCost = new Float64Array(G).fill(1);
    this.#groupDuration = new Float64Array(G).fill(1);
    this.#groupCostSeen = new Int32Array(G);
    this.#groupUncertainty = new Float64Array(G);
    this.#groupSurprises = new Float64Array(G);
    this.#groupSamples = new Float64Array(G);
    this.#samplesOf = new Float64Array(n);
    this.#groupPrior = new Float64Array(G);
    this.#groupHazard = new Float64Array(G);
    let critSum = 0;
    for (const t of s.twins) {
      this.#groupPrior[this.#groupOf[t.index]!] = Math.max(0, t.anomalyRate);
      critSum += Math.max(t.criticality, 1e-3);
    }
    this.#meanCriticality = n > 0 ? critSum / n : 1;
    this.#tenantTwins = new Int32Array(s.tenants.length);
    for (let i = 0; i < n; i++) this.#tenantTwins[this.#tenantOf[i]!]!++;
    this.#deficit = new Float64Array(s.tenants.length);
    this.#groupScale = new Float64Array(s.tenants.length).fill(1);
    this.#drift = new DriftBank(n, DRIFT_FORGETTING);
    this.#z = new Float64Array(n);
    this.#weight = new Float64Array(n);
    this.#share = new Float64Array(n);
    this.#rate = new Float64Array(n);
    this.#version = new Int32Array(n);
    this.#bucketKey = new Int32Array(n).fill(NO_BUCKET);
    this.#selected = new Uint8Array(n);
    this.#proactive = new Uint8Array(n);
    this.#startedAt = new Float64Array(n);
    this.#failedAt = new Float64Array(G).fill(Number.NaN);
    this.#groupMaxAge = new Float64Array(G).fill(Number.POSITIVE_INFINITY);
    this.#groupTight = new Float64Array(G);
    // NaN until the group's first read: the first request's work starts the mean (not a pull from 0)
    this.#groupWork = new Float64Array(G).fill(Number.NaN);
    // the queue order's estimate of what a request waiting on a refresh still has to do (compute.ts)
    const groupWork = this.#groupWork;
    const groupOf = this.#groupOf;
    this.#ctx.readWork = (twin) => {
      const g = groupOf[twin];
      return g === undefined ? 0 : groupWork[g]! || 0;
    };
    this.#groupTightBlind = new Float64Array(G);
    this.#demandScale = new Float64Array(G);
    this.#demandCap = new Float64Array(G).fill(Number.POSITIVE_INFINITY);
    this.#openWindow = new Float64Array(G).fill(Number.NaN);
    this.#openRequests = new Float64Array(G);
    this.#openStamp = new Float64Array(G).fill(-1);
    this.#totalReads = new Float64Array(G);
    this.#totalRequests = new Float64Array(G);
    this.#countedFrom = s.now;
    this.#floor = new Float64Array(n);
    this.#computeBudget = new Float64Array(s.tenants.length);
    this.#budget = new Float64Array(s.tenants.length);
    this.#open = new Uint8Array(s.tenants.length);
    this.#cheapestAttention = new Float64Array(s.tenants.length).fill(Number.POSITIVE_INFINITY);
    this.#cheapestCompute = new Float64Array(s.tenants.length).fill(Number.POSITIVE_INFINITY);
    for (const t of s.twins) {
      this.#cheapestAttention[t.tenant] = Math.min(this.#cheapestAttention[t.tenant]!, t.refreshAttention);
      this.#cheapestCompute[t.tenant] = Math.min(this.#cheapestCompute[t.tenant]!, t.refreshCompute);
    }
    // the cheapest refresh of any tenant: what a free slot must hold
    const minAttention = Math.min(...this.#cheapestAttention);
    const minCompute = Math.min(...this.#cheapestCompute);
    this.#minRefreshAttention = Number.isFinite(minAttention) ? minAttention : 0;
    this.#minRefreshCompute = Number.isFinite(minCompute) ? minCompute : 0;
    this.#ctx.refreshReserve = new Float64Array(s.tenants.length);
    this.#ctx.refreshNode = new Int32Array(n).fill(-1);
    this.#criticality = new Float64Array(n);
    this.#suspicion = new Float64Array(n);
    this.#refreshing = new Uint8Array(n);
    this.#lastSample = new Float64Array(n);
    this.#refreshAttention = new Float64Array(n);
    this.#refreshCompute = new Float64Array(n);
    for (const t of s.twins) {
      this.#criticality[t.index] = t.criticality;
      this.#suspicion[t.index] = t.suspicion;
      this.#refreshing[t.index] = t.refreshing ? 1 : 0;
      this.#lastSample[t.index] = t.lastSample;
      this.#refreshAttention[t.index] = t.refreshAttention;
      this.#refreshCompute[t.index] = t.refreshCompute;
    }
    this.#keyLow = new Float64Array(n).fill(Number.NaN);
    this.#moved = new Int32Array(n);
    this.#keyHigh = new Float64Array(n).fill(Number.NaN);
    this.#critSeen = new Float64Array(n).fill(Number.NaN);
    this.#critLog = new Float64Array(n);
    this.#suspicionSeen = new Float64Array(n).fill(Number.NaN);
    this.#suspicionLog = new Float64Array(n);
    this.#error = new Float64Array(n).fill(Number.NaN);
    this.#costSeen = new Float64Array(G).fill(Number.NaN);
    this.#costMeanSeen = new Float64Array(G).fill(Number.NaN);
    this.#costLog = new Float64Array(G);
    this.#hazardSeen = new Float64Array(G).fill(Number.NaN);
    this.#hazardCritSeen = new Float64Array(G).fill(Number.NaN);
    this.#hazardLog = new Float64Array(G);
    this.#demandSeen = new Float64Array(G).fill(Number.NaN);
    this.#demandLog = new Float64Array(G);
    this.#recompute(s);
  }

  // ------------------------------------------------------------------ features and weights

  /** Feature values of one twin (before weighting). */
  features(i: number, s: Snapshot): Record<AttentionFeature, number> {
    const x = this.#x;
    this.#featuresInto(i, s, x);
    return {
      criticality: x[0]!,
      cost: x[1]!,
      uncertainty: x[2]!,
      suspicion: x[3]!,
      hazard: x[4]!,
      demand: x[5]!,
      fairness: x[6]!,
    };
  }

  /**
   * The features in `ATTENTION_FEATURES` order into `out`, without allocating (the per-window hot path).
   * Values that did not change are not recomputed: each cached value is kept with the inputs it came from
   * (criticality and suspicion per twin; refresh cost, hazard and demand rate per group; a twin's expected
   * error until its next sample) and used only while they are the same numbers, so every feature is the
   * number the expression gives. With `uncertain` false the uncertainty is left at 0 (for a score whose
   * weight on it is 0: the feature is finite, so its term is ±0 either way and no sum changes). The demand
   * rate is read at the same moments as before (a read catches the forecasts up).
   */
  #featuresInto(i: number, _s: Snapshot, out: Float64Array, uncertain = true): void {
    const g = this.#groupOf[i]!;
    const ctx = this.#ctx;
    let uncertainty = 0;
    let demand = 0;
    if (ctx.useForecast) {
      const mean = this.#groupUncertainty[g]!;
      // #error is set (maybe to NaN) once the twin's estimator has MIN_DRIFT_SAMPLES samples, NaN before
      if (uncertain && mean > 0) {
        const e = this.#error[i]!;
        if (e > 0 && Number.isFinite(e)) uncertainty = Math.max(-2, Math.min(2, Math.log(e / mean)));
      }
      demand = this.#demandFeature(g);
    }
    const c = this.#criticality[i]!;
    let critLog = this.#critLog[i]!;
    if (c !== this.#critSeen[i]) {
      critLog = Math.log(Math.max(c, 1e-3));
      this.#critSeen[i] = c;
      this.#critLog[i] = critLog;
    }
    // hazard: the anomaly exposure this twin adds to its criticality (see #hazards)
    const x = this.#groupHazard[g]!;
    let hazard = this.#hazardLog[g]!;
    if (x !== this.#hazardSeen[g] || c !== this.#hazardCritSeen[g]) {
      hazard = x > 0 ? Math.log1p((x * this.#meanCriticality) / Math.max(c, 1e-3)) : 0;
      this.#hazardSeen[g] = x;
      this.#hazardCritSeen[g] = c;
      this.#hazardLog[g] = hazard;
    }
    const costLog = this.#costFeature(g);
    const su = this.#suspicion[i]!;
    let suspicion = this.#suspicionLog[i]!;
    if (su !== this.#suspicionSeen[i]) {
      suspicion = Math.log1p(Math.min(Math.max(su, 0), 20));
      this.#suspicionSeen[i] = su;
      this.#suspicionLog[i] = suspicion;
    }
    out[0] = critLog;
    out[1] = costLog;
    out[2] = uncertainty;
    out[3] = suspicion;
    out[4] = hazard;
    out[5] = demand;
    out[6] = this.#deficit[this.#tenantOf[i]!]!;
  }

  /** The cost feature of group g, ln(r_g / r̄), recomputed only when the refresh cost or its mean changed. */
  #costFeature(g: number): number {
    const cost = this.#groupCost[g]!;
    const meanCost = this.#ctx.refreshSeconds;
    if (cost !== this.#costSeen[g] || meanCost !== this.#costMeanSeen[g]) {
      this.#costSeen[g] = cost;
      this.#costMeanSeen[g] = meanCost;
      this.#costLog[g] = Math.log(cost / meanCost);
    }
    return this.#costLog[g]!;
  }

  /**
   * The demand feature of group g (forecasting on): ln(1 + 60 λ) per twin, the log recomputed only when the
   * forecast rate changed, times the group's scale (see #freshnessFloors). Reads the rate as the callers
   * always did (a read catches the forecasts up).
   */
  #demandFeature(g: number): number {
    const rate = this.#groupRateFresh ? this.#groupRate[g]! : this.#ctx.rate(this.#groupKeys[g]!);
    if (rate !== this.#demandSeen[g]) {
      this.#demandSeen[g] = rate;
      this.#demandLog[g] = Math.log1p((60 * rate) / this.#groupSize[g]!);
    }
    return this.#cappedDemand(g);
  }

  /** The demand feature of group g from its last log: scaled (see #freshnessFloors) and capped (#demandCap). */
  #cappedDemand(g: number): number {
    const scale = this.#demandScale[g]!;
    return scale > 0 ? Math.min(scale * this.#demandLog[g]!, this.#demandCap[g]!) : 0;
  }

  /** Each feature's contribution to the rate score (weight × value). */
  contributions(i: number, s: Snapshot): Record<AttentionFeature, number> {
    const x = this.features(i, s);
    const p = this.#ctx.params;
    const u = this.#uniform ? 0 : 1;
    return {
      criticality: u * p.wCriticality * x.criticality,
      cost: u * p.wCost * x.cost,
      uncertainty: u * p.wUncertainty * x.uncertainty,
      suspicion: u * p.wSuspicion * x.suspicion,
      hazard: u * p.wHazard * x.hazard,
      demand: u * p.wDemand * x.demand,
      fairness: u * p.wFairness * x.fairness,
    };
  }

  /** Σ contributions in `ATTENTION_FEATURES` order: the same arithmetic as summing `contributions`. */
  #score(i: number, s: Snapshot): number {
    if (this.#uniform) return 0;
    const x = this.#x;
    const p = this.#ctx.params;
    this.#featuresInto(i, s, x, p.wUncertainty !== 0);
    let z = 0;
    z += 1 * p.wCriticality * x[0]!;
    z += 1 * p.wCost * x[1]!;
    z += 1 * p.wUncertainty * x[2]!;
    z += 1 * p.wSuspicion * x[3]!;
    z += 1 * p.wHazard * x[4]!;
    z += 1 * p.wDemand * x[5]!;
    z += 1 * p.wFairness * x[6]!;
    return z;
  }

  /**
   * `#score` of every twin into `#z`, for the full recomputation: the same features, caches and sums, with the
   * per-group values (refresh cost, demand) looked up once per group and the fields read once per pass rather
   * than once per twin. Each z is the same number `#score` gives (the terms are added in the same order; the
   * factor 1 of a contribution changes no weight).
   */
  #scoreAll(s: Snapshot): void {
    const n = this.#n;
    const z = this.#z;
    if (this.#uniform) {
      z.fill(0);
      return;
    }
    const p = this.#ctx.params;
    const wC = 1 * p.wCriticality;
    const wK = 1 * p.wCost;
    const wU = 1 * p.wUncertainty;
    const wS = 1 * p.wSuspicion;
    const wH = 1 * p.wHazard;
    const wD = 1 * p.wDemand;
    const wF = 1 * p.wFairness;
    const G = this.#groupIds.length;
    const useForecast = this.#ctx.useForecast;
    // per group: the cost and demand features (through the same caches as #featuresInto)
    if (this.#groupCostFeature.length !== G) {
      this.#groupCostFeature = new Float64Array(G);
      this.#groupDemandFeature = new Float64Array(G);
    }
    const costF = this.#groupCostFeature;
    const demandF = this.#groupDemandFeature;
    for (let g = 0; g < G; g++) {
      costF[g] = this.#costFeature(g);
      demandF[g] = useForecast ? this.#demandFeature(g) : 0;
    }
    const uncertain = useForecast && p.wUncertainty !== 0;
    const groupOf = this.#groupOf;
    const tenantOf = this.#tenantOf;
    const groupUncertainty = this.#groupUncertainty;
    const error = this.#error;
    const criticality = this.#criticality;
    const critSeen = this.#critSeen;
    const critLogs = this.#critLog;
    const groupHazard = this.#groupHazard;
    const hazardSeen = this.#hazardSeen;
    const hazardCritSeen = this.#hazardCritSeen;
    const hazardLog = this.#hazardLog;
    const meanCriticality = this.#meanCriticality;
    const suspicions = this.#suspicion;
    const suspicionSeen = this.#suspicionSeen;
    const suspicionLog = this.#suspicionLog;
    const deficit = this.#deficit;
    for (let i = 0; i < n; i++) {
      const g = groupOf[i]!;
      let uncertainty = 0;
      if (uncertain) {
        const mean = groupUncertainty[g]!;
        if (mean > 0) {
          const e = error[i]!;
          if (e > 0 && Number.isFinite(e)) uncertainty = Math.max(-2, Math.min(2, Math.log(e / mean)));
        }
      }
      const c = criticality[i]!;
      let critLog = critLogs[i]!;
      if (c !== critSeen[i]) {
        critLog = Math.log(Math.max(c, 1e-3));
        critSeen[i] = c;
        critLogs[i] = critLog;
      }
      const x = groupHazard[g]!;
      let hazard = hazardLog[g]!;
      if (x !== hazardSeen[g] || c !== hazardCritSeen[g]) {
        hazard = x > 0 ? Math.log1p((x * meanCriticality) / Math.max(c, 1e-3)) : 0;
        hazardSeen[g] = x;
        hazardCritSeen[g] = c;
        hazardLog[g] = hazard;
      }
      const su = suspicions[i]!;
      let suspicion = suspicionLog[i]!;
      if (su !== suspicionSeen[i]) {
        suspicion = Math.log1p(Math.min(Math.max(su, 0), 20));
        suspicionSeen[i] = su;
        suspicionLog[i] = suspicion;
      }
      let zi = 0;
      zi += wC * critLog;
      zi += wK * costF[g]!;
      zi += wU * uncertainty;
      zi += wS * suspicion;
      zi += wH * hazard;
      zi += wD * demandF[g]!;
      zi += wF * deficit[tenantOf[i]!]!;
      z[i] = zi;
    }
    void s;
  }

  /** Full recomputation: features, softmax, water-filling, target rates, buckets. O(n). */
  #recompute(s: Snapshot): void {
    const ctx = this.#ctx;
    const p: ArsParams = ctx.params;
    const n = this.#n;
    ctx.dirty = false;
    this.#nextRecompute = s.now + p.window;
    if (n === 0) return;
    if (this.#picks > 0) {
      this.#stretch += STRETCH_SMOOTHING * (this.#pickOverdue / this.#picks - this.#stretch);
      this.#pickOverdue = 0;
      this.#picks = 0;
    }
    ctx.tick(s.now);
    // group means: refresh cost and time (measured) and uncertainty growth
    let costSum = 0;
    let durationSum = 0;
    let costCount = 0;
    for (let g = 0; g < this.#groupIds.length; g++) {
      if (this.#groupCostSeen[g]! > 0) {
        costSum += this.#groupCost[g]! * this.#groupSize[g]!;
        durationSum += this.#groupDuration[g]! * this.#groupSize[g]!;
        costCount += this.#groupSize[g]!;
      }
    }
    const measuredMean = costCount > 0 ? costSum / costCount : 1;
    const durationMean = costCount > 0 ? durationSum / costCount : 1;
    for (let g = 0; g < this.#groupIds.length; g++)
      if (this.#groupCostSeen[g] === 0) {
        this.#groupCost[g] = measuredMean;
        this.#groupDuration[g] = durationMean;
      }
    ctx.refreshSeconds = durationMean;
    if (ctx.useForecast) {
      const sum = new Float64Array(this.#groupIds.length);
      const cnt = new Int32Array(this.#groupIds.length);
      for (let i = 0; i < n; i++) {
        // NaN while the twin has fewer than MIN_DRIFT_SAMPLES samples (the estimator's objects stay untouched)
        const e = this.#error[i]!;
        if (!(e > 0 && Number.isFinite(e))) continue;
        const g = this.#groupOf[i]!;
        sum[g] = sum[g]! + e;
        cnt[g] = cnt[g]! + 1;
      }
      for (let g = 0; g < sum.length; g++) this.#groupUncertainty[g] = cnt[g]! > 0 ? sum[g]! / cnt[g]! : 0;
    }
    this.#hazards(s.now);
    if (p.wSlot > 0) this.#updatePrices(s);
    for (let t = 0; t < this.#deficit.length; t++) this.#deficit[t] = ctx.deficit(t, s);
    let attention = 0;
    for (const node of s.nodes) if (node.up) attention += node.attentionCapacity;
    this.#attention = Math.max(attention, 1e-9);
    // the floors first: they decide which groups' reads are left to on-demand refreshes (no demand feature)
    this.#freshnessFloors(s);
    // scores → softmax weights → shares
    // a group's forecast rate is the same for all its twins within this loop (the clock does not move and no
    // arrival is recorded), so it is asked once per group
    if (ctx.useForecast) {
      if (this.#groupRate.length !== this.#groupKeys.length)
        this.#groupRate = new Float64Array(this.#groupKeys.length);
      for (let g = 0; g < this.#groupKeys.length; g++) this.#groupRate[g] = ctx.rate(this.#groupKeys[g]!);
      this.#groupRateFresh = true;
    }
    this.#scoreAll(s);
    this.#groupRateFresh = false;
    this.#temperature = this.#uniform ? 1 : p.temperature;
    // the softmax's own normalisers: its maximum and Σ exp((z − max)/τ), the same loops as a second pass
    const norm = softmaxNorm(this.#z, this.#temperature, this.#weight);
    this.#zMax = norm.max;
    this.#expSum = norm.sum;
    const floors = new Float64Array(this.#tenantTwins.length);
    for (let t = 0; t < floors.length; t++) floors[t] = (p.tenantFloor * this.#tenantTwins[t]!) / n;
    this.#cap = Math.min(1, p.twinCap / n);
    this.#negligible = p.negligible / n;
    const fill = this.#filler.fill(this.#weight, {
      group: this.#tenantOf,
      floors,
      cap: this.#cap,
      negligible: this.#negligible,
      itemFloors: this.#floor,
    });
    this.#share = fill.shares;
    this.#groupScale = fill.groupScale;
    this.#level = fill.level;
    // twins whose bucket changed are queued afresh: one by one when few, else all buckets are rebuilt at once
    // (the same valid entries either way; a bucket's order depends only on its entries' keys)
    let moved = 0;
    const movedTwins = this.#moved;
    // one pass: each twin's target rate (#setRate's arithmetic, its common case inline: the rate still inside
    // its bucket key's bounds) and the tenants' reserves (summed in twin order, as before)
    const reserve = ctx.refreshReserve;
    reserve.fill(0);
    const share = this.#share;
    const tenantOf = this.#tenantOf;
    const groupOf = this.#groupOf;
    const groupCost = this.#groupCost;
    const rates = this.#rate;
    const keyLow = this.#keyLow;
    const keyHigh = this.#keyHigh;
    for (let i = 0; i < n; i++) {
      const si = share[i]!;
      const rate = si > 0 ? si / groupCost[groupOf[i]!]! : 0;
      const x = rate * n;
      if (rate > 0 && x > keyLow[i]! && x < keyHigh[i]!) rates[i] = rate;
      else if (this.#setRate(i, s, si, false)) movedTwins[moved++] = i;
      const t = tenantOf[i]!;
      reserve[t] = reserve[t]! + si * attention;
    }
    if (moved > n / 16 || this.#entries + moved > 3 * n + 64) this.#rebuild(s);
    else for (let k = 0; k < moved; k++) this.#enqueue(movedTwins[k]!, s);
  }

  /**
   * Each group's anomaly rate per twin, as a gamma-Poisson posterior: the asset model's declared rate a₀
   * counts as `hazardPrior` seconds of observation, the surprising samples k seen per twin of the group in
   * the t seconds so far as the rest, â = (a₀·τ + k) / (τ + t). A slow drift never surprises, so the prior
   * carries it; a group the model says nothing of is learned from its surprises alone. The feature a twin
   * gets is ln(1 + κ · (â / ā) · (c̄ / c)), ā and c̄ the means over all twins (one pseudo-surprise spread over
   * them keeps a single early event from counting as certainty): with wHazard equal to wCriticality its rate
   * is ∝ √((c/c̄ + κ · â/ā) / r), the periodic optimum of Σ c·age / Σ c + κ · mean detection delay, since an
   * anomaly waits half a period on average for the refresh that sees it.
   */
  #hazards(now: number): void {
    const G = this.#groupIds.length;
    const kappa = this.#ctx.params.anomalyWeight;
    const tau = this.#ctx.params.hazardPrior;
    const t = Math.max(now, 0);
    let total = 1 / (tau + t); // the pseudo-surprise
    // noise makes some samples of any group surprising: a group the model declares nothing of counts only the
    // surprises beyond the fleet's rate per sample, and only once they are clearly more (Poisson, 3σ + 3)
    let surprises = 0;
    let samples = 0;
    for (let g = 0; g < G; g++) {
      surprises += this.#groupSurprises[g]!;
      samples += this.#groupSamples[g]!;
    }
    const noise = samples > 0 ? surprises / samples : 0;
    for (let g = 0; g < G; g++) {
      let k = this.#groupSurprises[g]!;
      if (this.#groupPrior[g] === 0) {
        const expected = noise * this.#groupSamples[g]!;
        k = k > expected + SURPRISE_Z * Math.sqrt(expected) + SURPRISE_Z ? k - expected : 0;
      }
      const rate = (this.#groupPrior[g]! * tau + k / this.#groupSize[g]!) / (tau + t);
      this.#groupHazard[g] = rate;
      total += rate * this.#groupSize[g]!;
    }
    const mean = total / Math.max(this.#n, 1);
    for (let g = 0; g < G; g++) {
      const r = this.#groupHazard[g]!;
      this.#groupHazard[g] = r > 0 && mean > 0 ? (kappa * r) / mean : 0;
    }
  }

  /**
   * Freshness floors from the demand forecast: requests that need a twin at most m seconds old find it stale
   * unless it is refreshed often enough, and a stale read waits for a refresh. A twin refreshed every m − r
   * seconds (r: the refresh's own duration) is never stale; one refreshed every m seconds is stale only while
   * its next refresh is in flight, which serves a read whose deadline allows the rest of it (a *blind* read,
   * below). So the period a group plans for runs from m − r where blind reads miss to m where none do
   * (m − q_blind · r in between); aiming at `freshMargin` (default 95 %) of it leaves room for the dispatch's
   * jitter. That period P costs a share r / (P · A) of the attention capacity A, the group's *keep-fresh
   * share*. (It was m − r for every group until session 23: smart-hospital's ICU monitors, read with a 2 s
   * bound at 0.4 s a refresh and served by the refresh in flight, were held a quarter more often than their reads
   * needed, at 5 % of the weighted AoI; docs/ars-policy.md, section 2.)
   *
   * A twin refreshed every T > m − r seconds is stale for T + r − m of each period, and a read then falls in
   * one of two cases. Idle: no refresh is in flight, the read asks for one on demand and waits r. Blind: a
   * refresh is in flight, but its sample was taken before the read arrived; the read goes on with it when its
   * sample meets the bound (r ≤ m) and waits for the rest of it (r / 2 on average), else it waits for the rest
   * and a refresh of its own (1.5 r; see BLIND_SERVED). Blind reads take r of each period, idle ones T − m, so
   * with q_idle and q_blind the chances that each misses its deadline, the share of reads that miss is
   * M(T) = q_idle + (r · q_blind − m · q_idle) / T. The q's come from the group's running mean tightness
   * (the wait + half the request's work at speed 2, a typical fast node, over its relative deadline;
   * `missChance`).
   *
   * - m · q_idle ≥ r · q_blind (stale reads miss mostly for want of any sample; always so where r ≤ m, as a
   *   blind read then waits less than an idle one): refreshing more often lowers M, so a partial floor helps
   *   in proportion. Floor = the keep-fresh share × the coverage min(1, wFresh · λ · m) (λ · m: expected
   *   requests within m seconds) × q_idle, the misses a stale read costs: a group whose stale reads still
   *   make their deadlines needs no floor. (The floor used to start at a lower tightness, 0.4, than a miss
   *   does, 0.6; with blind reads priced as the world serves them, that gave the container port's cranes, read
   *   with a 1.5 s bound and a 0.6 s deadline at 0.24 s a refresh, a floor that bought no misses and cost
   *   weighted AoI: docs/ars-policy.md, section 2.) These floors together take at most `freshBudget` of the
   *   capacity (scaled down together past it).
   * - m · q_idle < r · q_blind (a bound tighter than a refresh: an on-demand refresh mostly fits the deadline,
   *   a refresh in flight does not): refreshing more often *raises* M until T reaches m − r, where it drops to
   *   0. Only the whole keep-fresh share buys misses; a part of it buys more blind reads. Such a group gets its
   *   whole keep-fresh share when its coverage × q_blind is at least ½ and it fits in the budget left (groups
   *   with the most such value first), and otherwise no floor and no demand feature: its reads are left to
   *   on-demand refreshes.
   *
   * The demand feature (more attention to twins read often) buys misses too, so it counts only as far as a
   * stale read would miss: a group in the first case gets it × q_idle, one kept wholly fresh all of it, and a
   * group nobody reads with an age bound, or whose stale reads fit their deadline anyway, none.
   *
   * Past the share that keeps a group fresh, neither buys anything: its reads find their twins fresh, and
   * more attention only ages every other twin. So for a group whose own share, without the demand term
   * (`#natural`, the last window's), already reaches its keep-fresh share, the term may raise the share up to
   * the keep-fresh share over freshMargin (a period of freshMargin² · (m − r): the floors' margin for the
   * dispatch's jitter, taken once more because the share is a mean over the group's twins) times the stretch of
   * the periods (`#stretch`, at least 1: where the twins wait longer than their target periods, a share buys
   * longer periods than planned), and no further (`#demandCap`). A group whose own share is already there gets
   * no demand term and no whole floor (a partial floor stays: below the share, it costs nothing). A group below
   * its keep-fresh share keeps the whole term: with an age bound of a few refresh times (cascade's cranes: 3 s
   * at 0.4 s a refresh) the term's surplus past the floor is the margin its reads need. The first window has
   * no last one, and no cap.
   */
  #freshnessFloors(s: Snapshot): void {
    const floor = this.#floor;
    const ctx = this.#ctx;
    const G = this.#groupIds.length;
    // each group's mean share without its demand term, as the last window left it (read before it is reset)
    const natural = ctx.useForecast && !this.#uniform && this.#windows > 0 ? this.#natural() : undefined;
    this.#windows++;
    floor.fill(0);
    this.#demandScale.fill(0);
    this.#demandCap.fill(Number.POSITIVE_INFINITY);
    const w = ctx.params.wFresh;
    if (!ctx.useForecast || this.#uniform) return;
    const missFrom = ctx.params.preempt >= 1 ? MISS_FROM_PREEMPT : MISS_FROM;
    const groupFloor = new Float64Array(G);
    const whole: { g: number; value: number; share: number }[] = [];
    let partial = 0;
    for (let g = 0; g < G; g++) {
      const m = this.#groupMaxAge[g]!;
      if (!Number.isFinite(m)) continue;
      const lambda = this.#floorRate(g, s.now) / this.#groupSize[g]!;
      if (!(lambda > 0)) continue;
      const r = this.#groupDuration[g]!;
      // chances that an idle and a blind stale read miss the deadline (see missChance)
      const qIdle = missChance(this.#groupTight[g]!, missFrom);
      const qBlind = missChance(this.#groupTightBlind[g]!, missFrom);
      const blindMiss = m * qIdle < r * qBlind;
      // the period past which a read can miss: m − r where blind reads miss (the refresh must land before the
      // bound), up to m where they do not (a read then finds the next refresh in flight and goes on with it)
      const period = ctx.params.freshMargin * Math.max(m - (blindMiss ? 1 : qBlind) * r, 0.5 * m);
      const keep = this.#groupCost[g]! / (period * this.#attention);
      // how far the demand term may raise the share of a group already at its keep-fresh share: up to that share
      // over freshMargin; as a softmax weight is ∝ exp(wDemand · d / τ), that bounds d by τ · ln(room) / wDemand
      // (σ ≥ 1 and freshMargin ≤ 1, so a group below its keep-fresh share has room > 1: it is never `fresh`)
      const own = natural?.[g];
      const room =
        own !== undefined && own >= keep
          ? (Math.max(1, this.#stretch) * keep) / (ctx.params.freshMargin * own)
          : Number.POSITIVE_INFINITY;
      const fresh = room <= 1;
      const wD = ctx.params.wDemand;
      if (wD > 0 && room < Number.POSITIVE_INFINITY)
        this.#demandCap[g] = (ctx.params.temperature * Math.log(Math.max(1, room))) / wD;
      const coverage = w > 0 ? Math.min(1, w * lambda * m) : 0;
      if (!blindMiss) {
        groupFloor[g] = qIdle * coverage * keep;
        this.#demandScale[g] = qIdle;
        partial += groupFloor[g]! * this.#groupSize[g]!;
      } else {
        this.#demandScale[g] = 0;
        if (coverage * qBlind >= 0.5 && !fresh)
          whole.push({ g, value: coverage * qBlind, share: keep * this.#groupSize[g]! });
      }
    }
    // partial floors past the budget are scaled down together: a floor that cannot be kept buys freshness only
    // in proportion to its rate, and taken from every other twin it costs more age than it saves misses
    const budget = ctx.params.freshBudget;
    if (partial > budget) {
      const k = budget / partial;
      for (let g = 0; g < G; g++) groupFloor[g] = groupFloor[g]! * k;
      partial = budget;
    }
    whole.sort((a, b) => b.value - a.value || a.g - b.g);
    let left = budget - partial;
    for (const c of whole) {
      if (c.share > left) continue;
      left -= c.share;
      groupFloor[c.g] = c.share / this.#groupSize[c.g]!;
      this.#demandScale[c.g] = 1;
    }
    for (let i = 0; i < this.#n; i++) floor[i] = groupFloor[this.#groupOf[i]!]!;
  }

  /**
   * Each group's mean share over its twins as the last window left it, with its demand term taken out: a
   * twin's share is its softmax weight, ∝ exp(z / τ), times the level, so a term wDemand · d (d the group's
   * demand feature then) multiplied it by exp(wDemand · d / τ). Without the term the level would be a little
   * higher, so this is at most the share the group would have had (the test it serves errs towards the term).
   */
  #natural(): Float64Array {
    const G = this.#groupIds.length;
    const mean = new Float64Array(G);
    const share = this.#share;
    const groupOf = this.#groupOf;
    for (let i = 0; i < this.#n; i++) {
      const g = groupOf[i]!;
      mean[g] = mean[g]! + share[i]!;
    }
    const wD = this.#ctx.params.wDemand;
    for (let g = 0; g < G; g++) {
      const d = this.#cappedDemand(g);
      mean[g] = mean[g]! / this.#groupSize[g]! / Math.exp((wD * d) / this.#temperature);
    }
    return mean;
  }

  /**
   * The group's rate of twin reads the floors plan for. The forecast sees only closed demand windows, so at a
   * crowd's onset it lags by up to a window (10 s), and after the crowd it holds the floors for as long, at the
   * price of a floor that can take most of the capacity. The arrivals of the window still open are a test of
   * it: requests arrive as a Poisson stream, so with μ requests expected so far under the forecast, a count k
   * beyond μ + z√μ + z (z = OPEN_WINDOW_Z) means the rate has risen, and the floors take the open window's
   * rate k / t (t: the time the window has been open, counted from the allocator's start at the latest);
   * a count whose upper bound k + z√k + z is still below μ means it has fallen, and they take that
   * bound's rate (a fall is believed only as far as the count proves it). Otherwise the forecast stands.
   * Requests, not reads, are counted for the test (one request may read several twins of a group at once);
   * the rate is converted back with the group's mean reads per request so far.
   */
  #floorRate(g: number, now: number): number {
    const forecast = this.#ctx.rate(this.#groupKeys[g]!);
    const open = Math.floor(now / DEMAND_WINDOW);
    const t = now - Math.max(open * DEMAND_WINDOW, this.#countedFrom);
    if (!(t > 0)) return forecast;
    const k = this.#openWindow[g] === open ? this.#openRequests[g]! : 0;
    const requests = this.#totalRequests[g]!;
    const perRequest = requests > 0 ? this.#totalReads[g]! / requests : 1;
    const mu = (forecast * t) / perRequest;
    const z = OPEN_WINDOW_Z;
    if (k > mu + z * Math.sqrt(mu) + z) return (k * perRequest) / t;
    const high = k + z * Math.sqrt(k) + z;
    if (high < mu) return (high * perRequest) / t;
    return forecast;
  }

  /** Updates one twin's score and share with the last window's normalisers (after a new sample). */
  #update(i: number, s: Snapshot, requeue = true): void {
    const z = this.#score(i, s);
    this.#z[i] = z;
    const w = Math.exp((z - this.#zMax) / this.#temperature) / this.#expSum;
    this.#weight[i] = w;
    const floor = Math.min(this.#floor[i]!, this.#cap);
    let share = Math.min(this.#cap, Math.max(floor, w * this.#groupScale[this.#tenantOf[i]!]! * this.#level));
    if (share < this.#negligible && floor < this.#negligible) share = 0;
    this.#share[i] = share;
    this.#setRate(i, s, share, requeue);
  }

  /** Sets the target rate of a twin and moves it to its bucket when that changed (unless `requeue` is false). */
  #setRate(i: number, s: Snapshot, share: number, requeue = true): boolean {
    const cost = this.#groupCost[this.#groupOf[i]!]!;
    const rate = share > 0 ? share / cost : 0;
    this.#rate[i] = rate;
    const old = this.#bucketKey[i]!;
    let key = NO_BUCKET;
    if (rate > 0) {
      const x = rate * this.#n;
      // still well inside the old key's interval: round(8 log2 x) is the old key (no logarithm needed)
      if (x > this.#keyLow[i]! && x < this.#keyHigh[i]!) key = old;
      else {
        // a neighbouring key whose bounds hold x is round(8 log2 x) as well (the same argument); else the logarithm
        const table = this.#keyTable;
        const next = x >= this.#keyHigh[i]! ? old + 1 : old - 1;
        const slot = 2 * (next + KEY_TABLE_HALF);
        if (old !== NO_BUCKET && slot >= 0 && slot < table.length) {
          if (Number.isNaN(table[slot]!)) this.#fillKeyTable(next);
          if (x > table[slot]! && x < table[slot + 1]!) key = next;
        }
        if (key === NO_BUCKET) key = Math.round(BUCKETS_PER_OCTAVE * Math.log2(x));
        const at = 2 * (key + KEY_TABLE_HALF);
        if (at >= 0 && at < table.length) {
          if (Number.isNaN(table[at]!)) this.#fillKeyTable(key);
          this.#keyLow[i] = table[at]!;
          this.#keyHigh[i] = table[at + 1]!;
        } else {
          let bounds = this.#keyBounds.get(key);
          if (bounds === undefined && Number.isFinite(key)) {
            bounds = keyBounds(key);
            this.#keyBounds.set(key, bounds);
          }
          this.#keyLow[i] = bounds ? bounds[0] : Number.NaN;
          this.#keyHigh[i] = bounds ? bounds[1] : Number.NaN;
        }
      }
    } else {
      // the bounds belong to the key now stored: none
      this.#keyLow[i] = Number.NaN;
      this.#keyHigh[i] = Number.NaN;
    }
    this.#bucketKey[i] = key;
    if (key !== old && requeue) this.#enqueue(i, s);
    return key !== old;
  }

  #fillKeyTable(key: number): void {
    const [lo, hi] = keyBounds(key);
    const at = 2 * (key + KEY_TABLE_HALF);
    this.#keyTable[at] = lo;
    this.#keyTable[at + 1] = hi;
  }

  /** Puts a twin (back) into its bucket, invalidating any entry it had. */
  #enqueue(i: number, _s: Snapshot): void {
    const version = ++this.#version[i]!;
    const key = this.#bucketKey[i]!;
    if (key === NO_BUCKET || this.#refreshing[i] || this.#selected[i]) return;
    const tenant = this.#tenantOf[i]!;
    this.#bucket(key, tenant).heap.push(i, this.#lastSample[i]!, version);
    this.#entries++;
  }

  #bucket(key: number, tenant: number): Bucket {
    const slot =
      tenant < TABLE_TENANTS && key >= -KEY_TABLE_HALF && key < KEY_TABLE_HALF
        ? (key + KEY_TABLE_HALF) * TABLE_TENANTS + tenant
        : -1;
    let b = slot >= 0 ? this.#bucketTable[slot] : this.#buckets.get(key * TENANT_SLOTS + tenant);
    if (b === undefined) {
      b = {
        key,
        tenant,
        rate: 2 ** (key / BUCKETS_PER_OCTAVE) / this.#n,
        heap: new TwinHeap(),
        listed: false,
      };
      if (slot >= 0) this.#bucketTable[slot] = b;
      else this.#buckets.set(key * TENANT_SLOTS + tenant, b);
    }
    if (!b.listed) {
      // listed where a new bucket would be: the list stays in key order, ties in the order they (re)joined it
      b.listed = true;
      this.#bucketList.push(b);
      this.#bucketList.sort((x, y) => x.key - y.key);
    }
    return b;
  }

  /**
   * Drops every stale entry by rebuilding the buckets from the twins: each twin that can be picked gets a
   * fresh entry (a new version), appended to its bucket, and each bucket is then heapified in linear time.
   */
  #rebuild(_s: Snapshot): void {
    const list = this.#bucketList;
    for (let k = 0; k < list.length; k++) list[k]!.heap.clear();
    let entries = 0;
    let last: Bucket | undefined;
    const versions = this.#version;
    const keys = this.#bucketKey;
    const refreshing = this.#refreshing;
    const selected = this.#selected;
    const tenantOf = this.#tenantOf;
    const lastSample = this.#lastSample;
    for (let i = 0; i < this.#n; i++) {
      const version = ++versions[i]!;
      const key = keys[i]!;
      if (key === NO_BUCKET || refreshing[i] || selected[i]) continue;
      const tenant = tenantOf[i]!;
      const b =
        last !== undefined && last.key === key && last.tenant === tenant ? last : this.#bucket(key, tenant);
      last = b;
      b.heap.append(i, lastSample[i]!, version);
      entries++;
    }
    this.#entries = entries;
    // buckets left empty leave the list (picks scan it), the others are heapified
    let kept = 0;
    for (let k = 0; k < list.length; k++) {
      const b = list[k]!;
      if (b.heap.size === 0) {
        b.listed = false;
        continue;
      }
      b.heap.heapify();
      list[kept++] = b;
    }
    list.length = kept;
  }

  /**
   * The bucket whose valid head is most overdue, dropping stale heads on the
   * way. With `open`, buckets of tenants it marks 0 (at a quota) are passed over.
   */
  #bestBucket(s: Snapshot, open?: Uint8Array): Bucket | undefined {
    let best: Bucket | undefined;
    let bestIndex = Number.NEGATIVE_INFINITY;
    let bestTwin = -1;
    const list = this.#bucketList;
    for (let k = 0; k < list.length; k++) {
      const b = list[k]!;
      if (open && !open[b.tenant]) continue;
      const heap = b.heap;
      const twin = this.#head(heap);
      if (twin < 0) continue;
      const index = (s.now - heap.headSample) * b.rate;
      if (index > bestIndex || (index === bestIndex && twin < bestTwin)) {
        best = b;
        bestIndex = index;
        bestTwin = twin;
      }
    }
    return best;
  }

  /**
   * The bucket's valid head twin, −1 when none: a head is valid while it is its twin's newest entry and the twin
   * is neither refreshing nor chosen; invalid heads are dropped on the way.
   */
  #head(heap: TwinHeap): number {
    while (heap.size > 0) {
      const twin = heap.headTwin;
      if (heap.headVersion === this.#version[twin] && !this.#refreshing[twin] && !this.#selected[twin])
        return twin;
      heap.pop();
      this.#entries--;
    }
    return -1;
  }

  /** The slot prices from the groups' current refresh demand, Σ share / cost (slot-prices.ts). */
  #updatePrices(s: Snapshot): void {
    const G = this.#groupIds.length;
    const demand = new Float64Array(G);
    const reps: TwinView[] = new Array(G);
    for (let i = 0; i < this.#n; i++) {
      const g = this.#groupOf[i]!;
      demand[g] = demand[g]! + (this.#share[i] ?? 0);
      if (reps[g] === undefined) reps[g] = s.twins[i]!;
    }
    for (let g = 0; g < G; g++) demand[g] = demand[g]! / this.#groupCost[g]!;
    this.#slotPrices.update(s, demand, reps);
  }

  /**
   * `#bestBucket` for a free slot on node j: each head's index weighed by its group's comparative advantage
   * there, (π_g / (d_gj · p_j))^γ (slot-prices.ts).
   */
  #bestBucketOn(s: Snapshot, open: Uint8Array, j: number, gamma: number): Bucket | undefined {
    // the best among the twins due here, if there is one, else the best of all. A twin is due on this slot once
    // its age passes its target period over its factor here: where the slot serves it at its best, at the period;
    // where the slot takes twice its priced time, at twice the period. So a slot does not refresh twins it serves
    // well far ahead of their time while one it serves less well waits ever longer (whatever γ)
    let best: Bucket | undefined;
    let bestIndex = Number.NEGATIVE_INFINITY;
    let bestTwin = -1;
    let due: Bucket | undefined;
    let dueIndex = Number.NEGATIVE_INFINITY;
    let dueTwin = -1;
    const dueAt = 1 / this.#attention;
    const list = this.#bucketList;
    const prices = this.#slotPrices;
    for (let k = 0; k < list.length; k++) {
      const b = list[k]!;
      if (!open[b.tenant]) continue;
      const heap = b.heap;
      const twin = this.#head(heap);
      if (twin < 0) continue;
      const late = (s.now - heap.headSample) * b.rate;
      const f = prices.factor(this.#groupOf[twin]!, j);
      const index = late * f ** gamma;
      if (index > bestIndex || (index === bestIndex && twin < bestTwin)) {
        best = b;
        bestIndex = index;
        bestTwin = twin;
      }
      if (late * f >= dueAt && (index > dueIndex || (index === dueIndex && twin < dueTwin))) {
        due = b;
        dueIndex = index;
        dueTwin = twin;
      }
    }
    return due ?? best;
  }

  /** Age over target period: 1 means the twin is exactly due. */
  overdue(i: number, s: Snapshot): number {
    const period = this.targetPeriod(i);
    return Number.isFinite(period) ? (s.now - s.twins[i]!.lastSample) / period : 0;
  }

  /** Seconds between refreshes this twin's share buys (∞ when its share is 0). */
  targetPeriod(i: number): number {
    const r = this.#rate[i]!;
    return r > 0 ? 1 / (r * this.#attention) : Number.POSITIVE_INFINITY;
  }

  share(i: number): number {
    return this.#share[i]!;
  }

  // ------------------------------------------------------------------ AttentionAllocator

  /**
   * With `explain` false (nothing is traced) the choices carry the twin only: no feature contributions,
   * details or runner-up are built (they are what a trace records; they decide nothing).
   */
  select(s: Snapshot, slots: number, explain = true): readonly AttentionChoice[] {
    const ctx = this.#ctx;
    if (ctx.dirty || s.now >= this.#nextRecompute) this.#recompute(s);
    const out: AttentionChoice[] = [];
    const minOverdue = ctx.params.minOverdue;
    // the world stops at the first choice it cannot place, so leave out what surely will not fit now:
    // twins of a tenant at its attention quota, and groups that failed to place at this very instant
    const budget = this.#budget;
    const computeBudget = this.#computeBudget;
    // an indexed loop: for-of over the snapshot's frozen array allocates an iterator result per step in V8
    const tenants = s.tenants;
    for (let k = 0; k < tenants.length; k++) {
      const t = tenants[k]!;
      budget[t.index] =
        t.quotaAttention === undefined
          ? Number.POSITIVE_INFINITY
          : t.quotaAttention * s.totalAttention - t.heldAttention;
      computeBudget[t.index] =
        t.quotaCompute === undefined
          ? Number.POSITIVE_INFINITY
          : t.quotaCompute * s.totalCompute - t.heldCompute;
    }
    const open = this.#open;
    const cheapestA = this.#cheapestAttention;
    const cheapestC = this.#cheapestCompute;
    for (let t = 0; t < open.length; t++)
      open[t] = budget[t]! >= cheapestA[t]! - 1e-9 && computeBudget[t]! >= cheapestC[t]! - 1e-9 ? 1 : 0;
    // passed-over entries: their bucket, and (twin, sample, version) in #skipEntry
    const skipBucket = this.#skipBucket;
    const skipEntry = this.#skipEntry;
    // where nodes refresh at different speeds, each free slot goes to the twin it serves best (slot-prices.ts)
    const gamma = ctx.params.wSlot;
    const prices = this.#slotPrices;
    const free =
      gamma > 0 && !prices.alike
        ? prices.slots(s.nodes, slots, this.#minRefreshAttention, this.#minRefreshCompute)
        : 0;
    let slotAt = 0;
    while (out.length < slots && skipBucket.length < MAX_SKIPPED) {
      const best =
        slotAt < free ? this.#bestBucketOn(s, open, prices.slot(slotAt), gamma) : this.#bestBucket(s, open);
      if (!best) break;
      const heap = best.heap;
      const e = heap.headTwin;
      if (minOverdue > 0 && this.overdue(e, s) < minOverdue) break;
      const sample = heap.headSample;
      const version = heap.headVersion;
      heap.pop();
      if (this.#failedAt[this.#groupOf[e]!] === s.now) {
        skipBucket.push(best);
        skipEntry.push(e, sample, version);
        continue;
      }
      const tenant = best.tenant;
      // what this refresh will hold, as the twin view says; the tenant closes when not even its cheapest fits
      budget[tenant] = budget[tenant]! - this.#refreshAttention[e]!;
      computeBudget[tenant] = computeBudget[tenant]! - this.#refreshCompute[e]!;
      if (budget[tenant]! < cheapestA[tenant]! - 1e-9 || computeBudget[tenant]! < cheapestC[tenant]! - 1e-9)
        open[tenant] = 0;
      this.#entries--;
      // how late against its target period the twin is picked (see #stretch)
      this.#pickOverdue += (s.now - sample) * this.#rate[e]! * this.#attention;
      this.#picks++;
      this.#selected[e] = 1;
      const slotNode = slotAt < free ? prices.slot(slotAt) : -1;
      slotAt++;
      out.push(explain ? this.#explain(e, s, slotNode, gamma) : { twin: e, node: slotNode });
    }
    for (let k = 0; k < skipBucket.length; k++)
      skipBucket[k]!.heap.push(skipEntry[3 * k]!, skipEntry[3 * k + 1]!, skipEntry[3 * k + 2]!);
    if (skipBucket.length !== 0) {
      skipBucket.length = 0;
      skipEntry.length = 0;
    }
    if (out.length > 0 && !explain) {
      // nothing reads the forecasters' switches without a trace
      if (ctx.switches.length > 0) ctx.switches.length = 0;
    } else if (out.length > 0) {
      const next = this.#bestBucket(s, open);
      const runnerUp = next
        ? { twin: s.twins[next.heap.headTwin]!.id, overdue: this.overdue(next.heap.headTwin, s) }
        : null;
      const switches = ctx.switches.length > 0 ? ctx.switches.splice(0) : undefined;
      for (let k = 0; k < out.length; k++) {
        const c = out[k]!;
        out[k] = {
          ...c,
          detail: { ...c.detail, runnerUp, ...(k === 0 && switches ? { forecastSwitches: switches } : {}) },
        };
      }
    }
    return out;
  }

  #explain(i: number, s: Snapshot, slotNode = -1, gamma = 0): AttentionChoice {
    const parts = this.contributions(i, s);
    const g = this.#groupOf[i]!;
    const demandKey = this.#groupKeys[g]!;
    return {
      twin: i,
      node: slotNode,
      score: this.#z[i]!,
      weight: this.#share[i]!,
      parts,
      detail: {
        softmax: this.#weight[i]!,
        temperature: this.#temperature,
        targetPeriod: this.targetPeriod(i),
        overdue: this.overdue(i, s),
        stretch: this.#stretch,
        refreshCost: this.#groupCost[g]!,
        ...(this.#ctx.useForecast ? { demandForecaster: this.#ctx.demand.chosen(demandKey) ?? null } : {}),
        // chosen for a free slot on this node, where its group's comparative advantage is this factor (1: its best)
        ...(slotNode >= 0
          ? {
              slot: {
                node: s.nodes[slotNode]!.id,
                factor: this.#slotPrices.factor(g, slotNode),
                power: gamma,
              },
            }
          : {}),
      },
    };
  }

  /**
   * A refresh a request waits for may stop a proactive one (the runtime's `#preempt`; `preempt` = 1) when
   * waiting could make the request late: a wait of up to one refresh for a slot, its own refresh and the
   * request's mean remaining work (of its twin's group, at speed 2) would pass the deadline. A read that finds
   * its twin stale waits a refresh anyway, and the wait for a slot on top of it is what makes tight reads miss
   * (flash-crowd, storm: docs/ars-policy.md, section 2); the stopped refresh loses the time since it was bound
   * (the last bound is chosen) and its twin goes back to its bucket, as overdue as it was. Where reads have room
   * to wait, stopping refreshes would only waste attention (generated-1001: weighted AoI +27 % when every
   * demanded refresh preempted). A read without a deadline always waits.
   *
   * The worst case is only a gate: a demanded refresh that passes it still waits when a slot will very likely
   * free in time. Where a node's attention is all held and only refreshes hold attention (no request has asked
   * for any), a slot frees there when one of its running refreshes ends, taken as uniform over one refresh
   * there; elsewhere the running items' remaining times are taken as uniform over twice their mean (read from
   * the node's backlog). With `waiting` demanded refreshes ahead of it in the cycle (they found no slot
   * either) the refresh takes the (waiting + 1)-th slot that frees, on whichever node (`#onTimeBehind`), so
   * the read is late unless that slot frees early enough for that node's refresh time and the request's work
   * after it (here at speed 1). It waits when that chance of being late is at most PREEMPT_RISK.
   */
  preempts(item: WorkItem, s: Snapshot, waiting = 0): boolean {
    if (this.#ctx.params.preempt < 1) return false;
    const slack = item.deadline - s.now;
    if (!Number.isFinite(slack)) return false;
    const g = this.#groupOf[item.twin];
    if (g === undefined) return true;
    // the request's mean work after the refresh, at speed 2 (none seen yet: none): the queue order's estimate
    const mean = this.#ctx.readWork(item.twin);
    // the worst case (a whole refresh for a slot, its own, the mean work) leaves room: wait
    if (!(PREEMPT_WAITS * this.#groupDuration[g]! + mean > slack)) return false;
    // behind many other waiting refreshes slots are short: stop one (the model's cost grows with their number)
    if (waiting > PREEMPT_BEHIND) return true;
    // here at speed 1: the tasks may land on slower nodes than the fast ones, and a late guess costs a miss
    // where an early one costs a stopped refresh
    const work = 2 * mean;
    // The refresh takes the first slot that frees, wherever it is. A node's slots free as its running items
    // end; their remaining times are taken as uniform over twice their mean (L_j, from the node's backlog).
    // The read is on time when the first slot frees on a node j at t with t + d_j + work ≤ slack, d_j the
    // refresh's time there: P(on time) = Σ_j ∫ s_j / (L_j − t) · S(t) dt over t ≤ slack − d_j − work, with
    // S(t) = Π_j (1 − t / L_j)^s_j the chance that no slot has freed by t.
    const nodes = s.nodes;
    const slots = this.#preemptSlots;
    const took = this.#preemptTook;
    const frees = this.#preemptFrees;
    slots.length = 0;
    took.length = 0;
    frees.length = 0;
    let horizon = 0;
    // the refresh's earliest end if it started now on a node able to take it
    let soonest = Number.POSITIVE_INFINITY;
    for (let j = 0; j < nodes.length; j++) {
      const n = nodes[j]!;
      if (!n.up || (item.tier !== undefined && n.tier !== item.tier)) continue;
      // the refreshes the node can hold at once: by its attention and by its compute (tasks share the latter)
      const k = Math.min(
        Math.floor(n.attentionCapacity / Math.max(item.attention, 1e-9) + 1e-9),
        item.compute > 0 ? Math.floor(n.computeCapacity / item.compute + 1e-9) : Number.POSITIVE_INFINITY,
      );
      if (k === 0) continue;
      const d = finishIn(item, n, s);
      if (!(d > 0 && Number.isFinite(d))) continue;
      let span = d;
      if (this.#tasksHoldAttention || n.freeAttention >= item.attention - 1e-9) {
        // compute is what is short (or tasks may hold the attention): the mean time left of the compute
        // reserved here (the backlog spreads it over the whole capacity)
        const used = n.computeCapacity - n.freeCompute;
        const left = used > 1e-9 ? (n.backlog * n.computeCapacity) / used : 0;
        if (left > 0) span = 2 * left;
      }
      // else the attention is short and only refreshes hold it: a slot frees when one of them ends (it gives
      // back its compute too), within about one refresh here, whatever long tasks hold the compute
      slots.push(k);
      took.push(d);
      frees.push(span);
      if (d < soonest) soonest = d;
      horizon = Math.max(horizon, Math.min(span, slack - d - work));
    }
    // a read whose refresh could not end before its deadline even if it started now is late whatever is done:
    // stopping a refresh for it would only lose that refresh's work (generated-5017: reads of a 0.5-s deadline
    // whose twins take 0.53 s to refresh)
    if (Number.isFinite(soonest) && soonest > slack) return false;
    if (!(horizon > 0)) return true;
    if (waiting > 0) return 1 - this.#onTimeBehind(waiting, horizon, slack, work) > PREEMPT_RISK;
    let onTime = 0;
    const dt = horizon / PREEMPT_STEPS;
    for (let q = 0; q < PREEMPT_STEPS; q++) {
      const t = (q + 0.5) * dt;
      let survive = 1;
      for (let j = 0; j < frees.length; j++) survive *= t < frees[j]! ? (1 - t / frees[j]!) ** slots[j]! : 0;
      // what is left of the integral is below the chance that no slot has freed by t: on many nodes this ends
      // the loop within a few steps (each costs a pass over the nodes)
      if (survive < PREEMPT_NEGLIGIBLE) break;
      for (let j = 0; j < frees.length; j++) {
        const span = frees[j]!;
        if (t < span && t <= slack - took[j]! - work) onTime += (slots[j]! / (span - t)) * survive * dt;
      }
    }
    return 1 - onTime > PREEMPT_RISK;
  }

  /**
   * `preempts` for a demanded refresh with `need` others waiting ahead of it in the cycle: they take the first
   * `need` slots that free, it takes the next. At t the slots freed are a Poisson-binomial count (each of node
   * j's s_j slots has freed with chance t / L_j), so the (need + 1)-th frees at t on node j with density
   * s_j / L_j · P(exactly `need` of the other slots have freed by t); with `need` 0 this is the first slot's
   * density in `preempts`. P(on time) is its integral over t ≤ slack − d_j − work, summed over the nodes. The
   * count without one of node j's slots is the nodes before j, those after it and j's other slots, each kept
   * as a distribution up to `need` (prefix and suffix products: no division, so no loss of precision).
   */
  #onTimeBehind(need: number, horizon: number, slack: number, work: number): number {
    const slots = this.#preemptSlots;
    const took = this.#preemptTook;
    const frees = this.#preemptFrees;
    const nodes = frees.length;
    const w = need + 1;
    const size = (nodes + 1) * w;
    if (this.#before.length < size) {
      this.#before = new Float64Array(size);
      this.#after = new Float64Array(size);
    }
    if (this.#others.length < w) this.#others = new Float64Array(w);
    const before = this.#before;
    const after = this.#after;
    const others = this.#others;
    let onTime = 0;
    const dt = horizon / PREEMPT_STEPS;
    for (let q = 0; q < PREEMPT_STEPS; q++) {
      const t = (q + 0.5) * dt;
      // before[j]: the slots of nodes 0…j−1 freed by t; after[j]: of nodes j…end (each up to `need`)
      before.fill(0, 0, w);
      before[0] = 1;
      for (let j = 0; j < nodes; j++) {
        before.copyWithin((j + 1) * w, j * w, (j + 1) * w);
        const p = t < frees[j]! ? t / frees[j]! : 1;
        addFreedSlots(before, (j + 1) * w, need, p, slots[j]!);
      }
      // the chance that fewer than need + 1 slots have freed by t bounds what is left of the integral
      let short = 0;
      for (let k = 0; k <= need; k++) short += before[nodes * w + k]!;
      if (short < PREEMPT_NEGLIGIBLE) break;
      after.fill(0, nodes * w, (nodes + 1) * w);
      after[nodes * w] = 1;
      for (let j = nodes - 1; j >= 0; j--) {
        after.copyWithin(j * w, (j + 1) * w, (j + 2) * w);
        const p = t < frees[j]! ? t / frees[j]! : 1;
        addFreedSlots(after, j * w, need, p, slots[j]!);
      }
      for (let j = 0; j < nodes; j++) {
        const span = frees[j]!;
        if (!(t < span && t <= slack - took[j]! - work)) continue;
        // the other slots: node j's but one, with the nodes after it, then those before it at `need` exactly
        const p = t / span;
        for (let k = 0; k <= need; k++) others[k] = after[(j + 1) * w + k]!;
        addFreedSlots(others, 0, need, p, slots[j]! - 1);
        let exactly = 0;
        for (let k = 0; k <= need; k++) exactly += before[j * w + k]! * others[need - k]!;
        onTime += (slots[j]! / span) * exactly * dt;
      }
    }
    return onTime;
  }

  refreshStarted(twin: number, s: Snapshot): void {
    this.#startedAt[twin] = s.now;
    this.#refreshing[twin] = 1;
    if (this.#selected[twin]) {
      this.#selected[twin] = 0;
      this.#proactive[twin] = 1;
      this.#ctx.proactiveStarts++;
    } else {
      this.#proactive[twin] = 0;
      this.#ctx.onDemandStarts++;
    }
  }

  refreshed(twin: number, ok: boolean, s: Snapshot): void {
    // a selected twin reported back unstarted could not be placed: its group waits for the next instant
    if (this.#selected[twin] && !ok) this.#failedAt[this.#groupOf[twin]!] = s.now;
    this.#selected[twin] = 0;
    const t = s.twins[twin];
    if (!t) return;
    this.#refreshing[twin] = t.refreshing ? 1 : 0;
    this.#lastSample[twin] = t.lastSample;
    if (ok) {
      this.#suspicion[twin] = t.suspicion;
      const seen = this.#samplesOf[twin]! + 1;
      this.#samplesOf[twin] = seen;
      if (seen > SURPRISE_HISTORY) {
        const g = this.#groupOf[twin]!;
        this.#groupSamples[g] = this.#groupSamples[g]! + 1;
        if (t.suspicion >= this.#ctx.params.surpriseLevel)
          this.#groupSurprises[g] = this.#groupSurprises[g]! + 1;
      }
      if (this.#proactive[twin]) {
        const g = this.#groupOf[twin]!;
        const d = s.now - this.#startedAt[twin]!;
        // its cost in priced slot-seconds: a second of a dear (fast) slot counts for more (slot-prices.ts)
        const c =
          this.#ctx.params.wSlot > 0 ? d * this.#slotPrices.price(this.#ctx.refreshNode[twin] ?? -1) : d;
        const seen = this.#groupCostSeen[g]!;
        this.#groupCost[g] =
          seen === 0 ? c : this.#groupCost[g]! + COST_SMOOTHING * (c - this.#groupCost[g]!);
        this.#groupDuration[g] =
          seen === 0 ? d : this.#groupDuration[g]! + COST_SMOOTHING * (d - this.#groupDuration[g]!);
        this.#groupCostSeen[g] = seen + 1;
      }
      if (this.#ctx.useForecast && Number.isFinite(t.lastValue)) {
        const d = this.#drift;
        d.observe(twin, t.lastSample, t.lastValue);
        // the uncertainty feature's input, a function of the estimator's state: computed once per sample
        if (d.samples(twin) >= MIN_DRIFT_SAMPLES)
          this.#error[twin] = d.expectedError(twin, UNCERTAINTY_HORIZON);
      }
      this.#proactive[twin] = 0;
      // the twin is queued right below anyway: no entry for a changed bucket first (it would be stale at once)
      if (this.#n > 0) this.#update(twin, s, t.refreshing);
    }
    if (!t.refreshing) this.#enqueue(twin, s);
  }

  /** Adds a request of this work that reads group g to the group's running mean (seconds at speed 2). */
  #addWork(g: number, work: number): void {
    const mean = this.#groupWork[g]!;
    this.#groupWork[g] = Number.isNaN(mean) ? work / 2 : mean + TIGHT_SMOOTHING * (work / 2 - mean);
  }

  /** Counts one read of group g by the request arriving now (`#arrivals` numbers it) for #floorRate. */
  #countOpen(g: number, time: number): void {
    this.#totalReads[g] = this.#totalReads[g]! + 1;
    if (this.#openStamp[g] === this.#arrivals) return;
    this.#openStamp[g] = this.#arrivals;
    this.#totalRequests[g] = this.#totalRequests[g]! + 1;
    const open = Math.floor(time / DEMAND_WINDOW);
    if (this.#openWindow[g] !== open) {
      this.#openWindow[g] = open;
      this.#openRequests[g] = 0;
    }
    this.#openRequests[g] = this.#openRequests[g]! + 1;
  }

  requestArrived(r: ArrivalView, s: Snapshot): void {
    const ctx = this.#ctx;
    if (r.attentionDemand > 0) this.#tasksHoldAttention = true;
    if (!ctx.useForecast) {
      // the request-work estimate is a measurement, not a forecast: the preemption rule reads it either way, so
      // that the ars-no-forecast ablation differs from ARS in the forecast only
      for (let k = 0; k < r.twins.length; k++) {
        const g = this.#groupOf[r.twins[k]!];
        if (g !== undefined) this.#addWork(g, r.work);
      }
      return;
    }
    this.#arrivals++;
    ctx.tick(r.time);
    // the demand keys `tenant/workload` and `tenant/workload:compute`, built once per pair
    let keys = this.#arrivalKeys.get(r.workload);
    if (keys === undefined) {
      keys = [];
      this.#arrivalKeys.set(r.workload, keys);
    }
    let key = keys[r.tenant];
    if (key === undefined) {
      const tenant = s.tenants[r.tenant]?.id ?? String(r.tenant);
      key = [`${tenant}/${r.workload}`, `${tenant}/${r.workload}:compute`];
      keys[r.tenant] = key;
    }
    ctx.demand.record(key[0], r.time);
    if (r.computeDemand > 0) ctx.demand.record(key[1], r.time, r.computeDemand);
    const byTier = r.computeByTier;
    if (byTier !== undefined)
      for (const tier in byTier) {
        const tierKey = ctx.tierKey(tier);
        const amount = byTier[tier as keyof typeof byTier]!;
        if (tierKey !== undefined && amount > 0) ctx.demand.record(tierKey, r.time, amount);
      }
    const twins = r.twins;
    for (let k = 0; k < twins.length; k++) {
      const twin = twins[k]!;
      const g = this.#groupOf[twin];
      if (g === undefined) continue;
      ctx.demand.record(this.#groupKeys[g]!, r.time);
      this.#countOpen(g, r.time);
      const maxAge = r.maxAges[k] ?? Number.POSITIVE_INFINITY;
      this.#groupMaxAge[g] = Math.min(this.#groupMaxAge[g]!, maxAge);
      const relative = r.deadline - r.time;
      const cost = this.#groupDuration[g]!;
      this.#addWork(g, r.work);
      const tight = Number.isFinite(relative)
        ? Math.min(3, (cost + r.work / 2) / Math.max(relative, 1e-3))
        : 0;
      this.#groupTight[g] = this.#groupTight[g]! + TIGHT_SMOOTHING * (tight - this.#groupTight[g]!);
      // a blind read waits for the rest of the refresh in flight when that sample meets its bound (r ≤ m),
      // else for that refresh and one more
      const waits = cost <= maxAge ? BLIND_SERVED : BLIND_REFRESHES;
      const blind = Number.isFinite(relative)
        ? Math.min(3, (waits * cost + r.work / 2) / Math.max(relative, 1e-3))
        : 0;
      this.#groupTightBlind[g] =
        this.#groupTightBlind[g]! + TIGHT_SMOOTHING * (blind - this.#groupTightBlind[g]!);
    }
  }
}

/**
 * The chance that a read misses its deadline when its expected wait + work is this fraction of the deadline:
 * 0 up to `from` (MISS_FROM, or MISS_FROM_PREEMPT where ARS preempts), 1 from MISS_TO, linear between (a read
 * expected to take 60 % of its deadline hardly ever misses, one expected to take all of it mostly does).
 */
function missChance(tight: number, from: number): number {
  return Math.max(0, Math.min(1, (tight - from) / (MISS_TO - from)));
}

/**
 * The bounds of the rates × n that bucket key k takes, 2^((k ± 0.5)/8) pulled in by 1e-12 (relative): x within
 * them has 8 log2 x more than 1e-11 from k ± 0.5, far beyond log2's rounding, so round(8 log2 x) is k.
 */
export function keyBounds(key: number): readonly [number, number] {
  const lo = 2 ** ((key - 0.5) / BUCKETS_PER_OCTAVE) * (1 + 1e-12);
  const hi = 2 ** ((key + 0.5) / BUCKETS_PER_OCTAVE) * (1 - 1e-12);
  return [lo, hi];
}

/**
 * Adds `count` slots, each freed with chance p, to the count distribution at dist[at…at + top] (in place,
 * counts past `top` dropped). Up to `top` slots are added one at a time; more (a node whose refreshes take a
 * sliver of its attention can hold thousands) as one binomial, so the cost stays O(top²) whatever the count.
 */
export function addFreedSlots(dist: Float64Array, at: number, top: number, p: number, count: number): void {
  if (count <= top) {
    for (let u = 0; u < count; u++) {
      for (let k = at + top; k > at; k--) dist[k] = dist[k]! * (1 - p) + dist[k - 1]! * p;
      dist[at] = dist[at]! * (1 - p);
    }
    return;
  }
  // P(i of the count freed) for i ≤ top: (1 − p)^count, then × (count − i) / (i + 1) · p / (1 − p) each step;
  // at p = 1 all have freed, more than top
  if (p >= 1) {
    dist.fill(0, at, at + top + 1);
    return;
  }
  const ratio = p / (1 - p);
  for (let k = top; k >= 0; k--) {
    let b = (1 - p) ** count;
    let sum = dist[at + k]! * b;
    for (let i = 1; i <= k; i++) {
      b *= ((count - i + 1) / i) * ratio;
      sum += dist[at + k - i]! * b;
    }
    dist[at + k] = sum;
  }
}
