/**
 * An intrusive doubly linked list: the elements carry their own `prev` and `next`, so adding and removing
 * allocate nothing and removal needs no search. The world keeps the items running on each node and the
 * open requests in these (in insertion order, which is the order results and replanning walk them).
 * An element is in at most one list at a time.
 */
export interface Linked<T> {
  prev: T | undefined;
  next: T | undefined;
}

export class IntrusiveList<T extends Linked<T>> {
  first: T | undefined = undefined;
  last: T | undefined = undefined;
  size = 0;

  /** Appends `x` at the end. O(1). */
  push(x: T): void {
    x.prev = this.last;
    x.next = undefined;
    if (this.last) this.last.next = x;
    else this.first = x;
    this.last = x;
    this.size++;
  }

  /** Unlinks `x`, which must be in this list. O(1). */
  remove(x: T): void {
    if (x.prev) x.prev.next = x.next;
    else this.first = x.next;
    if (x.next) x.next.prev = x.prev;
    else this.last = x.prev;
    x.prev = undefined;
    x.next = undefined;
    this.size--;
  }

  /** The elements in insertion order, as a new array (safe to remove them while walking it). */
  toArray(): T[] {
    const out: T[] = [];
    for (let x = this.first; x; x = x.next) out.push(x);
    return out;
  }
}
