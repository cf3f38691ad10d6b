import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Heap } from '../../scheduler/heap.js';
import { TwinHeap } from './twin-heap.js';

interface Entry {
  twin: number;
  sample: number;
  version: number;
}

describe('TwinHeap', () => {
  it('pops entries in the (sample, twin) order a Heap with that comparator gives; equal keys in any version order (property)', () => {
    const op = fc.oneof(
      fc.record({
        push: fc.constant(true),
        twin: fc.integer({ min: 0, max: 20 }),
        sample: fc.integer({ min: 0, max: 8 }).map((x) => x / 2),
        version: fc.integer({ min: 0, max: 1000 }),
      }),
      fc.record({ push: fc.constant(false) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const a = new TwinHeap();
        const b = new Heap<Entry>(
          (x, y) => x.sample < y.sample || (x.sample === y.sample && x.twin < y.twin),
        );
        // versions popped per (twin, sample) key, by each heap: the same multiset
        const versionsA = new Map<string, number[]>();
        const versionsB = new Map<string, number[]>();
        const note = (m: Map<string, number[]>, twin: number, sample: number, version: number): void => {
          const k = `${twin}/${sample}`;
          const list = m.get(k) ?? [];
          list.push(version);
          m.set(k, list);
        };
        for (const o of ops) {
          if ('twin' in o) {
            a.push(o.twin, o.sample, o.version);
            b.push({ twin: o.twin, sample: o.sample, version: o.version });
          } else if (b.size > 0) {
            const e = b.pop()!;
            expect([a.headTwin, a.headSample]).toEqual([e.twin, e.sample]);
            note(versionsA, a.headTwin, a.headSample, a.headVersion);
            note(versionsB, e.twin, e.sample, e.version);
            a.pop();
          }
          expect(a.size).toBe(b.size);
        }
        while (b.size > 0) {
          const e = b.pop()!;
          expect([a.headTwin, a.headSample]).toEqual([e.twin, e.sample]);
          note(versionsA, a.headTwin, a.headSample, a.headVersion);
          note(versionsB, e.twin, e.sample, e.version);
          a.pop();
        }
        expect(a.size).toBe(0);
        const sorted = (m: Map<string, number[]>) =>
          [...m]
            .map(([k, v]) => [k, [...v].sort((x, y) => x - y)] as const)
            .sort((x, y) => (x[0] < y[0] ? -1 : 1));
        expect(sorted(versionsA)).toEqual(sorted(versionsB));
      }),
      { seed: 3, numRuns: 500 },
    );
  });

  it('heapifies appended entries of distinct twins into their (sample, twin) order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 100 }), (samples) => {
        const h = new TwinHeap();
        for (let twin = 0; twin < samples.length; twin++) h.append(twin, samples[twin]!, twin);
        h.heapify();
        const out: number[][] = [];
        while (h.size > 0) {
          out.push([h.headSample, h.headTwin]);
          h.pop();
        }
        const want = samples.map((x, twin) => [x, twin]).sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!);
        expect(out).toEqual(want);
      }),
      { seed: 5, numRuns: 200 },
    );
  });
});
