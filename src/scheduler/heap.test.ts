import { describe, expect, it } from 'vitest';
import { Heap } from './heap.js';

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
