import { describe, expect, it } from 'vitest';
import { seededUniform } from './test-helpers/random.js';
import { MetricsWindow, windowShare } from './window.js';

describe('MetricsWindow (tumbling)', () => {
  it('counts, rates and means the events of [0, 10) when read at 10; an event at 10 belongs to the next window', () => {
    const w = new MetricsWindow({ width: 10 });
    w.record(1, 'latency', 5);
    w.record(2, 'latency', 7);
    w.record(3, 'latency', 9);
    w.record(10, 'latency', 100);
    const snap = w.read(10);
    expect([snap.start, snap.end, snap.duration]).toEqual([0, 10, 10]);
    expect(snap.events.latency).toEqual({ count: 3, rate: 0.3, sum: 21, mean: 7, min: 5, max: 9 });
    const next = w.read(20);
    expect(next.events.latency).toMatchObject({ count: 1, mean: 100 });
  });

  it('time-weights a level: queue 2 on [0, 5), 4 on [5, 10) → mean 3, last 4', () => {
    const w = new MetricsWindow({ width: 10 });
    w.level(0, 'queue', 2);
    w.level(5, 'queue', 4);
    expect(w.read(10).levels.queue).toEqual({ mean: 3, min: 2, max: 4, last: 4 });
    // The level holds its value into the next window.
    w.level(15, 'queue', 0);
    expect(w.read(20).levels.queue).toEqual({ mean: 2, min: 0, max: 4, last: 0 });
  });

  it('is empty (NaN rate) before the first window completes, and empty with rate 0 after a quiet window', () => {
    const w = new MetricsWindow({ width: 10, start: 100 });
    w.record(101, 'arrivals');
    const early = w.read(105);
    expect(early.duration).toBe(0);
    expect(early.events.arrivals!.count).toBe(0);
    expect(early.events.arrivals!.rate).toBeNaN();
    expect(early.events.arrivals!.mean).toBeNaN();
    const quiet = w.read(1000);
    expect(quiet.events.arrivals).toMatchObject({ count: 0, rate: 0, sum: 0 });
    expect(quiet.events.arrivals!.min).toBeNaN();
  });

  it('puts accumulated floating-point times on the boundary they denote (0.1 + 0.2 → bucket of 0.3)', () => {
    const w = new MetricsWindow({ width: 0.1 });
    w.record(0.05, 'x');
    w.record(0.1 + 0.2, 'x', 2); // 0.30000000000000004
    w.record(0.35, 'x', 3);
    const snap = w.read(0.4);
    expect(snap.events.x).toMatchObject({ count: 2, sum: 5 });
  });

  it('refuses time going backwards and bad options', () => {
    const bad = expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' });
    const w = new MetricsWindow({ width: 1 });
    w.record(5, 'a');
    expect(() => w.record(4, 'a')).toThrowError(bad);
    expect(() => new MetricsWindow({ width: 0 })).toThrowError(bad);
    expect(() => new MetricsWindow({ width: 1, buckets: 1.5 })).toThrowError(bad);
  });
});

describe('MetricsWindow (sliding)', () => {
  it('covers the last 5 complete 2-second buckets: read(15) sees [4, 14)', () => {
    const w = new MetricsWindow({ width: 10, buckets: 5 });
    for (let t = 0; t < 15; t++) w.record(t, 'tick', t);
    const snap = w.read(15);
    expect([snap.start, snap.end]).toEqual([4, 14]);
    expect(snap.events.tick).toMatchObject({ count: 10, rate: 1, min: 4, max: 13 });
  });

  it('matches a brute-force recomputation on random events, levels and read times', () => {
    const rand = seededUniform(5);
    const width = 6;
    const buckets = 3;
    const w = new MetricsWindow({ width, buckets });
    const events: Array<[number, number]> = [];
    const steps: Array<[number, number]> = [];
    let t = 0;
    for (let i = 0; i < 3000; i++) {
      // Mostly small steps, sometimes a long gap that skips several buckets.
      t += rand() < 0.02 ? rand() * 30 : rand() * 0.7;
      const kind = rand();
      if (kind < 0.5) {
        const v = Math.floor(rand() * 100);
        w.record(t, 'e', v);
        events.push([t, v]);
      } else if (kind < 0.8) {
        const v = Math.floor(rand() * 10);
        w.level(t, 'q', v);
        steps.push([t, v]);
      } else {
        const snap = w.read(t);
        const end = Math.floor(t / 2) * 2;
        const start = Math.max(0, end - width);
        expect([snap.start, snap.end]).toEqual([start, end]);
        const inside = events.filter(([et]) => et >= start && et < end).map(([, v]) => v);
        const e = snap.events.e;
        if (e) {
          expect(e.count).toBe(inside.length);
          expect(e.sum).toBe(inside.reduce((a, b) => a + b, 0));
          if (inside.length > 0) expect(e.max).toBe(Math.max(...inside));
        }
        const q = snap.levels.q;
        if (q && steps.length > 0 && steps[0]![0] < end) {
          const from = Math.max(start, steps[0]![0]);
          let area = 0;
          let lo = Number.POSITIVE_INFINITY;
          let hi = Number.NEGATIVE_INFINITY;
          for (let k = 0; k < steps.length; k++) {
            const [s, v] = steps[k]!;
            const until = k + 1 < steps.length ? steps[k + 1]![0] : Number.POSITIVE_INFINITY;
            const a = Math.max(s, from);
            const b = Math.min(until, end);
            if (b > a) area += v * (b - a);
            if (b > a || (s >= from && s < end)) {
              lo = Math.min(lo, v);
              hi = Math.max(hi, v);
            }
          }
          expect(q.mean).toBeCloseTo(area / (end - from), 9);
          expect(q.min).toBe(lo);
          expect(q.max).toBe(hi);
        }
      }
    }
  });
});

describe('windowShare', () => {
  it('is the busy share of the capacity accrued between two readings, 0 when none accrued', () => {
    expect(windowShare(30, 10, 100, 60)).toBe(0.5);
    expect(windowShare(10, 10, 60, 60)).toBe(0);
    expect(windowShare(12, 10, 60, 60)).toBe(0);
  });
});
