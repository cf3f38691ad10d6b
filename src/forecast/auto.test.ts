import { describe, expect, it } from 'vitest';
import { AutoForecaster, defaultCandidates } from './auto.js';
import { Ewma } from './ewma.js';
import type { Forecaster } from './forecaster.js';
import { SeasonalNaive } from './seasonal-naive.js';

const input = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });

/** Always forecasts the same value: a candidate that is easy to make lose or win. */
class Constant implements Forecaster {
  n = 0;
  constructor(
    readonly name: string,
    private readonly value: number,
  ) {}
  update(): void {
    this.n++;
  }
  forecast(): number {
    return this.n === 0 ? Number.NaN : this.value;
  }
  reset(): void {
    this.n = 0;
  }
}

const seasonal = (t: number) => 100 + 0.2 * t + 30 * Math.sin((2 * Math.PI * t) / 12) + ((t * 7) % 5);

describe('AutoForecaster', () => {
  it('starts on the seasonal-naive baseline and scores it exactly 1', () => {
    const f = new AutoForecaster({ m: 12 });
    expect(f.chosen).toBe('seasonal-naive(m=12)');
    for (let t = 0; t < 40; t++) f.update(seasonal(t));
    expect(f.scores()['seasonal-naive(m=12)']).toBe(1);
  });

  it('picks Holt-Winters on a seasonal series and forecasts with it', () => {
    const f = new AutoForecaster({ m: 12 });
    for (let t = 0; t < 200; t++) f.update(seasonal(t));
    expect(f.chosen).toMatch(/^holt-winters/);
    const scores = f.scores();
    expect(scores[f.chosen]!).toBeLessThan(1);
    const hw = defaultCandidates(12).find((c) => c.name === f.chosen)!;
    for (let t = 0; t < 200; t++) hw.update(seasonal(t));
    expect(f.forecast(3)).toBe(hw.forecast(3));
  });

  it('never uses a candidate that loses to seasonal naive', () => {
    const changes: string[] = [];
    const f = new AutoForecaster({
      m: 1,
      warmup: 1,
      candidates: [new Constant('far-off', 1e6), new Constant('silent', Number.NaN)],
      onChange: (_, to) => changes.push(to),
    });
    for (let t = 0; t < 100; t++) f.update(t);
    expect(f.chosen).toBe('naive');
    expect(changes).toEqual([]);
    expect(f.candidateNames).toEqual(['naive', 'far-off', 'silent']);
  });

  it('reports every change of choice with the scores, and switches back when a choice starts losing', () => {
    const changes: [string, string, Record<string, number>][] = [];
    const f = new AutoForecaster({
      m: 1,
      warmup: 3,
      errorHalfLife: 3,
      candidates: [new SeasonalNaive(), new Constant('fifty', 50)],
      onChange: (from, to, scores) => changes.push([from, to, { ...scores }]),
    });
    // Noise around 50: the constant wins. Then a ramp away from 50: naive wins again.
    for (let t = 0; t < 30; t++) f.update(50 + (t % 2 === 0 ? 5 : -5));
    expect(f.chosen).toBe('fifty');
    for (let t = 0; t < 30; t++) f.update(60 + 3 * t);
    expect(f.chosen).toBe('naive');
    expect(changes.map(([from, to]) => `${from}->${to}`)).toEqual(['naive->fifty', 'fifty->naive']);
    const [, , scores] = changes[0]!;
    expect(scores.naive).toBe(1);
    expect(scores.fifty).toBeLessThan(1);
  });

  it('keeps the baseline during warm-up', () => {
    const f = new AutoForecaster({ m: 1, warmup: 20, candidates: [new Constant('fifty', 50)] });
    for (let t = 0; t < 20; t++) f.update(50 + (t % 2 === 0 ? 5 : -5));
    expect(f.chosen).toBe('naive');
    f.update(55);
    expect(f.chosen).toBe('fifty');
  });

  it('replays identically after reset', () => {
    const f = new AutoForecaster({ m: 12 });
    const run = () => {
      const out: string[] = [];
      for (let t = 0; t < 150; t++) {
        f.update(seasonal(t));
        out.push(`${f.chosen}:${f.forecast(1)}`);
      }
      return out;
    };
    const first = run();
    f.reset();
    expect(f.n).toBe(0);
    expect(f.chosen).toBe('seasonal-naive(m=12)');
    expect(run()).toEqual(first);
  });

  it('refuses bad options', () => {
    expect(() => new AutoForecaster({ m: 0 })).toThrow(input);
    expect(() => new AutoForecaster({ errorHalfLife: 0 })).toThrow(input);
    expect(() => new AutoForecaster({ hysteresis: 1 })).toThrow(input);
    expect(() => new AutoForecaster({ warmup: -1 })).toThrow(input);
    expect(() => new AutoForecaster({ candidates: [new Ewma(), new Ewma()] })).toThrow(input);
  });
});
