/**
 * What the plugins of one ARS profile share: the live parameters (the feedback controller edits them), the
 * demand forecasts, and counters the controller reads. One context per run, as profiles are per run.
 */
import { ForecastBank } from '../../forecast/index.js';
import { dominantShareOfTwo } from '../../metrics/fairness.js';
import type { Snapshot } from '../../scheduler/types.js';
import type { ArsParams } from './params.js';

/** Window of the demand forecasts, seconds: long enough to hold a few arrivals of slow workloads. */
export const DEMAND_WINDOW = 10;

export interface ForecastSwitch {
  readonly key: string;
  readonly from: string;
  readonly to: string;
  readonly time: number;
}

export class ArsContext {
  readonly params: ArsParams;
  /** the values the run started with: feedback moves around them and decays back to them */
  readonly base: Readonly<ArsParams>;
  readonly useForecast: boolean;
  /** arrival rates per `tenant/workload`, compute demand per `tenant/workload:compute`, twin needs per `group:<id>` */
  readonly demand: ForecastBank;
  /** forecaster switches not yet written to a trace (the next attention decision carries them) */
  readonly switches: ForecastSwitch[] = [];
  /** set when parameters changed, so the allocator recomputes at its next call */
  dirty = true;
  /** the run's live snapshot, once the allocator has been initialised (queue keys read tenants from it) */
  snapshot: Snapshot | undefined;
  /**
   * Per tenant, the refreshes of its twins that its attention shares keep running at once on average (share ×
   * attention capacity, one compute unit each): what its compute quota keeps free for them (set each window)
   */
  refreshReserve: Float64Array = new Float64Array(0);
  /**
   * the mean measured refresh time, seconds (the allocator sets it each window; 1 before any refresh is
   * measured): the cost feature's yardstick and the quota reserve's bound on a short task
   */
  refreshSeconds = 1;
  /**
   * The mean work of the requests that read this twin's group, seconds at speed 2 (0 before any has arrived):
   * what a request waiting on a refresh of the twin still has to do after it. The allocator measures it (the
   * preemption rule reads the same estimate); the queue order reads it here.
   */
  readWork: (twin: number) => number = () => 0;
  /** per twin: the node its last refresh was bound to (−1: none yet), set when a refresh is bound */
  refreshNode: Int32Array = new Int32Array(0);
  // counters over the current feedback window, reset by the controller
  proactiveStarts = 0;
  onDemandStarts = 0;
  #now = 0;
  /** the `:compute` keys of `demand`, in its key order, as of when it had `#computeKeysAt` keys */
  #computeKeys: string[] = [];
  #computeKeysAt = -1;
  #computeKeysOf: ForecastBank | undefined;
  /** `computeLoad`'s last value, and the bank, key count and clock window it was computed at */
  #load = 0;
  #loadOf: ForecastBank | undefined;
  #loadKeys = -1;
  #loadWindow = Number.NaN;

  constructor(params: ArsParams, useForecast: boolean) {
    this.params = params;
    this.base = Object.freeze({ ...params });
    this.useForecast = useForecast;
    this.demand = new ForecastBank({
      windowSeconds: DEMAND_WINDOW,
      onChange: (key, from, to) => this.switches.push({ key, from, to, time: this.#now }),
    });
  }

  /** Moves the forecasts' clock. */
  tick(now: number): void {
    this.#now = now;
    this.demand.advanceTo(now);
  }

  /** Predicted events per second of a demand key, 0 when unknown (no events yet or no closed window). */
  rate(key: string): number {
    const r = this.demand.predictRate(key, 1);
    return Number.isFinite(r) ? r : 0;
  }

  /** tiers whose pinned compute demand is forecast (`watchTier`), and their demand keys */
  readonly #tierKeys = new Map<string, string>();

  /**
   * From now on, forecast the compute demand of arriving tasks that must run on this tier (an elastic pool's
   * scaler asks for its tier). Nothing is recorded for a tier nobody watches.
   */
  watchTier(tier: string): void {
    if (!this.#tierKeys.has(tier)) this.#tierKeys.set(tier, `tier:${tier}`);
  }

  /** The demand key a watched tier's pinned compute is recorded under, or undefined. */
  tierKey(tier: string): string | undefined {
    return this.#tierKeys.get(tier);
  }

  /**
   * Forecast compute demand of arriving tasks pinned to a watched tier in the k-th demand window from now
   * (k = 1: the open one), compute-unit-seconds per second at speed 1; 0 when unknown.
   */
  tierLoad(tier: string, k: number): number {
    const key = this.#tierKeys.get(tier);
    if (key === undefined) return 0;
    const r = this.demand.predictRate(key, k);
    return Number.isFinite(r) ? r : 0;
  }

  /** Forecast compute demand of arriving requests, compute-unit-seconds per second at speed 1. */
  computeLoad(): number {
    const bank = this.demand;
    // A key's forecast changes only when one of its windows closes, and windows close only when the bank's
    // clock enters a new window (the grid is shared, origin 0). The first call in a window catches every
    // `:compute` key up to it (`predictRate`), so later calls in the same window, with no new key, would
    // read the same forecasts and change nothing: the last value is returned.
    const window = Math.floor(bank.clock / DEMAND_WINDOW);
    if (bank === this.#loadOf && bank.size === this.#loadKeys && window === this.#loadWindow)
      return this.#load;
    // keys are only ever added (in order), so the list is rebuilt when the count changes
    if (bank !== this.#computeKeysOf || bank.size !== this.#computeKeysAt) {
      this.#computeKeys = bank.keys().filter((key) => key.endsWith(':compute'));
      this.#computeKeysAt = bank.size;
      this.#computeKeysOf = bank;
    }
    const keys = this.#computeKeys;
    let load = 0;
    for (let k = 0; k < keys.length; k++) load += this.rate(keys[k]!);
    this.#load = load;
    this.#loadOf = bank;
    this.#loadKeys = bank.size;
    this.#loadWindow = window;
    return load;
  }

  /**
   * The tenant's dominant-share deficit in [-1, 1]: (fair − held) / fair, where held is the larger of its
   * shares of the compute and attention in use and fair is its weight over the weights of all tenants.
   * Positive: the tenant holds less than its share.
   */
  deficit(tenant: number, s: Snapshot): number {
    const t = s.tenants[tenant];
    if (!t) return 0;
    let weights = 0;
    for (const x of s.tenants) weights += x.weight;
    const fair = weights > 0 ? t.weight / weights : 0;
    if (fair <= 0) return 0;
    const held = dominantShareOfTwo(t.heldCompute, s.totalCompute, t.heldAttention, s.totalAttention);
    return Math.max(-1, Math.min(1, (fair - held) / fair));
  }
}
