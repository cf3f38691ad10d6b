/**
 * The hidden true state of assets, advanced lazily: each asset remembers the last time its state was
 * drawn and moves forward with the exact transition of its dynamics when someone looks (a refresh or a
 * tracking-error probe). Nothing is simulated for an asset nobody looks at, which is what lets 100,000
 * assets cost nothing between refreshes.
 */
import type { RandomStream } from '../engine/random.js';
import type { TwinDef } from '../model/scenario.js';

export class AssetStates {
  readonly #defs: readonly TwinDef[];
  readonly #time: Float64Array;
  /** the base process without anomalies (random walk / OU level; unused for periodic) */
  readonly #base: Float64Array;
  /** sum of anomaly jumps so far */
  readonly #jump: Float64Array;
  /** sum of drift rates of anomalies so far, and the matching sum of rate × onset, so drift(t) = r·t − Σ r·onset */
  readonly #driftRate: Float64Array;
  readonly #driftOffset: Float64Array;
  readonly #rng: RandomStream;

  constructor(defs: readonly TwinDef[], rng: RandomStream) {
    this.#defs = defs;
    this.#rng = rng;
    const n = defs.length;
    this.#time = new Float64Array(n);
    this.#base = new Float64Array(n);
    this.#jump = new Float64Array(n);
    this.#driftRate = new Float64Array(n);
    this.#driftOffset = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d = defs[i]!.dynamics;
      this.#base[i] = d.kind === 'periodic' ? d.mean : d.initial;
    }
  }

  /** The true state of asset `i` at time `t` (t must not go backwards for an asset). */
  valueAt(i: number, t: number): number {
    const d = this.#defs[i]!.dynamics;
    const dt = t - this.#time[i]!;
    let base: number;
    if (d.kind === 'periodic') {
      base = d.mean + d.amplitude * Math.cos((2 * Math.PI * (t - d.phase)) / d.period);
      if (d.noise > 0) base += this.#rng.normal(0, d.noise);
    } else if (dt <= 0) {
      base = this.#base[i]!;
    } else if (d.kind === 'random-walk') {
      base =
        this.#base[i]! +
        d.drift * dt +
        (d.volatility > 0 ? d.volatility * Math.sqrt(dt) * this.#rng.normal(0, 1) : 0);
      this.#base[i] = base;
    } else {
      // Ornstein-Uhlenbeck, exact transition over dt
      const decay = Math.exp(-d.reversion * dt);
      const sd = d.volatility * Math.sqrt((1 - decay * decay) / (2 * d.reversion));
      base = d.mean + (this.#base[i]! - d.mean) * decay + (sd > 0 ? sd * this.#rng.normal(0, 1) : 0);
      this.#base[i] = base;
    }
    if (dt > 0) this.#time[i] = t;
    return base + this.#jump[i]! + this.#driftRate[i]! * t - this.#driftOffset[i]!;
  }

  /** Starts an anomaly on asset `i` at time `t`: a jump of the given size, or a drift of that many units per second. */
  startAnomaly(i: number, t: number, kind: 'jump' | 'drift', magnitude: number): void {
    if (kind === 'jump') this.#jump[i] = this.#jump[i]! + magnitude;
    else {
      this.#driftRate[i] = this.#driftRate[i]! + magnitude;
      this.#driftOffset[i] = this.#driftOffset[i]! + magnitude * t;
    }
  }
}
