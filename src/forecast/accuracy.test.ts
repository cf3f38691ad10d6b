import { describe, expect, it } from 'vitest';
import { mase, OnlineAccuracy, smape } from './accuracy.js';

const input = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });

describe('OnlineAccuracy', () => {
  const actual = [1, 2, 4, 8];
  const forecast = [Number.NaN, 1, 3, 6];

  it('computes MASE against the in-sample naive error', () => {
    const a = new OnlineAccuracy(1);
    actual.forEach((y, i) => {
      a.observe(forecast[i]!, y);
    });
    // Errors 1, 1, 2 (the NaN forecast is not scored); naive errors 1, 2, 4.
    expect(a.count).toBe(3);
    expect(a.mae).toBeCloseTo(4 / 3, 12);
    expect(a.scale).toBeCloseTo(7 / 3, 12);
    expect(a.mase).toBeCloseTo(4 / 7, 12);
    expect(a.rmse).toBeCloseTo(Math.sqrt(6 / 3), 12);
  });

  it('uses the seasonal period for the scale', () => {
    // Seasonal-naive errors with m = 2: |4 - 1| and |8 - 2|, mean 4.5.
    expect(mase(actual, forecast, 2)).toBeCloseTo(4 / 3 / 4.5, 12);
  });

  it('computes sMAPE in percent on the 0..200 scale', () => {
    // 200 * 1/3, 200 * 1/7, 200 * 2/14.
    expect(smape(actual, forecast)).toBeCloseTo((200 / 3 + 200 / 7 + 400 / 14) / 3, 10);
    expect(smape([0, 5], [0, 0])).toBe(100); // a 0/0 step counts 0, a zero forecast of 5 counts 200
    expect(smape([-1], [1])).toBe(200);
  });

  it('is NaN until defined, 0 or Infinity on a zero scale', () => {
    const a = new OnlineAccuracy(1);
    expect(a.mase).toBeNaN();
    expect(a.smape).toBeNaN();
    a.observe(Number.NaN, 3);
    a.observe(3, 3);
    expect(a.mase).toBe(0);
    a.observe(2, 3);
    expect(a.mase).toBe(Number.POSITIVE_INFINITY);
  });

  it('forgets everything on reset', () => {
    const a = new OnlineAccuracy(2);
    a.observe(1, 5);
    a.observe(1, 9);
    a.observe(1, 2);
    a.reset();
    expect([a.count, a.mae, a.scale]).toEqual([0, Number.NaN, Number.NaN]);
  });

  it('refuses bad input', () => {
    expect(() => new OnlineAccuracy(0)).toThrow(input);
    expect(() => new OnlineAccuracy().observe(1, Number.NaN)).toThrow(input);
    expect(() => new OnlineAccuracy().observe(Number.POSITIVE_INFINITY, 1)).toThrow(input);
    expect(() => mase([1, 2], [1])).toThrow(input);
  });
});
