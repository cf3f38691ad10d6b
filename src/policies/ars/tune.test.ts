import { describe, expect, it } from 'vitest';
import { bestOf, goalObjective, goalsMet, objective } from './tune.js';

const reference = bestOf([
  {
    weightedAoI: 2,
    deadlineMissRate: 0.1,
    anomalyDelayP95: 4,
    latencyP95: 1,
    latencyP99: 2,
    jain: 0.95,
    utilization: 0.5,
    energyJ: 100,
    cost: 1,
  },
]);

describe('ars tune objective', () => {
  it('is the sum of the weights and the lead guards when every metric equals the best reference', () => {
    // 1 + 1 + 0.5 + 0.25 + 0.25 + 0.25 + 0 + 0.1 + 0.1, and 4 × 0.02 for each of the two lead metrics
    expect(objective(reference, reference)).toBeCloseTo(3.45 + 0.16, 9);
  });

  it('guards the metrics ARS must lead on from 2 % better than the reference, the others from 3 % worse', () => {
    const base = objective(reference, reference);
    // 2 % better on the weighted AoI: its weight 1 × −0.02 and the guard's 4 × 0.02 gone
    expect(objective({ ...reference, weightedAoI: 1.96 }, reference) - base).toBeCloseTo(-0.1, 9);
    // 4 % worse on the weighted AoI: weight 1 × 0.04 plus the guard 4 × 0.04
    expect(objective({ ...reference, weightedAoI: 2.08 }, reference) - base).toBeCloseTo(0.2, 9);
    // 2 % worse on latency p95: only its weight 0.25 × 0.02, inside the tolerance
    expect(objective({ ...reference, latencyP95: 1.02 }, reference) - base).toBeCloseTo(0.005, 9);
    // 10 % worse on latency p95: 0.25 × 0.1 + 4 × 0.07
    expect(objective({ ...reference, latencyP95: 1.1 }, reference) - base).toBeCloseTo(0.305, 9);
  });

  it('gives no credit for more than halving a reference', () => {
    const base = objective(reference, reference);
    // a miss rate a tenth of the reference counts as half of it: weight 1 × (0.5 − 1), the lead guard gone
    const tenth = objective({ ...reference, deadlineMissRate: 0.0102 - 0.002 }, reference);
    const half = objective({ ...reference, deadlineMissRate: 0.051 - 0.002 }, reference);
    expect(tenth).toBeCloseTo(half, 9);
    expect(half - base).toBeCloseTo(-0.5 - 0.08, 9);
  });

  it('counts a Jain index under 0.9 even when it is the best there is', () => {
    const low = { ...reference, jain: 0.81 };
    const ref = bestOf([low]);
    expect(objective(low, ref) - objective(reference, reference)).toBeCloseTo(4 * (0.09 / 0.9), 9);
  });
});

describe('the goal objective (learn-defaults --objective goal)', () => {
  const ref = { weightedAoI: 2, deadlineMissRate: 0.1, latencyP95: 1, jain: 0.95 };
  it('gives no credit for leading by more than 10 %, and none for gains on guarded metrics', () => {
    const lead = goalObjective({ ...ref, weightedAoI: 1.6 }, ref);
    expect(goalObjective({ ...ref, weightedAoI: 1 }, ref)).toBe(lead);
    expect(goalObjective({ ...ref, latencyP95: 0.5 }, ref)).toBe(goalObjective(ref, ref));
  });
  it('charges a guarded metric only past 3 % worse, and Jain below 0.9', () => {
    const base = goalObjective(ref, ref);
    expect(goalObjective({ ...ref, latencyP95: 1.02 }, ref)).toBe(base);
    expect(goalObjective({ ...ref, latencyP95: 1.2 }, ref)).toBeGreaterThan(base);
    expect(goalObjective({ ...ref, jain: 0.8 }, ref)).toBeGreaterThan(
      goalObjective({ ...ref, jain: 0.91 }, ref),
    );
  });
});

describe('the goals met (learn-defaults --line)', () => {
  const ref = { weightedAoI: 2, deadlineMissRate: 0.1, anomalyDelayP95: 4, latencyP99: 1, jain: 0.95 };
  it('counts a lead (a tie included) on weighted AoI and misses, 5 % for the rest, and Jain at 0.9', () => {
    expect(goalsMet(ref, ref)).toEqual({ met: 6, goals: 6 });
    expect(goalsMet({ ...ref, weightedAoI: 2.001 }, ref).met).toBe(5);
    expect(goalsMet({ ...ref, anomalyDelayP95: 4.2 }, ref).met).toBe(6);
    expect(goalsMet({ ...ref, anomalyDelayP95: 4.21 }, ref).met).toBe(5);
    // Jain below 0.9 fails both its floor and (here) its 5 % guard
    expect(goalsMet({ ...ref, jain: 0.89 }, ref).met).toBe(4);
  });
  it('counts no goal for a metric either side lacks, and no Jain floor where no baseline reaches it', () => {
    const { anomalyDelayP95: _, ...noAnomaly } = ref;
    expect(goalsMet(noAnomaly, ref)).toEqual({ met: 5, goals: 5 });
    expect(goalsMet({ ...ref, jain: 0.8 }, { ...ref, jain: 0.82 })).toEqual({ met: 5, goals: 5 });
  });
});
