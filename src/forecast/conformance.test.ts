import { describe, expect, it } from 'vitest';
import { AutoForecaster } from './auto.js';
import { Ewma } from './ewma.js';
import type { Forecaster } from './forecaster.js';
import { Holt } from './holt.js';
import { HoltWinters } from './holt-winters.js';
import { SeasonalNaive } from './seasonal-naive.js';

// Every forecaster passes the contract written on the Forecaster interface.
const makers: [string, () => Forecaster][] = [
  ['ewma', () => new Ewma()],
  ['holt', () => new Holt()],
  ['damped holt', () => new Holt({ phi: 0.8 })],
  ['holt-winters', () => new HoltWinters({ m: 4 })],
  ['seasonal naive', () => new SeasonalNaive({ m: 3 })],
  ['naive', () => new SeasonalNaive()],
  ['auto', () => new AutoForecaster({ m: 4, warmup: 2 })],
];

const data = [5, 7, 3, 9, 6, 8, 2, 10, 7, 9, 3, 11, 8, 10, 4, 12, 9, 11];
const horizons = [1, 2, 3, 7];
const forecasts = (f: Forecaster) => horizons.map((h) => f.forecast(h));

describe.each(makers)('%s conforms to the Forecaster contract', (_, make) => {
  it('forecasts NaN before the first observation', () => {
    const f = make();
    expect(f.n).toBe(0);
    expect(f.forecast(1)).toBeNaN();
  });

  it('counts observations and gives finite forecasts afterwards', () => {
    const f = make();
    data.forEach((y, i) => {
      f.update(y);
      expect(f.n).toBe(i + 1);
      for (const value of forecasts(f)) expect(Number.isFinite(value)).toBe(true);
    });
  });

  it('does not change state when forecasting', () => {
    const a = make();
    const b = make();
    for (const y of data) {
      a.update(y);
      a.forecast(5);
      a.forecast(1);
      b.update(y);
    }
    expect(forecasts(a)).toEqual(forecasts(b));
  });

  it('behaves like a fresh instance after reset', () => {
    const used = make();
    for (const y of [100, -50, 3, 4, 1000, 2, 2]) used.update(y);
    used.reset();
    expect(used.n).toBe(0);
    expect(used.forecast(1)).toBeNaN();
    const fresh = make();
    for (const y of data) {
      used.update(y);
      fresh.update(y);
      expect(forecasts(used)).toEqual(forecasts(fresh));
    }
  });

  it('refuses non-finite observations and bad horizons', () => {
    const f = make();
    f.update(1);
    for (const y of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => f.update(y)).toThrow(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
    }
    for (const h of [0, -1, 1.5, Number.NaN]) {
      expect(() => f.forecast(h)).toThrow(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
    }
    expect(f.n).toBe(1);
  });
});
