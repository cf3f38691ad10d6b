import { OnlineAccuracy } from './accuracy.js';
import { AutoForecaster } from './auto.js';
import { Ewma } from './ewma.js';
import { checkInteger, type Forecaster } from './forecaster.js';
import { Holt } from './holt.js';
import { HoltWinters } from './holt-winters.js';
import { SeasonalNaive } from './seasonal-naive.js';

/**
 * The evaluation behind the table in docs/forecasting.md: every forecaster, one step ahead, on
 * two synthetic arrival series shaped like ARS's examples. Regenerate with
 *   npm run build && node -e "import('./dist/forecast/evaluate.js').then((e) => console.log(e.formatEvaluationTable(e.evaluateForecasters())))"
 */

/** A small seeded uniform generator on [0, 1) (Marsaglia's xorshift32). Deterministic, not cryptographic. */
export function xorshift32(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 4294967296;
  };
}

/** A Poisson variate with mean `lambda` (product of uniforms; fine for the means used here, up to a few hundred). */
export function poisson(random: () => number, lambda: number): number {
  if (lambda <= 0) return 0;
  // Split large means so exp(-lambda) never underflows.
  if (lambda > 500) return poisson(random, lambda / 2) + poisson(random, lambda / 2);
  const limit = Math.exp(-lambda);
  let k = 0;
  let product = random();
  while (product > limit) {
    k++;
    product *= random();
  }
  return k;
}

export interface SyntheticOptions {
  /** Number of windows. Default 720 (30 days of hourly windows). */
  readonly length?: number;
  /** PRNG seed. Default 1. */
  readonly seed?: number;
}

/**
 * Arrivals per window with a daily cycle: Poisson counts with mean 40 + 25 sin(2 pi t / 24),
 * i.e. a 24-window period between 15 and 65 arrivals per window.
 */
export function diurnalSeries(options: SyntheticOptions = {}): number[] {
  const length = checkInteger('length', options.length ?? 720, 1);
  const random = xorshift32(options.seed ?? 1);
  return Array.from({ length }, (_, t) => poisson(random, 40 + 25 * Math.sin((2 * Math.PI * t) / 24)));
}

/**
 * Bursty on/off arrivals per window: a two-state Markov chain (on -> off with probability 0.15
 * per window, off -> on with 0.1) modulating a Poisson count of mean 30 (on) or 1 (off).
 */
export function burstySeries(options: SyntheticOptions = {}): number[] {
  const length = checkInteger('length', options.length ?? 720, 1);
  const random = xorshift32(options.seed ?? 1);
  let on = false;
  return Array.from({ length }, () => {
    on = on ? random() >= 0.15 : random() < 0.1;
    return poisson(random, on ? 30 : 1);
  });
}

export interface EvaluationRow {
  readonly series: string;
  readonly method: string;
  /** MASE, scaled by seasonal naive with the series' own period (24 diurnal, 1 bursty). */
  readonly mase: number;
  /** sMAPE, percent, 0..200. */
  readonly smape: number;
  /** For the auto-selector: the name of its final choice. */
  readonly finalChoice?: string;
}

/** The forecasters compared, all fresh; the auto-selector last. Season length 24 throughout. */
export function evaluatedForecasters(): Forecaster[] {
  return [
    new SeasonalNaive({ m: 1 }),
    new SeasonalNaive({ m: 24 }),
    new Ewma(),
    new Holt(),
    new Holt({ phi: 0.9 }),
    new HoltWinters({ m: 24 }),
    new AutoForecaster({ m: 24 }),
  ];
}

/** One-step-ahead accuracy of one forecaster on a series; steps before `burnIn` are not scored. */
export function oneStepAccuracy(
  forecaster: Forecaster,
  series: readonly number[],
  m: number,
  burnIn: number,
): OnlineAccuracy {
  const accuracy = new OnlineAccuracy(m);
  series.forEach((y, t) => {
    accuracy.observe(t >= burnIn && forecaster.n > 0 ? forecaster.forecast(1) : Number.NaN, y);
    forecaster.update(y);
  });
  return accuracy;
}

/**
 * MASE and sMAPE of every forecaster on the diurnal and the bursty series, one step ahead.
 * The first 48 windows (two seasons, Holt-Winters' initialisation) are not scored.
 */
export function evaluateForecasters(options: SyntheticOptions = {}): EvaluationRow[] {
  const burnIn = 48;
  const series: [string, number[], number][] = [
    ['diurnal', diurnalSeries(options), 24],
    ['bursty', burstySeries(options), 1],
  ];
  const rows: EvaluationRow[] = [];
  for (const [name, values, m] of series) {
    for (const forecaster of evaluatedForecasters()) {
      const accuracy = oneStepAccuracy(forecaster, values, m, burnIn);
      const row: EvaluationRow = {
        series: name,
        method: forecaster.name,
        mase: accuracy.mase,
        smape: accuracy.smape,
      };
      rows.push(forecaster instanceof AutoForecaster ? { ...row, finalChoice: forecaster.chosen } : row);
    }
  }
  return rows;
}

/** The rows as a Markdown table (3 decimals for MASE, 1 for sMAPE). */
export function formatEvaluationTable(rows: readonly EvaluationRow[]): string {
  const lines = ['| series | method | MASE | sMAPE (%) |', '| --- | --- | ---: | ---: |'];
  for (const r of rows) {
    const method = r.finalChoice === undefined ? r.method : `${r.method} → ${r.finalChoice}`;
    lines.push(`| ${r.series} | ${method} | ${r.mase.toFixed(3)} | ${r.smape.toFixed(1)} |`);
  }
  return lines.join('\n');
}
