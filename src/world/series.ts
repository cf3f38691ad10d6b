/**
 * Per-window series of a run (`ars run --series`): what the accounts see, cut into windows of simulated time
 * from the warm-up on, streamed into a bounded `SeriesRecorder` (src/metrics/series.ts).
 *
 * Series (names as in the result's `series.series`):
 * - `aoi.weighted`, `aoi.tenant.<id>`, `aoi.criticality.<c>`: mean age of information over the window,
 *   criticality-weighted (exact: the area under every twin's sawtooth in the window over the twin-time);
 * - `utilization.compute.<tier>`, `utilization.attention.<tier>`: reserved over up capacity, per node kind;
 *   `utilization.node.<id>`: compute reserved over capacity up, per node (clusters of at most 64 nodes);
 * - `cost.perSecond`: what nodes up cost over the window, per second (provisioning included);
 * - `queue.length`: ready work waiting for a node, at the window's end;
 * - `requests.arrived`, `requests.completed`, `requests.lost`, `requests.missed`: counts;
 * - `requests.latency`: count, mean, p50, p95, p99 of the latencies of requests completed in the window.
 *
 * Levels are computed at each window's end from the accounts without touching them (the integrals are
 * extended to the instant on the side), so recording series changes no other figure of the result; the run
 * has one more event per window (`scheduler.events`).
 */
import { ArsError } from '../errors.js';
import { type SeriesDocument, SeriesRecorder } from '../metrics/series.js';
import { aoiIntegral } from '../metrics/time-weighted.js';
import { windowShare } from '../metrics/window.js';
import type { AccountsObserver } from './accounting.js';
import type { WorldCore } from './core.js';
import type { RequestRt, TwinRt } from './state.js';

export interface SeriesSettings {
  /** window width in simulated seconds; default a hundredth of the measured span (horizon − warm-up) */
  readonly window?: number;
  /** most windows kept per series before adjacent ones merge (default 2048) */
  readonly maxWindows?: number;
}

const TIERS = ['edge', 'fog', 'cloud'] as const;

/** Up to this many nodes, each also gets its own compute utilisation series (the report's node × time heatmap). */
export const MAX_NODE_SERIES = 64;

export class WorldSeries implements AccountsObserver {
  readonly #w: WorldCore;
  readonly #rec: SeriesRecorder;
  readonly #window: number;
  /** per tenant and per criticality class: weighted AoI area already accounted, and total criticality */
  readonly #tenantArea: Float64Array;
  readonly #tenantWeight: Float64Array;
  readonly #critOf: Int32Array;
  readonly #critNames: string[];
  readonly #critArea: Float64Array;
  readonly #critWeight: Float64Array;
  #windowStart: number;
  // the integrals at the start of the current window
  #prev: Record<string, number> = {};

  readonly #accounts: { readonly provisioningCost: number };

  constructor(w: WorldCore, accounts: { readonly provisioningCost: number }, settings: SeriesSettings) {
    this.#w = w;
    this.#accounts = accounts;
    const span = w.horizon - w.warmup;
    const window = settings.window ?? (span > 0 ? span / 100 : 1);
    if (!(window > 0 && Number.isFinite(window)))
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `series window must be a positive number of seconds, got ${window}`,
      );
    this.#window = window;
    this.#windowStart = w.warmup;
    this.#rec = new SeriesRecorder({
      window,
      start: w.warmup,
      ...(settings.maxWindows !== undefined ? { maxWindows: settings.maxWindows } : {}),
    });
    this.#tenantArea = new Float64Array(w.tenants.length);
    this.#tenantWeight = new Float64Array(w.tenants.length);
    const classes = [...new Set(w.twins.map((t) => t.criticality))].sort((a, b) => a - b);
    this.#critNames = classes.map(String);
    this.#critOf = Int32Array.from(w.twins, (t) => classes.indexOf(t.criticality));
    this.#critArea = new Float64Array(classes.length);
    this.#critWeight = new Float64Array(classes.length);
    for (const t of w.twins) {
      this.#tenantWeight[t.tenant]! += t.criticality;
      this.#critWeight[this.#critOf[t.index]!]! += t.criticality;
    }
  }

  /** Schedules the first window's end; call once the run starts. */
  start(): void {
    this.#prev = this.#integrals();
    this.#scheduleTick(1);
  }

  #scheduleTick(k: number): void {
    const w = this.#w;
    const t = w.warmup + k * this.#window;
    if (t < w.horizon) w.sim.scheduleAt(t, this.#onTick, k);
  }

  readonly #onTick = (k: number): void => {
    this.#closeWindow();
    this.#scheduleTick(k + 1);
  };

  /** Records the levels of the window [windowStart, now) and opens the next one. */
  #closeWindow(): void {
    const w = this.#w;
    const now = w.sim.now;
    const span = now - this.#windowStart;
    if (span <= 0) return;
    const cur = this.#integrals();
    const prev = this.#prev;
    const d = (key: string) => (cur[key] ?? 0) - (prev[key] ?? 0);
    const rec = this.#rec;
    const at = this.#windowStart;
    let area = 0;
    let weight = 0;
    for (const t of w.tenants) {
      const key = `aoi.tenant.${t.id}`;
      const wt = this.#tenantWeight[t.index]!;
      area += d(key);
      weight += wt;
      if (wt > 0) rec.level(key, at, d(key) / (wt * span));
    }
    if (weight > 0) rec.level('aoi.weighted', at, area / (weight * span));
    this.#critNames.forEach((c, i) => {
      const key = `aoi.criticality.${c}`;
      const wt = this.#critWeight[i]!;
      if (wt > 0) rec.level(key, at, d(key) / (wt * span));
    });
    for (const tier of TIERS) {
      for (const r of ['compute', 'attention'] as const) {
        const up = `${r}Up.${tier}`;
        const busy = `${r}Busy.${tier}`;
        if (cur[up] === undefined) continue;
        rec.level(
          `utilization.${r}.${tier}`,
          at,
          windowShare(cur[busy]!, prev[busy] ?? 0, cur[up]!, prev[up] ?? 0),
        );
      }
    }
    if (w.nodes.length <= MAX_NODE_SERIES)
      for (const n of w.nodes) {
        const up = `node.up.${n.id}`;
        const busy = `node.busy.${n.id}`;
        rec.level(
          `utilization.node.${n.id}`,
          at,
          windowShare(cur[busy]!, prev[busy] ?? 0, cur[up]!, prev[up] ?? 0),
        );
      }
    rec.level('cost.perSecond', at, d('cost') / span);
    rec.level('queue.length', at, w.runtime.queue.size);
    this.#prev = cur;
    this.#windowStart = now;
  }

  /**
   * The run's integrals up to now, without changing the accounts: each node's and twin's open span since it
   * was last accounted is added here on the side, the way accounting.ts would add it.
   */
  #integrals(): Record<string, number> {
    const w = this.#w;
    const now = w.sim.now;
    const out: Record<string, number> = {};
    const add = (key: string, x: number) => {
      out[key] = (out[key] ?? 0) + x;
    };
    let cost = this.#accounts.provisioningCost;
    for (const n of w.nodes) {
      let busyC = n.computeBusy;
      let busyA = n.attentionBusy;
      let upC = n.computeUp;
      let upA = n.attentionUp;
      let upSeconds = n.upSeconds;
      const from = Math.max(n.lastAccount, w.warmup);
      if (now > from && (n.state === 'up' || n.state === 'provisioning')) {
        const dt = now - from;
        upSeconds += dt;
        if (n.state === 'up') {
          busyC += n.usedCompute * dt;
          busyA += n.usedAttention * dt;
          upC += n.computeCapacity * dt;
          upA += n.attentionCapacity * dt;
        }
      }
      if (w.nodes.length <= MAX_NODE_SERIES) {
        out[`node.busy.${n.id}`] = busyC;
        out[`node.up.${n.id}`] = upC;
      }
      add(`computeBusy.${n.tier}`, busyC);
      add(`attentionBusy.${n.tier}`, busyA);
      add(`computeUp.${n.tier}`, upC);
      add(`attentionUp.${n.tier}`, upA);
      cost += upSeconds * n.costPerSecond;
    }
    out.cost = cost;
    const tenantArea = Float64Array.from(this.#tenantArea);
    const critArea = Float64Array.from(this.#critArea);
    for (const t of w.twins) {
      const from = Math.max(t.accounted, w.warmup);
      if (now > from) {
        const a = t.criticality * aoiIntegral(from, now, t.lastSample);
        tenantArea[t.tenant]! += a;
        critArea[this.#critOf[t.index]!]! += a;
      }
    }
    for (const t of w.tenants) out[`aoi.tenant.${t.id}`] = tenantArea[t.index]!;
    this.#critNames.forEach((c, i) => {
      out[`aoi.criticality.${c}`] = critArea[i]!;
    });
    return out;
  }

  // ------------------------------------------------------------------ AccountsObserver

  requestArrived(now: number): void {
    this.#rec.count('requests.arrived', now);
  }

  requestCompleted(now: number, _req: RequestRt, latency: number, missed: boolean): void {
    this.#rec.count('requests.completed', now);
    this.#rec.sample('requests.latency', now, latency);
    if (missed) this.#rec.count('requests.missed', now);
  }

  requestFailed(now: number, _req: RequestRt, missed: boolean): void {
    this.#rec.count('requests.lost', now);
    if (missed) this.#rec.count('requests.missed', now);
  }

  twinAged(t: TwinRt, area: number): void {
    const a = t.criticality * area;
    this.#tenantArea[t.tenant]! += a;
    this.#critArea[this.#critOf[t.index]!]! += a;
  }

  /** The series up to the horizon; call after the accounts are finished. */
  finish(): SeriesDocument {
    this.#closeWindow();
    return this.#rec.finish(this.#w.horizon);
  }
}
