/**
 * The ARS feedback controller: every metric window it reads deadline misses, Jain's index and the share of
 * refreshes that requests had to force (stale twins), and nudges a few parameters within bounds.
 *
 * Method: bounded multiplicative weights with a dead band and a leak back to the configured value.
 * - Each signal is smoothed (exponentially, weight 0.3 per window) so one noisy window moves little.
 * - When the smoothed signal and the window's own value are both worse than the target by more than the dead
 *   band (20 % of the target), every knob the signal drives is multiplied by exp(±gain · e), e = the smaller
 *   relative excess clipped to 1, then clamped to its bounds. Multiplying (p + 0.05) rather than p lets a
 *   knob configured at 0 move. Requiring both stops the windup a lagging average alone would cause.
 * - When both are better than the target by more than the band, the knob moves a fraction `leak` of the
 *   way back to its configured value; otherwise it holds.
 * - A knob stays within a factor `feedbackRange` (default 4) of its configured value, inside its own bounds.
 * A step is at most a factor e^gain, the leak pulls towards one fixed point and the band stops the knob from
 * chasing noise around the target, so after a step change in load the knobs settle (at a new level while
 * the excess lasts, back at their configured values when it is gone) instead of oscillating.
 *
 * What drives what: misses → more weight on priority in the queue, less compute held back for refreshes;
 * unfairness → more weight on tenants' dominant-share deficits (attention and queue); refreshes forced by
 * stale twins → a higher temperature (attention spread more evenly: requests keep finding twins the
 * weights starve), stronger freshness floors and more weight on forecast twin demand. (Jain's index is over
 * tenants' request latencies; a higher temperature spreads attention over twins whatever their tenant, so
 * it is not a lever on it: on a fleet whose twins one tenant owns it only costs weighted age.)
 */
import type { Feedback, MetricsWindow } from '../../scheduler/plugins.js';
import type { ArsContext } from './context.js';
import { PARAMS, type ParamDef, type ParamName } from './params.js';

const SMOOTHING = 0.3;
const BAND = 0.2;
const OFFSET = 0.05;

export const FEEDBACK_KNOBS: readonly ParamName[] = [
  'temperature',
  'wFresh',
  'wDemand',
  'wFairness',
  'wQueueFairness',
  'wPriority',
  'wReserve',
];

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
    // 1. deadline misses
    const missExcess = agree(
      excess(this.#miss, p.missTarget),
      hasMisses ? excess(w.deadlineMissRate, p.missTarget) : 0,
    );
    this.#drive('wPriority', missExcess);
    this.#drive('wReserve', -missExcess);
    // 2. fairness (Jain's index is better when higher: the excess is the shortfall)
    const short = (j: number) => band((p.jainTarget - j) / Math.max(1 - p.jainTarget, 0.01));
    const jainShort = agree(short(this.#jain), short(w.jain));
    this.#drive('wFairness', jainShort);
    this.#drive('wQueueFairness', jainShort);
    // 3. refreshes forced by stale twins
    const forcedExcess = agree(
      excess(this.#forced, p.onDemandTarget),
      starts > 0 ? excess(forced, p.onDemandTarget) : 0,
    );
    this.#drive('temperature', forcedExcess);
    if (ctx.useForecast) {
      this.#drive('wFresh', forcedExcess);
      this.#drive('wDemand', forcedExcess);
    }
  }

  /**
   * Moves one knob: e > 0 up, e < 0 down (multiplicatively, clamped to its bounds), e = 0 hold,
   * e = NaN (better than target beyond the band) back towards the configured value.
   */
  #drive(name: ParamName, e: number): void {
    const ctx = this.#ctx;
    const p = ctx.params;
    const base = ctx.base[name];
    const def: ParamDef = PARAMS[name];
    const before = p[name];
    let next = before;
    if (Number.isNaN(e)) next = before + (base - before) * ctx.params.feedbackLeak;
    else if (e !== 0) next = (before + OFFSET) * Math.exp(ctx.params.feedbackGain * e) - OFFSET;
    // within a factor `feedbackRange` of the configured value (and the parameter's own bounds): the tuned
    // profile stays the centre, so a signal no knob can fix (Jain's index on a one-tenant twin fleet) cannot
    // drag a knob to its extreme
    const range = ctx.params.feedbackRange;
    const lo = Math.max(def.min, (base + OFFSET) / range - OFFSET);
    const hi = Math.min(def.max, (base + OFFSET) * range - OFFSET);
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
