/**
 * The ARS feedback controller: every metric window it reads the deadline-miss rate and nudges the knobs that
 * measurably move it, within bounds.
 *
 * Method: bounded multiplicative weights with a dead band and a leak back to the configured value.
 * - The miss rate is smoothed (exponentially, weight 0.3 per window) so one noisy window moves little.
 * - When the smoothed rate and the window's own rate are both over `missTarget` by more than the dead band
 *   (20 % of the target), every knob is multiplied by exp(±gain · e), e = the smaller relative excess clipped
 *   to 1, then clamped to its bounds. Multiplying (p + 0.05) rather than p lets a knob configured at 0 move.
 *   Requiring both stops the windup a lagging average alone would cause.
 * - When both are under the target by more than the band, the knob moves a fraction `feedbackLeak` of the
 *   way back to its configured value; otherwise it holds.
 * - A knob stays within a factor `feedbackRange` (default 4) of its configured value, inside its own bounds;
 *   `freshMargin` moreover at most `marginDrop` below it.
 * A step is at most a factor e^gain, the leak pulls towards one fixed point and the band stops the knob from
 * chasing noise around the target, so after a step change in load the knobs settle (at a new level while
 * the excess lasts, back at their configured values when it is gone) instead of oscillating.
 *
 * What misses drive: the freshness floors' margin down (floors aim at a smaller fraction of the period that
 * keeps a twin within its requests' max age, so fewer requests find their twin stale and wait for a refresh)
 * and less compute held back for refreshes. (Raising the queue's priority weight was a third rule: it changed
 * no example's metrics, and a priority credit reorders by priority, not by deadline; it is gone.) The margin
 * is the lever that measurably works (docs/ars-policy.md §4: on shift-change it cuts the misses by about
 * 40 %); a window's misses that staleness does not cause (storm's compute-bound fault location) leave it at
 * most `marginDrop` lower, which costs little weighted age.
 *
 * Jain's index and the share of refreshes forced by stale twins are observed and reported (`jainSmoothed`,
 * `forcedRefreshShare`) but drive nothing: the knobs they drove (fairness weights; temperature, wFresh,
 * wDemand) did not move any metric beyond noise on the examples, and a per-tenant queue credit for the
 * lagging tenant changed nothing either where Jain's index is low (smart-traffic, smart-home: the queue is
 * not where their tenants wait).
 */
import type { Feedback, MetricsWindow } from '../../scheduler/plugins.js';
import type { ArsContext } from './context.js';
import { PARAMS, type ParamDef, type ParamName } from './params.js';

const SMOOTHING = 0.3;
const BAND = 0.2;
const OFFSET = 0.05;

/** A knob the controller moves, and how. */
interface MissKnob {
  readonly name: ParamName;
  /** the sign with which misses move it: +1 up, −1 down */
  readonly sign: 1 | -1;
  /** it acts through the freshness floors, which exist only with forecasts: left alone without them */
  readonly needsForecast?: true;
  /** it may fall at most this parameter's value below its configured value (besides `feedbackRange`) */
  readonly maxDrop?: ParamName;
}

const MISS_KNOBS: readonly MissKnob[] = [
  { name: 'freshMargin', sign: -1, needsForecast: true, maxDrop: 'marginDrop' },
  { name: 'wReserve', sign: -1 },
];

export const FEEDBACK_KNOBS: readonly ParamName[] = MISS_KNOBS.map((k) => k.name);

export class ArsFeedback implements Feedback {
  readonly name: string;
  readonly #ctx: ArsContext;
  readonly #enabled: boolean;
  #miss = Number.NaN;
  #jain = Number.NaN;
  #forced = Number.NaN;

  constructor(ctx: ArsContext, enabled: boolean) {
    this.#ctx = ctx;
    this.#enabled = enabled;
    this.name = enabled ? 'ars-feedback' : 'ars-feedback(off)';
  }

  observe(w: MetricsWindow): void {
    const ctx = this.#ctx;
    const starts = ctx.onDemandStarts + ctx.proactiveStarts;
    const forced = starts > 0 ? ctx.onDemandStarts / starts : 0;
    ctx.onDemandStarts = 0;
    ctx.proactiveStarts = 0;
    const smooth = (old: number, x: number) => (Number.isNaN(old) ? x : old + SMOOTHING * (x - old));
    // a window without deadlines says nothing about misses: keep the old estimate
    const hasMisses = w.completions > 0 || w.deadlineMisses > 0;
    if (hasMisses) this.#miss = smooth(this.#miss, w.deadlineMissRate);
    this.#jain = smooth(this.#jain, w.jain);
    if (starts > 0) this.#forced = smooth(this.#forced, forced);
    if (!this.#enabled) return;
    const p = ctx.params;
    const missExcess = agree(
      excess(this.#miss, p.missTarget),
      hasMisses ? excess(w.deadlineMissRate, p.missTarget) : 0,
    );
    for (const knob of MISS_KNOBS) {
      if (knob.needsForecast && !ctx.useForecast) continue;
      this.#drive(knob, knob.sign * missExcess);
    }
  }

  /**
   * Moves one knob: e > 0 up, e < 0 down (multiplicatively, clamped to its bounds), e = 0 hold,
   * e = NaN (better than target beyond the band) back towards the configured value.
   */
  #drive(knob: MissKnob, e: number): void {
    const ctx = this.#ctx;
    const name = knob.name;
    const p = ctx.params;
    const base = ctx.base[name];
    const def: ParamDef = PARAMS[name];
    const before = p[name];
    let next = before;
    if (Number.isNaN(e)) next = before + (base - before) * p.feedbackLeak;
    else if (e !== 0) next = (before + OFFSET) * Math.exp(p.feedbackGain * e) - OFFSET;
    // within a factor `feedbackRange` of the configured value (and the parameter's own bounds): the tuned
    // profile stays the centre, so a miss rate no knob can fix cannot drag a knob to its extreme
    const range = p.feedbackRange;
    let lo = Math.max(def.min, (base + OFFSET) / range - OFFSET);
    const hi = Math.min(def.max, (base + OFFSET) * range - OFFSET);
    if (knob.maxDrop) lo = Math.max(lo, base - p[knob.maxDrop]);
    next = Math.max(lo, Math.min(hi, next));
    if (Math.abs(next - before) > 1e-12) {
      p[name] = next;
      ctx.dirty = true;
    }
  }

  parameters(): Readonly<Record<string, number>> {
    const p = this.#ctx.params;
    const out: Record<string, number> = {};
    for (const k of FEEDBACK_KNOBS) out[k] = p[k];
    out.missRateSmoothed = Number.isNaN(this.#miss) ? 0 : this.#miss;
    out.jainSmoothed = Number.isNaN(this.#jain) ? 1 : this.#jain;
    out.forcedRefreshShare = Number.isNaN(this.#forced) ? 0 : this.#forced;
    return out;
  }
}

/**
 * Acts only when the smoothed signal and this window's agree: up (the smaller step) when both are over the
 * band, back (NaN) when both are under it, otherwise hold. The smoothed signal lags, so acting on it alone
 * keeps pushing after the raw signal has crossed back (windup) and overshoots; requiring agreement stops that.
 */
function agree(smoothed: number, raw: number): number {
  if (Number.isNaN(smoothed) && Number.isNaN(raw)) return Number.NaN;
  if (smoothed > 0 && raw > 0) return Math.min(smoothed, raw);
  return 0;
}

/** Relative excess of a "lower is better" signal over its target, with the dead band (see `band`). */
function excess(signal: number, target: number): number {
  if (Number.isNaN(signal)) return 0;
  return band((signal - target) / Math.max(target, 1e-3));
}

/** Clipped to [-1, 1]; within ±BAND it is 0 (hold); below −BAND it is NaN (calm: leak back). */
function band(e: number): number {
  if (e > BAND) return Math.min(1, e);
  if (e < -BAND) return Number.NaN;
  return 0;
}
