/**
 * Deciding by simulating ahead: a receding-horizon controller whose model is the project's own engine.
 *
 * Every `rolloutWindow` simulated seconds (at the first metric window past it) it forks the system
 * (`forkOf(snapshot)`, the world's copy of its state: nodes, twin ages, open requests), runs `rollouts`
 * candidate settings of ARS from that copy for `rolloutHorizon` seconds, each on the same `aheadStreams` sets
 * of random streams (common random numbers), scores each by the tuning objective (`objective` in tune.ts) of
 * its mean metrics over the sets against the current setting's, and applies the best if it beats the current
 * one by `aheadMargin`. One 30-s rollout is a noisy estimate (a handful of misses), so the best of nine single
 * rollouts tends to be the luckiest; a mean over three sets chooses better (docs/ars-policy.md §9).
 *
 * Candidates: the current setting, and the current one with one knob multiplied and divided by `aheadStep`,
 * for (rollouts − 1) / 2 knobs taken in turn from `AHEAD_KNOBS` (so every knob is tried every few windows).
 * A rollout runs a fresh ARS profile built with the candidate's parameters, no feedback and no simulating
 * ahead of its own, and a copy of the live demand forecasts (so the forecast features work from the
 * first second of the rollout).
 *
 * Arrivals in the rollouts (`aheadArrivals`): `forecast` (default): per workload, a Poisson process at the
 * rate the demand forecast predicts now, 0 for a workload not seen yet; the controller uses nothing the
 * running policy could not know (a live system has no scenario to read its future from). `scenario`: the
 * scenario's own arrival process continued from the fork's time on the fork's streams (it knows the shape
 * of the load: a shift change, a flash crowd, but not the draws). Without forecasting, `scenario` is used.
 *
 * Cost, bounded per fork: `rollouts` × `aheadStreams` × `rolloutHorizon` simulated seconds, at most
 * `rolloutEvents` events per rollout. A rollout that reaches the cap is cut short and the fork changes
 * nothing (a budget in events, not milliseconds, keeps runs deterministic). The totals are reported with the
 * controller's parameters (`aheadRollouts`, `aheadEvents`, `aheadSimSeconds`, in the run result's `feedback`
 * and in every feedback decision of the trace), with which candidate won each fork and by how much.
 */
import type { ForecastBank } from '../../forecast/index.js';
import { forkOf } from '../../scheduler/fork.js';
import type { Feedback, MetricsWindow } from '../../scheduler/plugins.js';
import type { Profile } from '../../scheduler/profile.js';
import type { Snapshot } from '../../scheduler/types.js';
import { withSensitivePlacement } from '../privacy/sensitive-placement.js';
import { cloneGraph } from './ahead-clone.js';
import type { ArsContext } from './context.js';
import type { ArsFeedback } from './feedback.js';
import { type AheadParams, type ArsParams, PARAMS, type ParamDef, type ParamName } from './params.js';
import { meanMetrics, objective } from './tune.js';

/** The knobs candidates move, in the order they are taken. */
export const AHEAD_KNOBS: readonly ParamName[] = ['temperature', 'wFresh', 'wDemand', 'wPriority'];

export interface AheadOptions {
  readonly settings: AheadParams;
  /** draw rollout arrivals from the forecast (true) or the scenario's own process (false) */
  readonly forecastArrivals: boolean;
  /** builds a fresh ARS profile for a rollout: its parameters, and a hook to seed its context */
  readonly build: (params: ArsParams, seed: (ctx: ArsContext) => void) => Profile;
}

/** One candidate: the knob moved (none for the current setting) and its value. */
interface Candidate {
  readonly knob: ParamName | undefined;
  readonly value: number;
}

export class ArsAhead implements Feedback {
  readonly name = 'ars-ahead';
  readonly #ctx: ArsContext;
  readonly #inner: ArsFeedback;
  readonly #o: AheadOptions;
  #next: number;
  #turn = 0;
  // cost and outcome totals
  #forks = 0;
  #rollouts = 0;
  #events = 0;
  #simSeconds = 0;
  #truncated = 0;
  #changes = 0;
  // the last fork: its best alternative to the current setting, and whether it was applied
  #applied = 0;
  #gain = 0;
  #knob = -1;
  #value = 0;

  constructor(ctx: ArsContext, inner: ArsFeedback, o: AheadOptions) {
    this.#ctx = ctx;
    this.#inner = inner;
    this.#o = o;
    this.#next = o.settings.rolloutWindow;
  }

  observe(w: MetricsWindow, s: Snapshot): void {
    this.#inner.observe(w);
    const now = s.now;
    if (now + 1e-9 < this.#next) return;
    const every = this.#o.settings.rolloutWindow;
    this.#next = (Math.floor(now / every + 1e-9) + 1) * every;
    const fork = forkOf(s);
    if (fork) this.#decide(fork, s);
  }

  #candidates(): Candidate[] {
    const p = this.#ctx.params;
    const out: Candidate[] = [{ knob: undefined, value: Number.NaN }];
    const st = this.#o.settings;
    const pairs = Math.floor((st.rollouts - 1) / 2);
    for (let k = 0; k < pairs; k++) {
      const knob = AHEAD_KNOBS[(this.#turn + k) % AHEAD_KNOBS.length]!;
      if (knob === 'wFresh' || knob === 'wDemand') if (!this.#ctx.useForecast) continue;
      const def: ParamDef = PARAMS[knob];
      const v = p[knob];
      // multiplying v + 0.05 lets a knob at 0 move (as the feedback controller does)
      for (const f of [st.aheadStep, 1 / st.aheadStep]) {
        const x = Math.max(def.min, Math.min(def.max, (v + 0.05) * f - 0.05));
        if (Math.abs(x - v) > 1e-9) out.push({ knob, value: Number(x.toPrecision(6)) });
      }
    }
    this.#turn = (this.#turn + pairs) % AHEAD_KNOBS.length;
    return out;
  }

  #decide(fork: NonNullable<ReturnType<typeof forkOf>>, s: Snapshot): void {
    const ctx = this.#ctx;
    const st = this.#o.settings;
    const candidates = this.#candidates();
    this.#forks++;
    this.#applied = 0;
    this.#gain = 0;
    this.#knob = -1;
    this.#value = 0;
    let rates: number[] | undefined;
    if (this.#o.forecastArrivals && ctx.useForecast) {
      ctx.tick(s.now);
      rates = fork.workloads.map((w) => ctx.rate(`${w.tenant}/${w.id}`));
    }
    // forecaster switches the copied forecasts report go to the live context's list: drop them after
    const switches = ctx.switches.length;
    // per candidate, its runs on each set of streams (the same sets for every candidate)
    const results: unknown[][] = [];
    let truncated = false;
    rollouts: for (const c of candidates) {
      const params = { ...ctx.params };
      if (c.knob) params[c.knob] = c.value;
      const runs: unknown[] = [];
      for (let stream = 0; stream < st.aheadStreams; stream++) {
        const profile = withSensitivePlacement(
          this.#o.build(params, (rolloutCtx) => seedForecasts(rolloutCtx, ctx.demand)),
          fork.scenario,
        );
        const out = fork.run({
          profile,
          horizon: st.rolloutHorizon,
          maxEvents: st.rolloutEvents,
          ...(rates ? { arrivalRates: rates } : {}),
          ...(stream > 0 ? { stream } : {}),
        });
        this.#rollouts++;
        this.#events += out.events;
        this.#simSeconds += out.end - out.start;
        if (out.truncated) {
          truncated = true;
          this.#truncated++;
          break rollouts;
        }
        runs.push(out.result);
      }
      results.push(runs);
    }
    ctx.switches.length = switches;
    if (truncated || results.length < 2) return;
    const reference = meanMetrics(results[0]!);
    const scores = results.map((r) => objective(meanMetrics(r), reference));
    let best = 1;
    for (let i = 2; i < scores.length; i++) if (scores[i]! < scores[best]!) best = i;
    const c = candidates[best]!;
    this.#gain = scores[0]! - scores[best]!;
    this.#knob = AHEAD_KNOBS.indexOf(c.knob!);
    this.#value = c.value;
    if (this.#gain <= st.aheadMargin) return;
    this.#applied = 1;
    ctx.params[c.knob!] = c.value;
    ctx.dirty = true;
    this.#changes++;
  }

  parameters(): Readonly<Record<string, number>> {
    const p = this.#ctx.params;
    const out: Record<string, number> = { ...this.#inner.parameters() };
    for (const k of AHEAD_KNOBS) out[k] = p[k];
    out.aheadForks = this.#forks;
    out.aheadRollouts = this.#rollouts;
    out.aheadEvents = this.#events;
    out.aheadSimSeconds = this.#simSeconds;
    out.aheadTruncated = this.#truncated;
    out.aheadChanges = this.#changes;
    // the last fork: its best alternative to the current setting (the knob, an index into AHEAD_KNOBS,
    // −1 when there was none, and the value it tried), how much lower its objective was than the current
    // setting's (negative: the current setting was better), and whether it was applied (gain > aheadMargin)
    out.aheadKnob = this.#knob;
    out.aheadValue = this.#value;
    out.aheadGain = this.#gain;
    out.aheadApplied = this.#applied;
    return out;
  }
}

/** A rollout's ARS starts with a copy of the live demand forecasts. */
function seedForecasts(rolloutCtx: ArsContext, live: ForecastBank): void {
  (rolloutCtx as { demand: ForecastBank }).demand = cloneGraph(live);
}
