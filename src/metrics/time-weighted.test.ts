import { describe, expect, it } from 'vitest';
import { AgeOfInformation, aoiIntegral, periodicMeanAge, TimeWeightedAverage } from './time-weighted.js';

describe('TimeWeightedAverage', () => {
  it('averages a piecewise-constant utilisation by hand: 0 on [0,2), 1 on [2,5), 0.5 on [5,10]', () => {
    const u = new TimeWeightedAverage(0, 0);
    u.update(2, 1);
    u.update(5, 0.5);
    expect(u.integral(10)).toBe(5.5);
    expect(u.average(10)).toBe(0.55);
    expect(u.average(5)).toBe(0.6);
    expect([u.min, u.max, u.value]).toEqual([0, 1, 0.5]);
  });

  it('tracks a queue length with add(+1/-1) from a non-zero start', () => {
    const q = new TimeWeightedAverage(100, 2);
    q.add(101, +1); // 2 on [100,101)
    q.add(103, -1); // 3 on [101,103)
    q.add(103, -1); // zero-length step at 103 changes nothing in the integral
    expect(q.value).toBe(1);
    expect(q.integral(104)).toBe(2 + 6 + 1);
    expect(q.average(104)).toBe(9 / 4);
  });

  it('has no average over a zero-length interval (NaN)', () => {
    expect(new TimeWeightedAverage(3, 7).average(3)).toBeNaN();
  });

  it('refuses time going backwards', () => {
    const u = new TimeWeightedAverage();
    u.update(5, 1);
    expect(() => u.update(4, 0)).toThrowError(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
    expect(() => u.average(4)).toThrowError(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
  });
});

describe('aoiIntegral', () => {
  it('is the area of the age ramp: ∫_1^3 t dt = 4, and a full period T with a fresh sample is T²/2', () => {
    expect(aoiIntegral(1, 3, 0)).toBe(4);
    expect(aoiIntegral(10, 14, 10)).toBe(8);
    expect(aoiIntegral(5, 5, 0)).toBe(0);
  });
});

describe('AgeOfInformation', () => {
  it('gives mean age T/2 for a twin refreshed every T seconds with instant delivery', () => {
    const T = 2;
    const aoi = new AgeOfInformation(1, 0);
    for (let t = T; t <= 10; t += T) aoi.refresh(0, t);
    expect(aoi.integral(0, 10)).toBe(10);
    expect(aoi.meanAge(0, 10)).toBe(T / 2);
    expect(aoi.meanAge(0, 10)).toBe(periodicMeanAge(T));
    expect(aoi.peakAge(0, 10)).toBe(T);
    expect(aoi.refreshCount).toBe(5);
  });

  it('gives T/2 + D when every sample arrives D seconds after it was taken', () => {
    // Samples taken at 0, 2, 4, … arrive at 0.5, 2.5, 4.5, …; observe [0.5, 10.5].
    const aoi = new AgeOfInformation(1, 0.5, 0);
    for (let g = 2; g <= 10; g += 2) aoi.refresh(0, g + 0.5, g);
    // Each period the age ramps from 0.5 to 2.5: area 3; five periods over 10 s.
    expect(aoi.integral(0, 10.5)).toBe(15);
    expect(aoi.meanAge(0, 10.5)).toBe(1.5);
    expect(periodicMeanAge(2, 0.5)).toBe(1.5);
    expect(aoi.peakAge(0, 10.5)).toBe(2.5);
    expect(aoi.age(0, 10.5)).toBe(0.5);
  });

  it('does not make a twin younger when an older sample arrives late', () => {
    const aoi = new AgeOfInformation(1, 0);
    aoi.refresh(0, 4, 3); // holds sample from t=3
    aoi.refresh(0, 5, 1); // stale sample: ignored for freshness
    expect(aoi.lastSampleTime(0)).toBe(3);
    expect(aoi.age(0, 6)).toBe(3);
    // area: ∫_0^4 t dt = 8, then ∫_4^6 (t − 3) dt = 4
    expect(aoi.integral(0, 6)).toBe(12);
  });

  it('averages over 100,000 twins with periods 1, 2, 3, 4 s: mean of T/2 = 1.25', () => {
    const n = 100_000;
    const aoi = new AgeOfInformation(n, 0);
    for (let t = 1; t <= 12; t++) {
      for (let i = 0; i < n; i++) if (t % (1 + (i % 4)) === 0) aoi.refresh(i, t);
    }
    expect(aoi.meanAgeAll(12)).toBeCloseTo(1.25, 12);
    expect(aoi.maxAgeAll(12)).toBe(4);
    expect(aoi.meanAge(3, 12)).toBe(2);
  });

  it('reports NaN for a zero span or no twins, and rejects bad indices and backwards time', () => {
    expect(new AgeOfInformation(0).meanAgeAll(5)).toBeNaN();
    const aoi = new AgeOfInformation(2, 1);
    expect(aoi.meanAge(0, 1)).toBeNaN();
    expect(() => aoi.refresh(2, 3)).toThrowError(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
    aoi.refresh(1, 3);
    expect(() => aoi.refresh(1, 2)).toThrowError(expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }));
  });
});
