import { describe, expect, it } from 'vitest';
import { HoltWinters } from './holt-winters.js';

const input = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });

describe('HoltWinters', () => {
  it('initialises from two seasons exactly as computed by hand', () => {
    // m = 2, series 1, 3, 3, 5: season means 2 and 4, trend (4 - 2) / 2 = 1, the line through
    // the means sits at (i - 0.5) * 1 around each mean, offsets -0.5 and +0.5, level 4 + 0.5.
    const f = new HoltWinters({ m: 2, alpha: 0.5, beta: 0.5, gamma: 0.5 });
    for (const y of [1, 3, 3, 5]) f.update(y);
    expect([f.forecast(1), f.forecast(2), f.forecast(3)]).toEqual([5, 7, 7]);
    // y = 6 at phase 0: level 0.5*(6 + 0.5) + 0.5*(4.5 + 1) = 6, trend 0.5*1.5 + 0.5*1 = 1.25,
    // offset[0] = 0.5*(6 - 6) + 0.5*(-0.5) = -0.25.
    f.update(6);
    expect(f.forecast(1)).toBe(6 + 1.25 + 0.5);
    expect(f.forecast(2)).toBe(6 + 2.5 - 0.25);
  });

  it('forecasts seasonal-naive while it waits for two seasons', () => {
    const f = new HoltWinters({ m: 3 });
    f.update(4);
    expect(f.forecast(1)).toBe(4);
    for (const y of [6, 8, 5]) f.update(y);
    // Target steps 5, 6, 7 (1-based) look one season back at 2, 3, 4.
    expect([f.forecast(1), f.forecast(2), f.forecast(3)]).toEqual([6, 8, 5]);
  });

  it('captures a noiseless line plus season exactly from the initialisation', () => {
    const m = 6;
    const series = (t: number) => 10 + 0.5 * t + [3, -1, 2, -4, 1, -1][t % m]!;
    const f = new HoltWinters({ m });
    for (let t = 0; t < 2 * m; t++) f.update(series(t));
    for (const h of [1, 2, 7, 30]) expect(f.forecast(h)).toBeCloseTo(series(2 * m - 1 + h), 9);
  });

  it('converges on a noiseless sinusoid plus trend after a disturbed start', () => {
    const m = 12;
    const series = (t: number) => 50 + 0.3 * t + 8 * Math.sin((2 * Math.PI * t) / m);
    // The first two seasons carry a deterministic disturbance, so the initial state is wrong.
    const disturbance = (t: number) => (t < 2 * m ? 5 * Math.cos(1.7 * t) : 0);
    const f = new HoltWinters({ m, alpha: 0.3, beta: 0.1, gamma: 0.3 });
    const errorAt = (t: number) => Math.abs(f.forecast(1) - series(t));
    let earlyError = 0;
    for (let t = 0; t < 60 * m; t++) {
      if (t >= 2 * m && t < 3 * m) earlyError = Math.max(earlyError, errorAt(t));
      f.update(series(t) + disturbance(t));
    }
    expect(earlyError).toBeGreaterThan(0.5);
    const last = 60 * m - 1;
    for (let h = 1; h <= m; h++) expect(Math.abs(f.forecast(h) - series(last + h))).toBeLessThan(1e-3);
  });

  it('damps the trend when phi < 1', () => {
    const f = new HoltWinters({ m: 2, alpha: 0.5, beta: 0.5, gamma: 0.5, phi: 0.5 });
    for (const y of [1, 3, 3, 5]) f.update(y);
    // Level 4.5, trend 1; same phase two seasons apart differs by phi^4 + phi^5 instead of 2.
    expect(f.forecast(5) - f.forecast(3)).toBeCloseTo(0.0625 + 0.03125, 12);
  });

  it('has documented defaults and names its parameters', () => {
    const f = new HoltWinters({ m: 24 });
    expect([f.alpha, f.beta, f.gamma, f.phi]).toEqual([0.2, 0.05, 0.1, 1]);
    expect(f.name).toBe('holt-winters(m=24,a=0.2,b=0.05,g=0.1)');
  });

  it.each([
    { m: 1 },
    { m: 2.5 },
    { m: 4, alpha: 0 },
    { m: 4, beta: 1.5 },
    { m: 4, gamma: -0.2 },
    { m: 4, phi: 0 },
  ])('refuses %o', (options) => {
    expect(() => new HoltWinters(options)).toThrow(input);
  });
});
