/**
 * A cost-aware scaler for elastic pools: it weighs what one more node costs against the deadline risk of not
 * having it, instead of sizing the pool to a utilisation target as the scenario rules do.
 *
 * Each interval, per pool:
 * - *excess*: the compute the waiting work asks for beyond what the pool's tier has free elsewhere right now
 *   (other groups of the same tier; the pool view does not say which waiting work is bound to the tier, so
 *   other tiers are not counted);
 * - *risk*: a node started now is up only after the provisioning delay, so it helps only work that is still
 *   waiting then. An excess seen once is a burst the cluster drains by itself; an excess seen `persistence`
 *   intervals in a row (or, with a demand forecast, forecast load beyond what the active nodes carry at
 *   `target` utilisation) is a lasting shortfall and missed deadlines;
 * - *cost*: one more node costs its provisioning fee plus its running cost for the provisioning delay and
 *   at least `minHold` seconds. Under a lasting shortfall the pool grows by as many nodes as the
 *   excess keeps at least `target` busy (⌊excess / (target × node compute)⌋, so the running cost buys work
 *   rather than idle capacity); when the fee is dear against the running cost
 *   it asks for a longer shortfall first (the fee is repaid only by a node that stays up).
 * - *ahead*: with a forecast of the compute asked by work that must run on the pool's tier (`tier`), the pool
 *   grows before any work waits to the nodes that keep the forecast at most `ahead` busy over the windows from
 *   when a node started now would be up to the next decision's node;
 * - it shrinks by one idle node when nothing waits beyond the rest of the cluster, the running work fits in
 *   one node fewer at `target`, the forecast up to the next decision's node does not need it, and the last
 *   growth ahead of the forecast is older than the provisioning delay and `minHold` (the time its cost was
 *   counted for: a noisy forecast must not start and stop a node by turns).
 *
 * Stateless apart from the run of shortfall intervals and the last growth ahead per pool; deterministic (no
 * randomness).
 */
import type { PoolView, Scaler } from '../../scheduler/plugins.js';
import type { Snapshot } from '../../scheduler/types.js';

export interface CostAwareOptions {
  /** utilisation a node must be expected to reach to be worth starting, and the sizing target (0–1] */
  readonly target?: number;
  /** intervals of excess in a row before growing (≥ 1) */
  readonly persistence?: number;
  /** seconds a started node is assumed to stay up at least (its running cost over that time counts) */
  readonly minHold?: number;
  /**
   * the provisioning fee per node when the pool view does not carry it (world: `PoolView.provisioningCost`)
   */
  readonly provisioningCost?: number;
  /** forecast compute load, compute-unit-seconds per second at speed 1 (undefined: no forecast) */
  readonly load?: () => number;
  /**
   * A forecast of the compute asked of one tier by work that must run there: `watch(tier)` starts it, `load(tier,
   * k)` is its rate in the k-th window of `window` seconds from now (compute-unit-seconds per second at speed 1).
   */
  readonly tier?: {
    watch(tier: string): void;
    load(tier: string, k: number): number;
    readonly window: number;
  };
  /**
   * With `tier`: the pool is grown ahead of that forecast, so that the load it forecasts for when a node started
   * now would be up keeps the pool at most this busy (0: never ahead of a shortfall)
   */
  readonly ahead?: number;
}

interface PoolState {
  shortfall: number;
  /** when the scaler last grew the pool ahead of the forecast (−∞: never) */
  grewAt: number;
}

export function costAwareScaler(o: CostAwareOptions = {}): Scaler {
  const target = o.target ?? 0.5;
  const persistence = Math.max(1, Math.round(o.persistence ?? 2));
  const minHold = o.minHold ?? 60;
  const state = new Map<string, PoolState>();
  return {
    name: 'cost-aware',
    desired(p: PoolView, s: Snapshot): number {
      let st = state.get(p.group);
      if (st === undefined) {
        st = { shortfall: 0, grewAt: Number.NEGATIVE_INFINITY };
        state.set(p.group, st);
        o.tier?.watch(p.tier);
      }
      // the pool's running cost per node and speed; the rest of the cluster's free compute and throughput
      let costPerSecond = 0;
      let poolSpeed = 1;
      let freeElsewhere = 0;
      let throughputElsewhere = 0;
      for (const n of s.nodes) {
        if (n.group === p.group) {
          costPerSecond = n.costPerSecond;
          poolSpeed = n.speed('');
          continue;
        }
        if (!n.up || n.tier !== p.tier) continue;
        freeElsewhere += n.freeCompute;
        throughputElsewhere += n.computeCapacity * n.speed('');
      }
      const c = Math.max(p.perNodeCompute, 1e-9);
      const excess = Math.max(0, p.waitingCompute - freeElsewhere);
      st.shortfall = excess > 0 ? st.shortfall + 1 : 0;
      // the fee against the running cost over the minimum hold: a dear fee asks for a longer shortfall
      const fee = p.provisioningCost ?? o.provisioningCost ?? 0;
      const running = costPerSecond * (p.provisioningDelay + minHold);
      const feeIntervals = running > 0 ? Math.min(3, Math.floor(fee / running)) : 0;
      let lasting = st.shortfall >= persistence + feeIntervals;
      if (!lasting && o.load !== undefined && st.shortfall > 0) {
        // forecast load beyond what the active nodes and the rest carry at the target
        const load = o.load();
        lasting = load > target * (throughputElsewhere + p.active * c * poolSpeed);
      }
      // ahead of the forecast: the nodes the tier's pinned work will keep at most `ahead` busy once a node
      // started now is up (the windows from then to the next decision's node), and until then
      let soon = 0;
      let later = 0;
      const ahead = o.ahead ?? 0;
      if (o.tier !== undefined && ahead > 0) {
        const w = o.tier.window;
        const up = 1 + Math.floor(p.provisioningDelay / w);
        const last = 1 + Math.ceil((p.provisioningDelay + p.interval) / w);
        const perNode = ahead * c * poolSpeed;
        const nodesFor = (k: number) =>
          Math.ceil(Math.max(0, o.tier!.load(p.tier, k) - ahead * throughputElsewhere) / perNode - 1e-9);
        for (let k = 1; k <= last; k++) {
          const n = nodesFor(k);
          if (k >= up) later = Math.max(later, n);
          soon = Math.max(soon, n);
        }
      }
      // as many nodes as the excess keeps at least `target` busy
      let grow = p.active;
      if (lasting && excess >= target * c) grow = p.active + Math.floor(excess / (target * c));
      // growth ahead of the forecast is held (below): a noisy forecast must not start and stop a node by turns
      if (later > grow) {
        grow = later;
        if (grow > p.active) st.grewAt = s.now;
      }
      if (grow > p.active) return grow;
      // a node started is kept for the hold its start was paid for (up after the delay, then `minHold`)
      const held = s.now < st.grewAt + p.provisioningDelay + minHold;
      const fitsInFewer = p.usedCompute <= target * c * (p.active - 1) + 1e-9;
      if (excess === 0 && p.idle > 0 && p.active > p.min && fitsInFewer && soon < p.active && !held)
        return p.active - 1;
      return p.active;
    },
  };
}
