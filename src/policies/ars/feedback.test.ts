import { describe, expect, it } from 'vitest';
import { runScenario } from '../../experiment/run.js';
import { parseScenario } from '../../model/load.js';
import type { MetricsWindow } from '../../scheduler/plugins.js';
import type { Decision } from '../../scheduler/scheduler.js';
import { ArsContext } from './context.js';
import { ArsFeedback } from './feedback.js';
import { defaultParams } from './params.js';

const window = (over: Partial<MetricsWindow>): MetricsWindow => ({
  start: 0,
  end: 60,
  arrivals: 100,
  completions: 100,
  deadlineMisses: 0,
  deadlineMissRate: 0,
  weightedAoI: 1,
  computeUtilization: 0.5,
  attentionUtilization: 0.9,
  jain: 0.99,
  queueLength: 0,
  ...over,
});

/** Number of times a series changes direction (ignoring steps smaller than `tol`). */
function reversals(xs: readonly number[], tol = 1e-9): number {
  let last = 0;
  let n = 0;
  for (let i = 1; i < xs.length; i++) {
    const d = xs[i]! - xs[i - 1]!;
    if (Math.abs(d) <= tol) continue;
    const sign = Math.sign(d);
    if (last !== 0 && sign !== last) n++;
    last = sign;
  }
  return n;
}

describe('ars feedback', () => {
  /**
   * A plant where misses grow with load and fall as less compute is held back for refreshes:
   * miss = max(0, 0.02 · load − 0.015 − 0.3 · (configured wReserve − wReserve)). Load steps from 0.5 to 3 at
   * window 20 and back at 80; at the low load nothing is missed. The reserve weight is configured at 0.2 (its
   * default is 0, where there is nothing to lower).
   */
  function closedLoop(gain: number) {
    const ctx = new ArsContext({ ...defaultParams(), wReserve: 0.2, feedbackGain: gain }, false);
    const fb = new ArsFeedback(ctx, true);
    const knob: number[] = [];
    for (let k = 0; k < 140; k++) {
      const load = k >= 20 && k < 80 ? 3 : 0.5;
      const miss = Math.max(0, 0.02 * load - 0.015 - 0.3 * (ctx.base.wReserve - ctx.params.wReserve));
      fb.observe(window({ deadlineMissRate: miss, deadlineMisses: Math.round(miss * 100) }));
      knob.push(ctx.params.wReserve);
    }
    return { knob, ctx };
  }

  it('after a step up in load it lowers the reserve weight, then settles without oscillating', () => {
    const { knob } = closedLoop(0.15);
    const during = knob.slice(20, 80);
    expect(during.at(-1)!).toBeLessThan(knob[19]! - 0.05);
    // it holds still for the last 20 windows of the high load
    const tail = during.slice(-20);
    expect(Math.max(...tail) - Math.min(...tail)).toBeLessThan(1e-9);
    expect(reversals(during)).toBe(0);
  });

  it('after the load falls back it returns to the configured value, again monotonically', () => {
    const { knob, ctx } = closedLoop(0.15);
    const after = knob.slice(80);
    expect(reversals(after)).toBe(0);
    expect(after.at(-1)!).toBeCloseTo(ctx.base.wReserve, 2);
  });

  it('stays within its bounds however large the gain', () => {
    const { knob } = closedLoop(1);
    for (const x of knob) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(10);
    }
    expect(Math.min(...knob)).toBeLessThan(knob[0]!);
  });

  it('lowers the freshness margin while misses exceed the target, at most marginDrop, then returns', () => {
    // misses fall as the margin falls (stronger floors); load steps up at window 10 and down at 60
    const ctx = new ArsContext(defaultParams(), true);
    const fb = new ArsFeedback(ctx, true);
    const base = ctx.base.freshMargin;
    const margin: number[] = [];
    for (let k = 0; k < 120; k++) {
      const load = k >= 10 && k < 60 ? 3 : 0.5;
      const miss = Math.max(0, 0.02 * load - 0.015 - 0.2 * (base - ctx.params.freshMargin));
      fb.observe(window({ deadlineMissRate: miss, deadlineMisses: Math.round(miss * 100) }));
      margin.push(ctx.params.freshMargin);
    }
    const during = margin.slice(10, 60);
    // the plant still misses at the bound: the margin falls to it and no further
    expect(Math.min(...during)).toBeCloseTo(base - ctx.params.marginDrop, 9);
    expect(reversals(during)).toBe(0);
    const tail = during.slice(-20);
    expect(Math.max(...tail) - Math.min(...tail)).toBeLessThan(1e-9);
    const after = margin.slice(60);
    expect(reversals(after)).toBe(0);
    expect(after.at(-1)!).toBeCloseTo(base, 3);
  });

  it('moves nothing on Jain’s index or forced refreshes alone, and nothing at all when switched off', () => {
    const on = new ArsContext(defaultParams(), true);
    const off = new ArsContext(defaultParams(), true);
    const a = new ArsFeedback(on, true);
    const b = new ArsFeedback(off, false);
    for (let k = 0; k < 10; k++) {
      on.onDemandStarts = 9;
      on.proactiveStarts = 1;
      a.observe(window({ jain: 0.6 }));
      b.observe(window({ jain: 0.6, deadlineMissRate: 0.5, deadlineMisses: 50 }));
    }
    expect(on.params).toEqual(on.base);
    expect(a.parameters().forcedRefreshShare).toBeCloseTo(0.9, 6);
    expect(off.params).toEqual(off.base);
    expect(b.parameters().jainSmoothed).toBeCloseTo(0.6, 6);
    expect(b.parameters().missRateSmoothed).toBeCloseTo(0.5, 6);
  });

  it('keeps a knob within feedbackRange of its configured value when its signal never recovers', () => {
    const ctx = new ArsContext({ ...defaultParams(), wReserve: 0.2, feedbackRange: 2 }, true);
    const fb = new ArsFeedback(ctx, true);
    for (let k = 0; k < 200; k++)
      fb.observe(window({ jain: 0.3, deadlineMissRate: 0.5, deadlineMisses: 50 }));
    // (configured + 0.05) / 2 − 0.05: the offset lets a knob configured at 0 move at all
    expect(ctx.params.wReserve).toBeCloseTo((ctx.base.wReserve + 0.05) / 2 - 0.05, 9);
    // the queue's priority weight is not a feedback knob (moving it changed no example's metrics)
    expect(ctx.params.wPriority).toBe(ctx.base.wPriority);
    // the margin stops marginDrop below its configured value, well inside the factor 2
    expect(ctx.params.freshMargin).toBeCloseTo(ctx.base.freshMargin - ctx.params.marginDrop, 9);
    // Jain's index drives nothing (its knobs did not move it), nor does it move the temperature
    expect(ctx.params.wFairness).toBe(ctx.base.wFairness);
    expect(ctx.params.temperature).toBe(ctx.base.temperature);
  });

  it('settles in a simulation after the arrival rate quadruples', () => {
    // load steps at t = 300 s from 2 to 8 requests per second that need a fresh twin with a tight deadline
    const scenario = parseScenario(
      JSON.stringify({
        name: 'step',
        horizon: 1500,
        warmup: 0,
        seed: 2,
        scheduling: { feedbackWindow: 30 },
        tenants: [{ id: 'a', weight: 2 }, { id: 'b' }],
        nodes: [{ id: 'n', count: 3, tier: 'edge', compute: 4, attention: 2 }],
        assets: [{ id: 'm', count: 30, tenant: 'a', twin: { criticality: 2, refresh: { work: 0.3 } } }],
        workloads: [
          {
            id: 'q',
            tenant: 'a',
            deadline: 0.8,
            priority: 1,
            arrival: { kind: 'poisson', rate: 2 },
            tasks: [{ id: 'read', work: 0.2, twin: { group: 'm', maxAge: 1 } }],
          },
          {
            id: 'burst',
            tenant: 'b',
            deadline: 2,
            arrival: { kind: 'diurnal', meanRate: 3, amplitude: 1, period: 3000, peak: 750 },
            tasks: [{ id: 'w', work: 1, compute: 2 }],
          },
        ],
      }),
    );
    const log: Record<string, number>[] = [];
    runScenario(scenario, {
      policy: 'ars',
      trace: {
        record: (d: Decision) =>
          void (d.kind === 'feedback' && log.push(d.parameters as Record<string, number>)),
      },
    });
    expect(log.length).toBeGreaterThan(40);
    for (const k of ['freshMargin', 'wReserve']) {
      const series = log.map((p) => p[k]!);
      // few changes of direction over the whole run, and calm at the end
      expect(reversals(series, 1e-6)).toBeLessThanOrEqual(3);
      // a knob whose signal does not respond climbs to its bound and stays there: that is settled too
      const tail = series.slice(-5);
      expect(Math.max(...tail) - Math.min(...tail)).toBeLessThanOrEqual(0.25 * Math.max(...tail) + 0.05);
    }
  }, 240_000);
});
