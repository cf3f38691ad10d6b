/**
 * The discrete-event kernel: a clock, one event queue, and two ways to use it.
 *
 * - The callback path (`schedule`, `scheduleAt`, `cancel`) is for hot internals: an event is a
 *   function and a payload in a pooled slot, with no object allocated per event.
 * - The process path (`process`, `timeout`, `event`, `allOf`, `anyOf`) is for readable models, as in
 *   SimPy: a generator yields events and is resumed with their values.
 *
 * Both share the queue, so they interleave in one deterministic order: by time, then by the order in
 * which events were scheduled (a sequence number breaks ties).
 *
 * The queue is a 4-ary min-heap over two parallel typed arrays (time, slot). A slot indexes a pool of
 * parallel arrays (sequence number, function, payload, generation). Four children per node halve the
 * depth of a binary heap; measured with 1,000 and 100,000 pending events, the two are on par.
 */
import { ArsError } from '../errors.js';

// biome-ignore lint/suspicious/noExplicitAny: callbacks of every payload type share one pool.
type AnyCallback = (payload: any) => void;

/** Marks a cancelled slot; it stays in the heap until popped (lazy deletion). */
const CANCELLED: AnyCallback = () => {};

/** Slot index space inside an event id: id = generation * SLOTS + slot. */
const SLOTS = 16777216; // 2^24 pending events at most
const MAX_GENERATION = 536870912; // 2^29, so ids stay below 2^53

function engineError(message: string): ArsError {
  return new ArsError('ARS_E_ENGINE', message);
}

function checkDelay(delay: number): void {
  // `!(delay >= 0)` also catches NaN.
  if (!(delay >= 0)) throw engineError(`Negative delay ${delay}`);
}

// ------------------------------------------------------------------ events

const PENDING = 0;
const TRIGGERED = 1;
const PROCESSED = 2;

type Done<T> = (event: SimEvent<T>) => void;
// Stored callbacks are typed loosely so that SimEvent<T> stays covariant in T (a SimEvent<void> is a
// SimEvent<unknown>); onDone is where the type is checked.
// biome-ignore lint/suspicious/noExplicitAny: see above.
type StoredDone = (event: SimEvent<any>) => void;

/**
 * Something that happens at one simulated time. It is *triggered* (given a value or an error, and
 * queued) once, then *processed* (its callbacks run) when the clock reaches it.
 *
 * A failed event that nobody waits for is not lost: processing it throws its error out of `run()`,
 * unless `defuse()` was called.
 */
export class SimEvent<T = unknown> {
  readonly sim: Simulation;
  /** @internal */ _state: number = PENDING;
  /** @internal */ _ok = true;
  /** @internal */ _value: unknown = undefined;
  /** @internal */ _defused = false;
  // One callback inline (the common case: one waiting process), more in an array.
  /** @internal */ _cb: StoredDone | null = null;
  /** @internal */ _cbs: StoredDone[] | null = null;

  constructor(sim: Simulation) {
    this.sim = sim;
  }

  /** True once the event has a value or an error and is queued. */
  get triggered(): boolean {
    return this._state !== PENDING;
  }

  /** True once its callbacks have run. */
  get processed(): boolean {
    return this._state === PROCESSED;
  }

  /** True if triggered with `succeed`; false if failed. Meaningless before it is triggered. */
  get ok(): boolean {
    return this._ok;
  }

  /** The value (or the error, if it failed). Throws before the event is triggered. */
  get value(): T {
    if (this._state === PENDING) throw engineError('Value of event is not yet available');
    return this._value as T;
  }

  /** Triggers the event with `value`; its callbacks run at the current time, after earlier events. */
  succeed(value?: T): this {
    if (this._state !== PENDING) throw engineError(`Event already triggered (value ${String(this._value)})`);
    this._state = TRIGGERED;
    this._value = value;
    this.sim.schedule(0, processEvent, this);
    return this;
  }

  /** Triggers the event as failed; processes waiting on it get `error` thrown into them. */
  fail(error: unknown): this {
    if (this._state !== PENDING) throw engineError(`Event already triggered (value ${String(this._value)})`);
    this._state = TRIGGERED;
    this._ok = false;
    this._value = error;
    this.sim.schedule(0, processEvent, this);
    return this;
  }

  /** Marks a failure as handled, so processing it does not throw out of `run()`. */
  defuse(): this {
    this._defused = true;
    return this;
  }

  /** Calls `fn(event)` when the event is processed; at once if it already was. */
  onDone(fn: Done<T>): this {
    if (this._state === PROCESSED) {
      if (!this._ok) this._defused = true;
      fn(this);
    } else if (this._cb === null) this._cb = fn;
    else if (this._cbs === null) this._cbs = [fn];
    else this._cbs.push(fn);
    return this;
  }

  /** @internal Removes a callback added with onDone (used when a waiting process is interrupted). */
  _removeCallback(fn: StoredDone): void {
    if (this._cb === fn) {
      this._cb = this._cbs === null ? null : (this._cbs.shift() ?? null);
      return;
    }
    const i = this._cbs?.indexOf(fn) ?? -1;
    if (i >= 0) this._cbs?.splice(i, 1);
  }
}

/** Runs an event's callbacks; the queue calls it with the event as payload. */
function processEvent(ev: SimEvent<unknown>): void {
  ev._state = PROCESSED;
  const cb = ev._cb;
  if (cb === null) {
    if (!ev._ok && !ev._defused) throw ev._value;
    return;
  }
  const cbs = ev._cbs;
  ev._cb = null;
  ev._cbs = null;
  if (!ev._ok) ev._defused = true;
  cb(ev);
  if (cbs !== null) for (const f of cbs) f(ev);
}

// ------------------------------------------------------------------ processes

/** Thrown into a process by `process.interrupt(cause)`. */
export class Interrupt extends Error {
  override readonly cause: unknown;
  constructor(cause: unknown) {
    super(`Interrupted${cause === undefined ? '' : `: ${String(cause)}`}`);
    this.name = 'Interrupt';
    this.cause = cause;
  }
}

type ProcessGenerator<R> = Generator<SimEvent<unknown>, R, unknown>;

/**
 * A running generator. It is itself an event that succeeds with the generator's return value (or
 * fails with what it threw), so other processes can wait for it.
 */
export class Process<R = unknown> extends SimEvent<R> {
  private readonly gen: ProcessGenerator<R>;
  private readonly resumeFn: Done<unknown>;
  /** The event this process waits for, or null while it runs or before it starts. */
  private waitingFor: SimEvent<unknown> | null = null;

  constructor(sim: Simulation, gen: ProcessGenerator<R>) {
    super(sim);
    if (
      gen === null ||
      typeof gen !== 'object' ||
      typeof gen.next !== 'function' ||
      typeof gen.throw !== 'function'
    )
      throw engineError(`process() needs a generator object, got ${String(gen)}`);
    this.gen = gen;
    this.resumeFn = (ev) => this.resume(ev._ok, ev._value);
    // Start at the current time, after the events already queued for now.
    sim.schedule(0, startProcess, this as Process<unknown>);
  }

  /** True until the generator returns or throws. */
  get isAlive(): boolean {
    return this._state === PENDING;
  }

  /** The event the process currently waits for (null if none). */
  get target(): SimEvent<unknown> | null {
    return this.waitingFor;
  }

  /** Throws an `Interrupt` carrying `cause` into the process at the current time. */
  interrupt(cause?: unknown): void {
    if (this._state !== PENDING) throw engineError('Cannot interrupt a process that has finished');
    if (this.sim.activeProcess === this) throw engineError('A process cannot interrupt itself');
    this.sim.schedule(0, deliverInterrupt, { process: this as Process<unknown>, cause });
  }

  /** @internal */
  _deliverInterrupt(cause: unknown): void {
    if (this._state !== PENDING) return; // finished in the meantime
    if (this.waitingFor !== null) this.waitingFor._removeCallback(this.resumeFn);
    this.resume(false, new Interrupt(cause));
  }

  /** @internal Drives the generator until it waits for an unprocessed event or ends. */
  resume(ok: boolean, value: unknown): void {
    const sim = this.sim;
    this.waitingFor = null;
    const previous = sim._active;
    sim._active = this as Process<unknown>;
    try {
      for (;;) {
        let step: IteratorResult<SimEvent<unknown>, R>;
        try {
          step = ok ? this.gen.next(value) : this.gen.throw(value);
        } catch (err) {
          this.fail(err);
          return;
        }
        if (step.done) {
          this.succeed(step.value);
          return;
        }
        const next = step.value;
        if (!(next instanceof SimEvent) || next.sim !== sim) {
          ok = false;
          value = engineError(
            next instanceof SimEvent
              ? 'Process yielded an event of another simulation'
              : `Process yielded ${String(next)}, not an event`,
          );
          continue;
        }
        if (next._state === PROCESSED) {
          // Already happened: continue at once with its outcome.
          ok = next._ok;
          value = next._value;
          if (!ok) next._defused = true;
          continue;
        }
        next.onDone(this.resumeFn);
        this.waitingFor = next;
        return;
      }
    } finally {
      sim._active = previous;
    }
  }
}

function startProcess(p: Process<unknown>): void {
  p.resume(true, undefined);
}

function deliverInterrupt(x: { process: Process<unknown>; cause: unknown }): void {
  x.process._deliverInterrupt(x.cause);
}

// ------------------------------------------------------------------ simulation

export interface SimulationOptions {
  /** Initial simulated time; 0 by default. */
  start?: number;
}

export class Simulation {
  private _now: number;
  private _processed = 0;
  private nextSeq = 0;
  private stopped = false;
  private running = false;
  /** @internal The process being resumed, if any. */
  _active: Process<unknown> | null = null;

  // The heap: parallel arrays, `size` entries in use.
  private heapTime = new Float64Array(64);
  private heapSlot = new Int32Array(64);
  private size = 0;

  // The slot pool: parallel arrays indexed by slot; `freeSlots[0..freeCount)` are unused.
  private slotSeq = new Float64Array(64);
  private slotGen = new Float64Array(64);
  private slotFn: (AnyCallback | null)[] = [];
  private slotPayload: unknown[] = [];
  private freeSlots = new Int32Array(64);
  private freeCount = 0;
  private poolSize = 0;

  // `soon`'s held event: due now, after nothing else (see `soon`); run before the queue is looked at again.
  private heldFn: AnyCallback | null = null;

  constructor(options: SimulationOptions = {}) {
    const start = options.start ?? 0;
    if (!Number.isFinite(start)) throw engineError(`Start time must be finite, got ${start}`);
    this._now = start;
  }

  /** The current simulated time. */
  get now(): number {
    return this._now;
  }

  /** Events processed so far (cancelled events are not counted). */
  get eventsProcessed(): number {
    return this._processed;
  }

  /** The process being resumed right now, or null (outside processes). */
  get activeProcess(): Process<unknown> | null {
    return this._active;
  }

  // ---------------------------------------------------------------- callback path

  /** Calls `fn(payload)` after `delay`. Returns an id for `cancel`. */
  schedule<T>(delay: number, fn: (payload: T) => void, payload: T): number {
    if (!(delay >= 0)) checkDelay(delay);
    return this.push(this._now + delay, fn, payload);
  }

  /** Calls `fn(payload)` at absolute time `time` (not in the past). Returns an id for `cancel`. */
  scheduleAt<T>(time: number, fn: (payload: T) => void, payload: T): number {
    if (!(time >= this._now)) {
      throw engineError(
        Number.isNaN(time)
          ? `Time ${time} is not a number`
          : `Time ${time} is in the past (now ${this._now})`,
      );
    }
    return this.push(time, fn, payload);
  }

  /**
   * Calls `fn()` now, after every event already due now and before any scheduled later, exactly as
   * `schedule(0, fn, undefined)` would (not cancellable). Where no other event is due now, which is the common
   * case for a request to run something once the current instant's events are done, the event does not go
   * through the queue: it is held and run as soon as the current event returns, since every event scheduled
   * after it for this instant comes after it anyway (same time, later sequence number).
   */
  soon(fn: () => void): void {
    if (this.heldFn === null && (this.size === 0 || this.heapTime[0]! > this._now)) {
      this.nextSeq++; // the sequence number it would have had: later events keep theirs
      this.heldFn = fn;
    } else this.push(this._now, fn, undefined);
  }

  /** Runs the held `soon` event. */
  private runHeld(): void {
    const fn = this.heldFn!;
    this.heldFn = null;
    this._processed++;
    fn(undefined);
  }

  /** Cancels a pending event. True if it was pending; false if already run, cancelled or unknown. */
  cancel(id: number): boolean {
    if (!Number.isInteger(id) || id < 0) return false;
    const slot = id % SLOTS;
    const gen = (id - slot) / SLOTS;
    if (slot >= this.poolSize || this.slotGen[slot] !== gen) return false;
    const fn = this.slotFn[slot];
    if (fn === null || fn === CANCELLED) return false;
    this.slotFn[slot] = CANCELLED;
    this.slotPayload[slot] = undefined;
    return true;
  }

  // ---------------------------------------------------------------- process path

  /** Starts a process at the current time. */
  process<R>(gen: Generator<SimEvent<unknown>, R, unknown>): Process<R> {
    return new Process(this, gen);
  }

  /** An event that succeeds with `value` after `delay`. */
  timeout<T = undefined>(delay: number, value?: T): SimEvent<T> {
    if (!(delay >= 0)) checkDelay(delay);
    const ev = new SimEvent<T>(this);
    ev._state = TRIGGERED;
    ev._value = value;
    this.push(this._now + delay, processEvent, ev);
    return ev;
  }

  /** A pending event, to be triggered with `succeed` or `fail`. */
  event<T = unknown>(): SimEvent<T> {
    return new SimEvent<T>(this);
  }

  /** Succeeds with all values (in input order) once every event succeeded; fails with the first failure. */
  allOf(events: SimEvent<unknown>[]): SimEvent<unknown[]> {
    const all = new SimEvent<unknown[]>(this);
    this.checkOwn(events);
    let remaining = events.length;
    if (remaining === 0) return all.succeed([]);
    const done = (ev: SimEvent<unknown>) => {
      if (all._state !== PENDING) return;
      if (!ev._ok) all.fail(ev._value);
      else if (--remaining === 0) all.succeed(events.map((e) => e._value));
    };
    for (const ev of events) ev.onDone(done);
    return all;
  }

  /** Succeeds with the first event to succeed (its index and value); fails if that first one failed. */
  anyOf(events: SimEvent<unknown>[]): SimEvent<{ index: number; value: unknown }> {
    if (events.length === 0) throw engineError('anyOf needs at least one event');
    this.checkOwn(events);
    const any = new SimEvent<{ index: number; value: unknown }>(this);
    events.forEach((ev, index) => {
      ev.onDone((e) => {
        if (any._state !== PENDING) return;
        if (e._ok) any.succeed({ index, value: e._value });
        else any.fail(e._value);
      });
    });
    return any;
  }

  private checkOwn(events: SimEvent<unknown>[]): void {
    for (const ev of events)
      if (!(ev instanceof SimEvent) || ev.sim !== this)
        throw engineError('Condition over an event of another simulation or a non-event');
  }

  // ---------------------------------------------------------------- running

  /**
   * Processes every event with time <= `until` (all events if omitted), then sets `now = until`.
   * Returns early, with `now` at the last event, if `stop()` is called.
   */
  run(until?: number): void {
    const limit = until ?? Number.POSITIVE_INFINITY;
    if (Number.isNaN(limit) || limit < this._now)
      throw engineError(`run(until) needs until >= now (${this._now}), got ${until}`);
    if (this.running) throw engineError('run() or step() called from inside an event');
    this.running = true;
    this.stopped = false;
    try {
      while (!this.stopped) {
        // a held event is due now (`now` has not moved since it was held, and run() starts at most at `until`)
        // and before everything queued
        if (this.heldFn !== null) {
          this.runHeld();
          continue;
        }
        if (this.size === 0 || this.heapTime[0]! > limit) break;
        this.processTop();
      }
    } finally {
      this.running = false;
    }
    if (!this.stopped && limit !== Number.POSITIVE_INFINITY) this._now = limit;
  }

  /** Processes the next event (skipping cancelled ones). False if there is none. */
  step(): boolean {
    if (this.running) throw engineError('run() or step() called from inside an event');
    this.running = true;
    try {
      if (this.heldFn !== null) {
        this.runHeld();
        return true;
      }
      while (this.size > 0) if (this.processTop()) return true;
      return false;
    } finally {
      this.running = false;
    }
  }

  /** Time of the next pending event; Infinity if none. */
  peek(): number {
    // Drop cancelled events from the top so the answer is a real event's time.
    if (this.heldFn !== null) return this._now;
    while (this.size > 0 && this.slotFn[this.heapSlot[0]!] === CANCELLED) this.processTop();
    return this.size > 0 ? this.heapTime[0]! : Number.POSITIVE_INFINITY;
  }

  /** Makes `run()` return after the current event. */
  stop(): void {
    this.stopped = true;
  }

  // ---------------------------------------------------------------- the queue

  /** Pops the top event and runs it; false if it was a cancelled one. */
  private processTop(): boolean {
    const slot = this.heapSlot[0]!;
    const time = this.heapTime[0]!;
    this.popTop();
    const fn = this.slotFn[slot]!;
    const payload = this.slotPayload[slot];
    // Free the slot before running fn, so the event it schedules can reuse it (warm in cache).
    this.slotFn[slot] = null;
    this.slotPayload[slot] = undefined;
    const gen = this.slotGen[slot]! + 1;
    this.slotGen[slot] = gen === MAX_GENERATION ? 0 : gen;
    this.freeSlots[this.freeCount++] = slot;
    if (fn === CANCELLED) return false;
    this._now = time;
    this._processed++;
    fn(payload);
    return true;
  }

  private push(time: number, fn: AnyCallback, payload: unknown): number {
    if (this.freeCount === 0) this.growPool();
    const slot = this.freeSlots[--this.freeCount]!;
    this.slotSeq[slot] = this.nextSeq++;
    this.slotFn[slot] = fn;
    this.slotPayload[slot] = payload;
    if (this.size === this.heapTime.length) this.growHeap();

    // Sift up. The new entry has the largest sequence number, so on equal times it goes below.
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = heapTime[parent]!;
      if (pt <= time) break;
      heapTime[i] = pt;
      heapSlot[i] = heapSlot[parent]!;
      i = parent;
    }
    heapTime[i] = time;
    heapSlot[i] = slot;
    return this.slotGen[slot]! * SLOTS + slot;
  }

  private popTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const heapTime = this.heapTime;
    const heapSlot = this.heapSlot;
    const seq = this.slotSeq;
    // Sift the last entry down from the root.
    const time = heapTime[n]!;
    const slot = heapSlot[n]!;
    const s = seq[slot]!;
    // Bottom-up: the hole at the root moves down to a leaf along the smallest children, then the last entry
    // moves up from there while its parent is greater. New events are mostly later than the pending ones, so
    // the last entry nearly always belongs near the bottom and this saves a comparison per level. Keys
    // (time, sequence) are distinct, so events leave in the same order whatever the layout.
    let i = 0;
    for (;;) {
      const first = (i << 2) + 1;
      if (first >= n) break;
      // Smallest of up to four children, by (time, sequence).
      let best = first;
      let bt = heapTime[first]!;
      const last = first + 3 < n ? first + 3 : n - 1;
      for (let c = first + 1; c <= last; c++) {
        const ct = heapTime[c]!;
        if (ct < bt || (ct === bt && seq[heapSlot[c]!]! < seq[heapSlot[best]!]!)) {
          best = c;
          bt = ct;
        }
      }
      heapTime[i] = bt;
      heapSlot[i] = heapSlot[best]!;
      i = best;
    }
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = heapTime[parent]!;
      if (pt < time || (pt === time && seq[heapSlot[parent]!]! < s)) break;
      heapTime[i] = pt;
      heapSlot[i] = heapSlot[parent]!;
      i = parent;
    }
    heapTime[i] = time;
    heapSlot[i] = slot;
  }

  private growPool(): void {
    const old = this.poolSize;
    const size = old === 0 ? 64 : old * 2;
    if (size > SLOTS) throw engineError(`More than ${SLOTS} pending events`);
    this.slotSeq = grow(this.slotSeq, size);
    this.slotGen = grow(this.slotGen, size);
    this.freeSlots = growInt(this.freeSlots, size);
    for (let s = size - 1; s >= old; s--) {
      this.slotFn.push(null);
      this.slotPayload.push(undefined);
    }
    // Hand out low slots first.
    for (let s = size - 1; s >= old; s--) this.freeSlots[this.freeCount++] = s;
    this.poolSize = size;
  }

  private growHeap(): void {
    const size = this.heapTime.length * 2;
    this.heapTime = grow(this.heapTime, size);
    this.heapSlot = growInt(this.heapSlot, size);
  }
}

function grow(a: Float64Array<ArrayBuffer>, size: number): Float64Array<ArrayBuffer> {
  if (a.length >= size) return a;
  const b = new Float64Array(size);
  b.set(a);
  return b;
}

function growInt(a: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  if (a.length >= size) return a;
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
