import { describe, expect, it } from 'vitest';
import { AutoForecaster } from './auto.js';
import type { Forecaster } from './forecaster.js';
import { ArrivalRateEstimator, ForecastBank } from './rate.js';
import { SeasonalNaive } from './seasonal-naive.js';

const input = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });

/** Records what it is fed and forecasts a fixed value. */
class Recorder implements Forecaster {
  readonly name = 'recorder';
  readonly seen: number[] = [];
  constructor(private readonly value = 1) {}
  get n(): number {
    return this.seen.length;
  }
  update(y: number): void {
    this.seen.push(y);
  }
  forecast(): number {
    return this.n === 0 ? Number.NaN : this.value;
  }
  reset(): void {
    this.seen.length = 0;
  }
}

describe('ArrivalRateEstimator', () => {
  it('feeds one rate per closed window, empty windows as 0', () => {
    const recorder = new Recorder();
    const r = new ArrivalRateEstimator({ windowSeconds: 10, forecaster: recorder });
    for (const t of [1, 2, 9.99, 10, 35, 36, 37, 38]) r.record(t);
    r.record(39, 2);
    // Windows [0,10): 3 events, [10,20): 1, [20,30): 0, [30,40) still open with 6.
    expect(recorder.seen).toEqual([0.3, 0.1, 0]);
    expect(r.openWindowStart).toBe(30);
    expect(r.openWindowCount).toBe(6);
    r.advanceTo(40);
    expect(recorder.seen).toEqual([0.3, 0.1, 0, 0.6]);
    expect(r.windowsClosed).toBe(4);
  });

  it('counts a late event in the open window and tallies it', () => {
    const recorder = new Recorder();
    const r = new ArrivalRateEstimator({ windowSeconds: 10, forecaster: recorder });
    r.record(15);
    r.record(21);
    r.record(12);
    expect(r.lateEvents).toBe(1);
    expect(r.openWindowCount).toBe(2);
  });

  it('predicts arrivals per second and per window, never negative, NaN before data', () => {
    const r = new ArrivalRateEstimator({ windowSeconds: 60, forecaster: new Recorder(-2) });
    expect(r.predictRate()).toBeNaN();
    r.record(0);
    r.advanceTo(60);
    expect(r.predictRate(1)).toBe(0);
    const steady = new ArrivalRateEstimator({ windowSeconds: 60, forecaster: new SeasonalNaive({ m: 2 }) });
    // Alternating windows of 120 and 60 events: 2/s then 1/s.
    for (let w = 0; w < 6; w++) steady.record(w * 60 + 1, w % 2 === 0 ? 120 : 60);
    // Window 5 (1/s) is open; window 5 repeats window 3, window 6 repeats window 4.
    expect(steady.predictRate(1)).toBe(1);
    expect(steady.predictRate(2)).toBe(2);
    expect(steady.predictArrivals(2)).toBe(120);
  });

  it('uses an auto-forecaster by default', () => {
    const r = new ArrivalRateEstimator({ seasonWindows: 4 });
    expect(r.forecaster).toBeInstanceOf(AutoForecaster);
    expect((r.forecaster as AutoForecaster).m).toBe(4);
  });

  it('refuses bad options, times and counts', () => {
    expect(() => new ArrivalRateEstimator({ windowSeconds: 0 })).toThrow(input);
    expect(() => new ArrivalRateEstimator({ seasonWindows: 0 })).toThrow(input);
    const r = new ArrivalRateEstimator({ windowSeconds: 1, maxGapWindows: 100 });
    expect(() => r.record(Number.NaN)).toThrow(input);
    expect(() => r.record(1, -1)).toThrow(input);
    r.record(0);
    expect(() => r.advanceTo(1000)).toThrow(input);
  });

  it('forgets everything on reset', () => {
    const r = new ArrivalRateEstimator({ windowSeconds: 10 });
    r.record(5);
    r.record(25);
    r.reset();
    expect([r.windowsClosed, r.openWindowCount, r.lateEvents]).toEqual([0, 0, 0]);
    expect(r.openWindowStart).toBeNaN();
  });
});

describe('ForecastBank', () => {
  it('keeps one estimator per key on a shared grid and catches idle keys up lazily', () => {
    const bank = new ForecastBank({ windowSeconds: 10, createForecaster: () => new Recorder() });
    bank.record('a/web', 1);
    bank.record('b/batch', 3);
    bank.record('a/web', 12);
    bank.advanceTo(45);
    expect(bank.keys()).toEqual(['a/web', 'b/batch']);
    expect(bank.size).toBe(2);
    const b = bank.get('b/batch')!;
    expect((b.forecaster as Recorder).seen).toEqual([0.1, 0, 0, 0]);
    expect(b.openWindowStart).toBe(40);
    expect(bank.predictRate('missing')).toBeNaN();
    expect(bank.chosen('missing')).toBeUndefined();
    expect(bank.chosen('a/web')).toBe('recorder');
  });

  it('forecasts hundreds of keys and reports choice changes with the key', () => {
    const changes = new Set<string>();
    const bank = new ForecastBank({
      windowSeconds: 60,
      seasonWindows: 1,
      onChange: (key, _from, to) => changes.add(`${key}:${to}`),
    });
    const keys = Array.from({ length: 300 }, (_, i) => `tenant${i % 30}/workload${i}`);
    // Each key has a steady rate of (i mod 5) + 1 events per second, with every other window
    // one event short, so a smoother beats the naive baseline.
    for (let w = 0; w < 40; w++) {
      keys.forEach((key, i) => {
        bank.record(key, w * 60 + 1, ((i % 5) + 1) * 60 - (w % 2));
      });
    }
    bank.advanceTo(40 * 60);
    keys.forEach((key, i) => {
      expect(bank.predictRate(key, 1)).toBeCloseTo((i % 5) + 1, 1);
      expect(bank.predictArrivals(key, 3)).toBeCloseTo(((i % 5) + 1) * 60, -1);
    });
    expect(bank.chosen(keys[0]!)).not.toBe('naive');
    expect(changes.has(`${keys[0]}:${bank.chosen(keys[0]!)}`)).toBe(true);
  });

  it('refuses bad shared options at construction', () => {
    expect(() => new ForecastBank({ windowSeconds: -1 })).toThrow(input);
    expect(() => new ForecastBank({ seasonWindows: 1.5 })).toThrow(input);
  });

  it('goes on from a snapshot (JSON) on a shifted clock with the same forecasts', () => {
    const a = new ForecastBank({ windowSeconds: 10 });
    for (let t = 0; t < 400; t += 0.5) a.record(t % 7 < 3 ? 'x' : 'y', t);
    a.record('x', 401);
    a.advanceTo(402);
    const state = JSON.parse(JSON.stringify(a.snapshot()));
    // the new bank's clock starts 1000 s after the old one's: its time 0 is the old 1000
    const b = new ForecastBank({ windowSeconds: 10 });
    b.restore(state, -1000);
    expect(b.keys().sort()).toEqual(['x', 'y']);
    expect(b.get('x')!.openWindowCount).toBe(a.get('x')!.openWindowCount);
    expect(b.predictRate('x')).toBe(a.predictRate('x'));
    expect(b.predictRate('y', 3)).toBe(a.predictRate('y', 3));
    expect(b.chosen('x')).toBe(a.chosen('x'));
    // the time between closes as empty windows, as it would have without the restart
    a.advanceTo(1030);
    b.advanceTo(30);
    expect(b.predictRate('x')).toBe(a.predictRate('x'));
    expect(b.get('x')!.windowsClosed).toBe(a.get('x')!.windowsClosed);
  });

  it('skips malformed snapshot entries', () => {
    const b = new ForecastBank({ windowSeconds: 10 });
    b.restore({ now: 5, keys: { bad: null, worse: { rates: 'x' } } } as never);
    expect(b.size).toBe(0);
  });
});
