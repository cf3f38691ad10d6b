/**
 * Shared resources for process models, as in SimPy: a Resource (servers with a priority queue), a
 * Container (a continuous level, e.g. energy or fluid) and a Store (discrete items).
 *
 * Every request, put and get is an event that succeeds when it is served. Grants happen at the time
 * of the release/put/get that makes them possible; the waiting process resumes at that same time.
 */
import { ArsError } from '../errors.js';
import { SimEvent, type Simulation } from './simulation.js';

function engineError(message: string): ArsError {
  return new ArsError('ARS_E_ENGINE', message);
}

function checkCapacity(capacity: number, what: string): void {
  if (!(capacity > 0) || !(Number.isInteger(capacity) || capacity === Number.POSITIVE_INFINITY))
    throw engineError(`${what} capacity must be a positive integer or Infinity, got ${capacity}`);
}

// ------------------------------------------------------------------ Resource

const WAITING = 0;
const GRANTED = 1;
const RELEASED = 2;

/** A claim on one unit of a Resource; succeeds when granted. Pass it back to `release`. */
export class Request extends SimEvent<void> {
  readonly resource: Resource;
  readonly priority: number;
  /** @internal Sequence number: FIFO among equal priorities. */
  readonly _seq: number;
  /** @internal */ _status = WAITING;

  constructor(resource: Resource, priority: number, seq: number) {
    super(resource.sim);
    this.resource = resource;
    this.priority = priority;
    this._seq = seq;
  }
}

/**
 * `capacity` identical servers. Requests are granted lowest priority number first, FIFO among equal
 * priorities; there is no pre-emption.
 */
export class Resource {
  readonly sim: Simulation;
  readonly capacity: number;
  private users = 0;
  private waiting = 0;
  private seq = 0;
  /** Binary heap of waiting requests by (priority, seq); released ones are skipped when popped. */
  private heap: Request[] = [];

  constructor(sim: Simulation, capacity = 1) {
    checkCapacity(capacity, 'Resource');
    this.sim = sim;
    this.capacity = capacity;
  }

  /** Units in use. */
  get inUse(): number {
    return this.users;
  }

  /** Requests waiting to be granted. */
  get queueLength(): number {
    return this.waiting;
  }

  /** Asks for one unit; the event succeeds when it is granted. Lower `priority` numbers go first. */
  request(priority = 0): Request {
    if (!Number.isFinite(priority)) throw engineError(`Request priority must be finite, got ${priority}`);
    const req = new Request(this, priority, this.seq++);
    if (this.users < this.capacity && this.waiting === 0) {
      this.grant(req);
    } else {
      this.waiting++;
      this.pushWaiting(req);
    }
    return req;
  }

  /** Gives back a granted unit (and grants waiting requests), or withdraws a waiting request. */
  release(req: Request): void {
    if (!(req instanceof Request) || req.resource !== this)
      throw engineError('release() needs a request made on this resource');
    if (req._status === RELEASED) throw engineError('Request already released');
    if (req._status === WAITING) {
      req._status = RELEASED; // left in the heap, skipped when it reaches the top
      if (--this.waiting === 0) this.heap.length = 0;
      return;
    }
    req._status = RELEASED;
    this.users--;
    while (this.users < this.capacity && this.waiting > 0) {
      const next = this.popWaiting();
      if (next._status !== WAITING) continue;
      this.waiting--;
      this.grant(next);
    }
    if (this.waiting === 0) this.heap.length = 0; // drop withdrawn requests left behind
  }

  private grant(req: Request): void {
    req._status = GRANTED;
    this.users++;
    req.succeed();
  }

  private pushWaiting(req: Request): void {
    const h = this.heap;
    let i = h.length;
    h.push(req);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!before(req, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = req;
  }

  private popWaiting(): Request {
    const h = this.heap;
    const top = h[0]!;
    const last = h.pop()!;
    const n = h.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && before(h[r]!, h[l]!) ? r : l;
        if (!before(h[c]!, last)) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function before(a: Request, b: Request): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a._seq < b._seq);
}

// ------------------------------------------------------------------ FIFO helper

/** An array queue with a moving head: O(1) amortised shift, order preserved. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  get length(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    const x = this.items[this.head];
    if (x === undefined) return undefined;
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  remove(x: T): boolean {
    const i = this.items.indexOf(x, this.head);
    if (i < 0) return false;
    this.items.splice(i, 1);
    return true;
  }
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = this.head; i < this.items.length; i++) yield this.items[i] as T;
  }
}

// ------------------------------------------------------------------ Container

/** A put or get on a Container; succeeds with its amount. */
export class ContainerEvent extends SimEvent<number> {
  readonly amount: number;
  constructor(sim: Simulation, amount: number) {
    super(sim);
    this.amount = amount;
  }
}

/**
 * A continuous level between 0 and `capacity`. Puts wait for room, gets wait for stock. Each queue
 * is strict FIFO: a large get at the head blocks smaller ones behind it, so nobody starves.
 */
export class Container {
  readonly sim: Simulation;
  readonly capacity: number;
  private _level: number;
  private readonly puts = new Fifo<ContainerEvent>();
  private readonly gets = new Fifo<ContainerEvent>();

  constructor(sim: Simulation, capacity = Number.POSITIVE_INFINITY, initial = 0) {
    if (!(capacity > 0)) throw engineError(`Container capacity must be > 0, got ${capacity}`);
    if (!(initial >= 0 && initial <= capacity))
      throw engineError(`Container initial level must be in [0, ${capacity}], got ${initial}`);
    this.sim = sim;
    this.capacity = capacity;
    this._level = initial;
  }

  get level(): number {
    return this._level;
  }

  /** Adds `amount` once there is room for it. */
  put(amount: number): ContainerEvent {
    this.checkAmount(amount, 'put');
    const ev = new ContainerEvent(this.sim, amount);
    this.puts.push(ev);
    this.settle();
    return ev;
  }

  /** Takes `amount` once the level allows it. */
  get(amount: number): ContainerEvent {
    this.checkAmount(amount, 'get');
    const ev = new ContainerEvent(this.sim, amount);
    this.gets.push(ev);
    this.settle();
    return ev;
  }

  /** Withdraws a put or get that has not been served yet. True if it was waiting. */
  cancel(ev: ContainerEvent): boolean {
    return !ev.triggered && (this.puts.remove(ev) || this.gets.remove(ev));
  }

  private checkAmount(amount: number, op: string): void {
    if (!(amount > 0 && amount <= this.capacity))
      throw engineError(`Container ${op} amount must be in (0, ${this.capacity}], got ${amount}`);
  }

  private settle(): void {
    let progress = true;
    while (progress) {
      progress = false;
      for (
        let p = this.puts.peek();
        p !== undefined && this._level + p.amount <= this.capacity;
        p = this.puts.peek()
      ) {
        this.puts.shift();
        this._level += p.amount;
        p.succeed(p.amount);
        progress = true;
      }
      for (let g = this.gets.peek(); g !== undefined && g.amount <= this._level; g = this.gets.peek()) {
        this.gets.shift();
        this._level -= g.amount;
        g.succeed(g.amount);
        progress = true;
      }
    }
  }
}

// ------------------------------------------------------------------ Store

/** A put on a Store; succeeds (with the item) once the item is in. */
export class StorePut<T> extends SimEvent<T> {
  readonly item: T;
  constructor(sim: Simulation, item: T) {
    super(sim);
    this.item = item;
  }
}

/** A get on a Store; succeeds with the first item (oldest first) that passes its filter. */
export class StoreGet<T> extends SimEvent<T> {
  readonly filter: ((item: T) => boolean) | undefined;
  constructor(sim: Simulation, filter: ((item: T) => boolean) | undefined) {
    super(sim);
    this.filter = filter;
  }
}

/**
 * Discrete items, up to `capacity`. Puts are FIFO. Gets are served in arrival order, but a get whose
 * filter matches nothing does not block later gets.
 */
export class Store<T> {
  readonly sim: Simulation;
  readonly capacity: number;
  private readonly stock: T[] = [];
  private readonly puts = new Fifo<StorePut<T>>();
  private gets: StoreGet<T>[] = [];

  constructor(sim: Simulation, capacity = Number.POSITIVE_INFINITY) {
    checkCapacity(capacity, 'Store');
    this.sim = sim;
    this.capacity = capacity;
  }

  /** The items in the store, oldest first (read-only view). */
  get items(): readonly T[] {
    return this.stock;
  }

  put(item: T): StorePut<T> {
    const ev = new StorePut(this.sim, item);
    this.puts.push(ev);
    this.settle();
    return ev;
  }

  get(filter?: (item: T) => boolean): StoreGet<T> {
    const ev = new StoreGet<T>(this.sim, filter);
    this.gets.push(ev);
    this.settle();
    return ev;
  }

  /** Withdraws a put or get that has not been served yet. True if it was waiting. */
  cancel(ev: StorePut<T> | StoreGet<T>): boolean {
    if (ev.triggered) return false;
    if (ev instanceof StorePut) return this.puts.remove(ev);
    const i = this.gets.indexOf(ev);
    if (i < 0) return false;
    this.gets.splice(i, 1);
    return true;
  }

  private settle(): void {
    let progress = true;
    while (progress) {
      progress = false;
      for (
        let p = this.puts.peek();
        p !== undefined && this.stock.length < this.capacity;
        p = this.puts.peek()
      ) {
        this.puts.shift();
        this.stock.push(p.item);
        p.succeed(p.item);
        progress = true;
      }
      if (this.gets.length === 0 || this.stock.length === 0) break;
      const stillWaiting: StoreGet<T>[] = [];
      for (const g of this.gets) {
        const i = g.filter === undefined ? (this.stock.length > 0 ? 0 : -1) : this.stock.findIndex(g.filter);
        if (i < 0) {
          stillWaiting.push(g);
          continue;
        }
        const [item] = this.stock.splice(i, 1);
        g.succeed(item as T);
        progress = true;
      }
      this.gets = stillWaiting;
    }
  }
}
