import { describe, expect, it } from 'vitest';
import { burstySeries, diurnalSeries, type EvaluationRow, evaluateForecasters } from './evaluate.js';

// The auto-selector pays for a few switches and for the time it needs to notice which model
// wins; 5 % over the best simple baseline is the allowance.
const AUTO_MARGIN = 0.05;

const pick = (rows: EvaluationRow[], series: string, prefix: string) =>
  rows.find((r) => r.series === series && r.method.startsWith(prefix))!;

describe('evaluation on synthetic arrival series', () => {
  it('generates deterministic series with the intended shape', () => {
    expect(diurnalSeries({ seed: 4 })).toEqual(diurnalSeries({ seed: 4 }));
    expect(diurnalSeries({ seed: 4 })).not.toEqual(diurnalSeries({ seed: 5 }));
    const diurnal = diurnalSeries();
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    // Peaks at phase 6 (mean 65), troughs at phase 18 (mean 15).
    const atPhase = (p: number) => mean(diurnal.filter((_, t) => t % 24 === p));
    expect(atPhase(6)).toBeGreaterThan(55);
    expect(atPhase(18)).toBeLessThan(25);
    const bursty = burstySeries();
    const on = bursty.filter((y) => y > 10).length / bursty.length;
    expect(on).toBeGreaterThan(0.25);
    expect(on).toBeLessThan(0.6);
  });

  it.each([1, 2, 3, 4, 5])('auto is never much worse than the naive baselines (seed %i)', (seed) => {
    const rows = evaluateForecasters({ seed });
    for (const series of ['diurnal', 'bursty']) {
      const auto = pick(rows, series, 'auto');
      for (const baseline of ['seasonal-naive', 'naive']) {
        const b = pick(rows, series, baseline);
        expect(auto.mase).toBeLessThanOrEqual(b.mase * (1 + AUTO_MARGIN));
      }
    }
  });

  it.each([1, 2, 3, 4, 5])('Holt-Winters beats EWMA on the diurnal series (seed %i)', (seed) => {
    const rows = evaluateForecasters({ seed });
    const hw = pick(rows, 'diurnal', 'holt-winters');
    const ewma = pick(rows, 'diurnal', 'ewma');
    expect(hw.mase).toBeLessThan(ewma.mase);
    expect(hw.smape).toBeLessThan(ewma.smape);
  });

  it('is deterministic', () => {
    expect(evaluateForecasters({ seed: 9 })).toEqual(evaluateForecasters({ seed: 9 }));
  });
});
