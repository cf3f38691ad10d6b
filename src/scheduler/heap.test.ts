import { describe, expect, it } from 'vitest';
import { Heap, KeyedHeap } from './heap.js';

describe('Heap', () => {
  it('pops in ascending order', () => {
    const h = new Heap<number>((a, b) => a < b);
    for (const x of [5, 3, 9, 1, 4, 1, 8]) h.push(x);
    const out: number[] = [];
    while (h.size > 0) out.push(h.pop()!);
    expect(out).toEqual([1, 1, 3, 4, 5, 8, 9]);
  });
  it('removes matching items and keeps the order of the rest', () => {
    const h = new Heap<number>((a, b) => a < b);
    for (let i = 10; i > 0; i--) h.push(i);
    expect(h.removeWhere((x) => x % 2 === 0).sort((a, b) => a - b)).toEqual([2, 4, 6, 8, 10]);
    const out: number[] = [];
    while (h.size > 0) out.push(h.pop()!);
    expect(out).toEqual([1, 3, 5, 7, 9]);
  });
  it('is empty-safe', () => {
    const h = new Heap<number>((a, b) => a < b);
    expect(h.pop()).toBeUndefined();
    expect(h.peek()).toBeUndefined();
  });
});

describe('KeyedHeap', () => {
  interface It {
    readonly uid: number;
    readonly k: number;
  }
  /** a deterministic stream of items with many equal keys (ties go to the lower uid) */
  const items = (n: number): It[] => {
    let x = 12345;
    return Array.from({ length: n }, (_, uid) => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return { uid, k: x % 17 };
    });
  };
  const less = (a: It, b: It) => {
    const c = a.k - b.k;
    return c < 0 || (c === 0 && a.uid < b.uid);
  };

  it('pops in the order a Heap with the same comparison gives, through pushes, pops and removals', () => {
    const keyed = new KeyedHeap<It>((x) => x.k);
    const plain = new Heap<It>(less);
    const stream = items(400);
    const outK: number[] = [];
    const outP: number[] = [];
    for (let i = 0; i < stream.length; i++) {
      keyed.push(stream[i]!);
      plain.push(stream[i]!);
      if (i % 3 === 2) {
        outK.push(keyed.pop()!.uid);
        outP.push(plain.pop()!.uid);
      }
      if (i === 250) {
        const a = keyed.removeWhere((x) => x.uid % 5 === 0).map((x) => x.uid);
        const b = plain.removeWhere((x) => x.uid % 5 === 0).map((x) => x.uid);
        expect(a.sort((p, q) => p - q)).toEqual(b.sort((p, q) => p - q));
      }
      expect(keyed.peek()?.uid).toBe(plain.peek()?.uid);
      expect(keyed.peekKey()).toBe(plain.peek()!.k);
    }
    while (plain.size > 0) {
      outK.push(keyed.pop()!.uid);
      outP.push(plain.pop()!.uid);
    }
    expect(keyed.size).toBe(0);
    expect(outK).toEqual(outP);
    expect(keyed.pop()).toBeUndefined();
    expect(keyed.peekKey()).toBeNaN();
  });

  it('asks for a key once per item, and only when a comparison needs it', () => {
    const asked: number[] = [];
    const h = new KeyedHeap<It>((x) => {
      asked.push(x.uid);
      return x.k;
    });
    h.push({ uid: 0, k: 3 });
    expect(h.pop()!.uid).toBe(0); // alone in the heap: never compared
    expect(asked).toEqual([]);
    for (const x of items(50)) h.push(x);
    while (h.size > 0) h.pop();
    expect(asked.length).toBe(new Set(asked).size);
    expect(asked.length).toBeLessThanOrEqual(50);
  });
});
