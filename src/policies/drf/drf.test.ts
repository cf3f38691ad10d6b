import { describe, expect, it } from 'vitest';
import { InputError } from '../../errors.js';
import { seededUniform } from '../../metrics/test-helpers/random.js';
import { type DrfUser, dominantShare, drfAllocate, drfOrder } from './drf.js';

describe('drfAllocate: the NSDI 2011 example, ⟨9 CPU, 18 GB⟩, A ⟨1, 4⟩, B ⟨3, 1⟩', () => {
  const check = (users: DrfUser[], a: number, b: number) => {
    const r = drfAllocate({ cpu: 9, mem: 18 }, users);
    const A = r.users[a]!;
    const B = r.users[b]!;
    expect([A.id, A.tasks, A.allocation]).toEqual(['A', 3, [3, 12]]);
    expect([B.id, B.tasks, B.allocation]).toEqual(['B', 2, [6, 2]]);
    expect(A.dominantShare).toBe(2 / 3);
    expect(B.dominantShare).toBe(2 / 3);
    expect(A.dominantResource).toBe('mem');
    expect(B.dominantResource).toBe('cpu');
    expect(r.used).toEqual([9, 14]);
    expect(r.tasks).toBe(5);
    expect(r.resources).toEqual(['cpu', 'mem']);
  };
  const A: DrfUser = { id: 'A', demand: { cpu: 1, mem: 4 } };
  const B: DrfUser = { id: 'B', demand: { cpu: 3, mem: 1 } };

  it('gives A 3 tasks and B 2, both at dominant share 2/3, cluster using ⟨9, 14⟩ (A first on the tie)', () => {
    check([A, B], 0, 1);
  });

  it('gives the same when B comes first (the tie goes the other way)', () => {
    check([B, A], 1, 0);
  });

  it('accepts positional vectors and names users by index', () => {
    const r = drfAllocate([9, 18], [{ demand: [1, 4] }, { demand: [3, 1] }]);
    expect(r.users.map((u) => [u.id, u.tasks])).toEqual([
      ['0', 3],
      ['1', 2],
    ]);
    expect(r.resources).toEqual(['0', '1']);
  });
});

describe('drfAllocate: further cases', () => {
  it('⟨100 CPU, 10,000 GB⟩, A ⟨2, 300⟩, B ⟨6, 100⟩ → A 20 tasks, B 10 tasks', () => {
    const r = drfAllocate([100, 10_000], [{ demand: [2, 300] }, { demand: [6, 100] }]);
    expect(r.users.map((u) => u.tasks)).toEqual([20, 10]);
    expect(r.users.map((u) => u.dominantShare)).toEqual([0.6, 0.6]);
    expect(r.used).toEqual([100, 7000]);
  });

  it('weights shift the equilibrium: weight 2 settles at twice the unweighted share', () => {
    // Same single resource, equal tasks of 1 of 12: weights 2 and 1 → 8 and 4 tasks.
    const r = drfAllocate([12], [{ demand: [1], weight: 2 }, { demand: [1] }]);
    expect(r.users.map((u) => u.tasks)).toEqual([8, 4]);
    expect(r.users[0]!.dominantShare).toBeCloseTo(r.users[1]!.dominantShare, 15);
  });

  it('lets others continue once one user no longer fits, and honours maxTasks', () => {
    const r = drfAllocate(
      [10, 10],
      [
        { id: 'big', demand: [6, 1] },
        { id: 'small', demand: [1, 1] },
        { id: 'capped', demand: [1, 0], maxTasks: 1 },
      ],
    );
    // big: 1 task (6 CPU). capped: 1. small fills the rest: 10 − 6 − 1 = 3 CPU.
    expect(r.users.map((u) => u.tasks)).toEqual([1, 3, 1]);
    expect(r.used).toEqual([10, 4]);
  });

  it('gives nothing to a user whose single task exceeds the capacity, and to maxTasks 0', () => {
    const r = drfAllocate([4, 4], [{ demand: [5, 1] }, { demand: [1, 1], maxTasks: 0 }, { demand: [1, 2] }]);
    expect(r.users.map((u) => u.tasks)).toEqual([0, 0, 2]);
    expect(r.users[0]!.dominantResource).toBeNull();
    expect(r.users[0]!.dominantShare).toBe(0);
  });

  it('matches a plain linear-scan progressive filling on random instances (same ties, same result)', () => {
    const rand = seededUniform(17);
    for (let trial = 0; trial < 200; trial++) {
      const resources = 1 + Math.floor(rand() * 4);
      const cap = Array.from({ length: resources }, () => 10 + Math.floor(rand() * 90));
      const users: DrfUser[] = Array.from({ length: 1 + Math.floor(rand() * 6) }, () => ({
        demand: cap.map(() => Math.floor(rand() * 6)),
        weight: rand() < 0.3 ? 1 + Math.floor(rand() * 3) : 1,
        maxTasks: rand() < 0.3 ? Math.floor(rand() * 10) : 1000,
      }));
      // Reference: scan every user each step, lowest share then lowest index, skip users that cannot take more.
      const tasks = users.map(() => 0);
      const used = cap.map(() => 0);
      const done = users.map(() => false);
      for (;;) {
        let best = -1;
        let bestShare = Number.POSITIVE_INFINITY;
        users.forEach((u, i) => {
          if (done[i]) return;
          const d = u.demand as number[];
          const s = dominantShare(
            d.map((x) => x * tasks[i]!),
            cap,
            u.weight,
          );
          if (s < bestShare) {
            best = i;
            bestShare = s;
          }
        });
        if (best < 0) break;
        const d = users[best]!.demand as number[];
        if (tasks[best]! >= users[best]!.maxTasks! || d.some((x, k) => used[k]! + x > cap[k]!)) {
          done[best] = true;
          continue;
        }
        tasks[best]!++;
        d.forEach((x, k) => {
          used[k]! += x;
        });
      }
      const r = drfAllocate(cap, users);
      expect(r.users.map((u) => u.tasks)).toEqual(tasks);
      expect(r.used).toEqual(used);
    }
  });

  it('lists every bad input in one InputError with paths', () => {
    try {
      drfAllocate({ cpu: -1, mem: 4 }, [
        { demand: { cpu: 1, gpu: 2 } },
        { demand: { cpu: 0, mem: 0 } },
        { demand: { cpu: 1 }, weight: 0, maxTasks: 1.5 },
      ]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      const e = err as InputError;
      expect(e.code).toBe('ARS_E_INPUT_ARGUMENT');
      expect(e.issues.map((i) => i.path)).toEqual([
        'capacity.cpu',
        'users[0].demand.gpu',
        'users[1].demand',
        'users[2].weight',
        'users[2].maxTasks',
      ]);
    }
    expect(() => drfAllocate([1, 2], [{ demand: { cpu: 1 } }])).toThrow(InputError);
    expect(() => drfAllocate([1, 2], [{ demand: [1] }])).toThrowError(
      expect.objectContaining({ issues: [expect.objectContaining({ path: 'users[0].demand' })] }),
    );
  });

  it('stops with ARS_E_INPUT_ARGUMENT instead of placing an absurd number of tasks', () => {
    expect(() => drfAllocate([1e9], [{ demand: [1] }], { maxTotalTasks: 1000 })).toThrowError(
      expect.objectContaining({ code: 'ARS_E_INPUT_ARGUMENT' }),
    );
  });
});

describe('drfOrder (Apache Mesos sorter_tests.cpp, weighted DRF)', () => {
  const totals = { cpus: 100, mem: 100 };
  const a = { id: 'a', allocation: { cpus: 5, mem: 5 } };
  const b = { id: 'b', allocation: { cpus: 6, mem: 6 }, weight: 2 };
  const c = { id: 'c', allocation: { cpus: 4, mem: 4 } };
  const d = { id: 'd', allocation: { cpus: 10, mem: 20 }, weight: 10 };
  const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

  it('orders b, a; then b, c, a; then d, b, c, a', () => {
    expect(ids(drfOrder([a, b], totals))).toEqual(['b', 'a']);
    expect(ids(drfOrder([a, b, c], totals))).toEqual(['b', 'c', 'a']);
    expect(ids(drfOrder([a, b, c, d], totals))).toEqual(['d', 'b', 'c', 'a']);
    expect(ids(drfOrder([d, c, b, a], totals))).toEqual(['d', 'b', 'c', 'a']);
  });

  it('keeps input order on equal shares', () => {
    const x = { id: 'x', allocation: [1, 2] };
    const y = { id: 'y', allocation: [2, 1] };
    const z = { id: 'z', allocation: [4, 4], weight: 2 };
    expect(ids(drfOrder([x, y, z], [10, 10]))).toEqual(['x', 'y', 'z']);
    expect(ids(drfOrder([z, y, x], [10, 10]))).toEqual(['z', 'y', 'x']);
  });

  it('re-exports the weighted dominant share: b holds 6 % of each with weight 2 → 0.03', () => {
    expect(dominantShare(b.allocation, totals, b.weight)).toBeCloseTo(0.03, 15);
  });
});
