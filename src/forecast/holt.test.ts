import { describe, expect, it } from 'vitest';
import { Holt } from './holt.js';

const input = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });

describe('Holt', () => {
  it('matches hand-computed values for the first steps', () => {
    const f = new Holt({ alpha: 0.5, beta: 0.5 });
    f.update(1); // level 1, trend 0
    expect(f.forecast(1)).toBe(1);
    f.update(3); // level 3, trend 2
    expect([f.forecast(1), f.forecast(2)]).toEqual([5, 7]);
    f.update(4); // level 0.5*4 + 0.5*(3+2) = 4.5, trend 0.5*1.5 + 0.5*2 = 1.75
    expect([f.forecast(1), f.forecast(2)]).toEqual([6.25, 8]);
  });

  it('forecasts a noiseless line exactly at every horizon', () => {
    const f = new Holt({ alpha: 0.37, beta: 0.11 });
    const line = (t: number) => 3 + 2.5 * t;
    for (let t = 0; t < 50; t++) {
      f.update(line(t));
      if (t >= 1) {
        for (const h of [1, 5, 100]) expect(f.forecast(h)).toBeCloseTo(line(t + h), 9);
      }
    }
  });

  it('damps the trend: hand-computed steps and a bounded long-range forecast', () => {
    const f = new Holt({ alpha: 0.5, beta: 0.5, phi: 0.5 });
    for (const y of [1, 3, 4]) f.update(y);
    // level 0.5*4 + 0.5*(3 + 0.5*2) = 4, trend 0.5*1 + 0.5*(0.5*2) = 1
    expect(f.forecast(1)).toBe(4.5);
    expect(f.forecast(2)).toBe(4.75);
    // phi + phi^2 + ... tends to phi / (1 - phi) = 1.
    expect(f.forecast(200)).toBeCloseTo(5, 12);
  });

  it('with damping flattens long-range forecasts where the undamped trend keeps climbing', () => {
    const damped = new Holt({ phi: 0.8 });
    const undamped = new Holt();
    for (let t = 0; t < 30; t++) {
      damped.update(2 * t);
      undamped.update(2 * t);
    }
    expect(undamped.forecast(100) - undamped.forecast(50)).toBeCloseTo(100, 9);
    expect(Math.abs(damped.forecast(100) - damped.forecast(50))).toBeLessThan(1e-3);
    expect(damped.forecast(100)).toBeLessThan(undamped.forecast(5));
  });

  it('has documented defaults and names its parameters', () => {
    const f = new Holt();
    expect([f.alpha, f.beta, f.phi]).toEqual([0.3, 0.1, 1]);
    expect(f.name).toBe('holt(a=0.3,b=0.1)');
    expect(new Holt({ phi: 0.9 }).name).toBe('holt(a=0.3,b=0.1,phi=0.9)');
  });

  it.each([
    { alpha: 0 },
    { alpha: 1.5 },
    { beta: -0.1 },
    { beta: 2 },
    { phi: 0 },
    { phi: 1.1 },
    { alpha: Number.NaN },
  ])('refuses %o', (options) => {
    expect(() => new Holt(options)).toThrow(input);
  });
});
