import { describe, expect, it } from 'vitest';
import { IntrusiveList, type Linked } from './linked-list.js';

class El implements Linked<El> {
  prev: El | undefined;
  next: El | undefined;
  constructor(readonly id: number) {}
}

describe('intrusive list', () => {
  it('keeps insertion order through removals at the head, the middle and the tail', () => {
    const list = new IntrusiveList<El>();
    const els = [0, 1, 2, 3, 4].map((i) => new El(i));
    for (const e of els) list.push(e);
    list.remove(els[0]!);
    list.remove(els[2]!);
    list.remove(els[4]!);
    expect(list.toArray().map((e) => e.id)).toEqual([1, 3]);
    expect(list.size).toBe(2);
    expect(list.first?.id).toBe(1);
    expect(list.last?.id).toBe(3);
    expect(els[2]!.prev).toBeUndefined();
    list.push(els[2]!);
    expect(list.toArray().map((e) => e.id)).toEqual([1, 3, 2]);
  });

  it('empties back to nothing', () => {
    const list = new IntrusiveList<El>();
    const e = new El(7);
    list.push(e);
    list.remove(e);
    expect(list.size).toBe(0);
    expect(list.first).toBeUndefined();
    expect(list.last).toBeUndefined();
    expect(list.toArray()).toEqual([]);
  });
});
