import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../engine/random.js';
import type { WorkloadDef } from '../model/scenario.js';
import { arrivalProcess } from './arrivals.js';
import { forkSeed } from './fork.js';

const rng = () => new RandomStreams(7).stream('arrivals');
const workload = (arrival: unknown) => ({ arrival }) as unknown as WorkloadDef;

describe('arrival processes continued from a fork time', () => {
  it('resume a periodic process at its next period, a trace at its next time', () => {
    const p = arrivalProcess(workload({ kind: 'periodic', period: 10, offset: 5, jitter: 0 }), rng(), 42);
    expect([p.next(), p.next()]).toEqual([45, 55]);
    const times = [1, 2, 50, 60];
    const t = arrivalProcess({ ...workload({ kind: 'trace' }), traceTimes: times } as WorkloadDef, rng(), 40);
    expect([t.next(), t.next(), t.next()]).toEqual([50, 60, Number.POSITIVE_INFINITY]);
  });

  it('start memoryless processes at the fork time; start 0 is the process from the beginning', () => {
    const p = arrivalProcess(workload({ kind: 'poisson', rate: 2 }), rng(), 100);
    expect(p.next()).toBeGreaterThan(100);
    const a = arrivalProcess(workload({ kind: 'poisson', rate: 2 }), rng());
    const b = arrivalProcess(workload({ kind: 'poisson', rate: 2 }), rng(), 0);
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
  });
});

describe('forkSeed', () => {
  it('differs between fork times and seeds, and is a 32-bit unsigned integer', () => {
    const seeds = new Set([forkSeed(1, 60), forkSeed(1, 120), forkSeed(2, 60), forkSeed(1, 60.001)]);
    expect(seeds.size).toBe(4);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });
});
