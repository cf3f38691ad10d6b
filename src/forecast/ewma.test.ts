import { describe, expect, it } from 'vitest';
import { Ewma } from './ewma.js';

const input = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });

describe('Ewma', () => {
  it('starts at the first value and moves alpha of the way to each new one', () => {
    const f = new Ewma({ alpha: 0.5 });
    const seen: number[] = [];
    for (const y of [10, 20, 0, 4]) {
      f.update(y);
      seen.push(f.forecast(1));
    }
    expect(seen).toEqual([10, 15, 7.5, 5.75]);
  });

  it('gives a flat forecast for every horizon', () => {
    const f = new Ewma({ alpha: 0.25 });
    for (const y of [8, 0]) f.update(y);
    expect([f.forecast(1), f.forecast(2), f.forecast(50)]).toEqual([6, 6, 6]);
  });

  it('with alpha 1 is the naive last-value forecast', () => {
    const f = new Ewma({ alpha: 1 });
    for (const y of [3, 9, -2]) f.update(y);
    expect(f.forecast(1)).toBe(-2);
  });

  it('uses alpha 0.3 by default and names its parameter', () => {
    const f = new Ewma();
    expect(f.alpha).toBe(0.3);
    expect(f.name).toBe('ewma(a=0.3)');
  });

  it.each([0, -0.1, 1.01, Number.NaN])('refuses alpha %s', (alpha) => {
    expect(() => new Ewma({ alpha })).toThrow(input);
  });
});
