/**
 * Twins and the assets they mirror: refreshes (a sample taken when the refresh is bound, delivered when it
 * completes), the suspicion a new sample raises, tasks waiting for a fresh enough twin, anomalies striking
 * the assets and when a refresh sees them, and the tracking error measured by probing twins against their
 * assets.
 */

import type { RandomStream } from '../engine/random.js';
import { hastened, mostUrgent } from '../scheduler/urgency.js';
import type { Accounting } from './accounting.js';
import type { AssetStates } from './asset.js';
import type { WorldCore } from './core.js';
import type { FreshnessGate } from './requests.js';
import { Item, type TwinRt } from './state.js';

/** Twins probed per probe event: the tracking error's cost is bounded per probe. */
const PROBED_PER_EVENT = 256;

export class Twins implements FreshnessGate {
  readonly #w: WorldCore;
  readonly #accounts: Accounting;
  readonly #assets: AssetStates;
  readonly #rngAnomalies: RandomStream;
  readonly #enqueue: (item: Item) => void;
  /**
   * Each twin's `lastSample`, mirrored in one dense array: a task's freshness check reads a random twin's
   * sample time, and the twins' own objects are scattered over the heap (a cache miss or two each).
   */
  readonly #lastSampleOf: Float64Array;
  #probeCursor = 0;

  constructor(
    w: WorldCore,
    accounts: Accounting,
    assets: AssetStates,
    rngAnomalies: RandomStream,
    enqueue: (item: Item) => void,
  ) {
    this.#w = w;
    this.#accounts = accounts;
    this.#assets = assets;
    this.#rngAnomalies = rngAnomalies;
    this.#enqueue = enqueue;
    this.#lastSampleOf = new Float64Array(w.twins.length);
    for (const t of w.twins) this.#lastSampleOf[t.index] = t.lastSample;
    for (const t of w.twins) {
      t.lastValue = assets.valueAt(t.index, 0);
      t.accounted = 0;
    }
  }

  /** A fork's world: puts the copied twin fields back and mirrors their sample times. */
  restore<S>(state: S, restoreTwin: (t: TwinRt, s: S) => void): void {
    for (const t of this.#w.twins) {
      restoreTwin(t, state);
      this.#lastSampleOf[t.index] = t.lastSample;
    }
  }

  /** Schedules each twin's first anomaly. */
  start(): void {
    const sim = this.#w.sim;
    for (const t of this.#w.twins) {
      const a = t.def.anomaly;
      if (a && a.rate > 0) sim.schedule(this.#rngAnomalies.exponential(a.rate), this.#onAnomaly, t);
    }
  }

  waitIfStale(item: Item, twinIndex: number, maxAge: number): boolean {
    if (this.#w.sim.now - this.#lastSampleOf[twinIndex]! <= maxAge) return false;
    const twin = this.#w.twins[twinIndex]!;
    (twin.waiters ??= []).push(item);
    if (!twin.refreshing) this.requestRefresh(twin, item.priority, item.deadline);
    else this.#hasten(twin, item.priority, item.deadline);
    return true;
  }

  /** An on-demand refresh, for tasks waiting for the twin. */
  requestRefresh(twin: TwinRt, priority: number, deadline: number): void {
    const item = this.refreshItem(twin, priority, deadline);
    this.#w.profile.attention.refreshStarted?.(twin.index, this.#w);
    item.onDemand = true;
    twin.pendingRefresh = item;
    this.#w.runtime.enqueue(item);
  }

  /**
   * A task more urgent than the refresh it waits for: an on-demand refresh is as urgent as the most urgent of
   * the tasks waiting for it (the earliest deadline and the highest priority among them, so no queue order
   * ranks it behind any of them). A refresh asked for by a task with a far deadline (an analytics job's read)
   * would otherwise keep its place in the queue while a read due in a second waits on it. A refresh still in
   * the queue is replaced by one with the new urgency (a queue keeps an item's rank while it waits); one already
   * bound runs as it is.
   */
  #hasten(twin: TwinRt, priority: number, deadline: number): void {
    const pending = twin.pendingRefresh;
    const u = pending && hastened({ priority, deadline }, pending);
    if (u === undefined) return;
    const removed = this.#w.runtime.queue.removeWhere((it) => it === pending);
    if (removed.length === 0) return; // taken out of the queue for the cycle now running: it keeps its rank
    const item = this.refreshItem(twin, u.priority, u.deadline);
    item.onDemand = true;
    twin.pendingRefresh = item;
    this.#w.runtime.enqueue(item);
  }

  /** A refresh of the twin, not yet bound; from now on the twin is refreshing. */
  refreshItem(twin: TwinRt, priority = 0, deadline = Number.POSITIVE_INFINITY): Item {
    const w = this.#w;
    const r = twin.def.refresh;
    twin.refreshing = true;
    return new Item(
      w.nextUid(),
      'refresh',
      r,
      twin.tenant,
      w.tenants[twin.tenant]!.id,
      priority,
      deadline,
      w.sim.now,
      w.sim.now,
      twin.refreshInputs,
      twin.index,
      -1,
      -1,
      twin.refreshId,
    );
  }

  /** A refresh is bound now: the sample is taken at this moment. */
  sampled(item: Item): void {
    const twin = this.#w.twins[item.twin];
    if (twin !== undefined && twin.pendingRefresh === item) twin.pendingRefresh = undefined;
    item.sampleTime = this.#w.sim.now;
    item.sampleValue = this.#assets.valueAt(item.twin, item.sampleTime);
  }

  /** A refresh was lost with its node: the twin stops refreshing and its waiters ask again. */
  refreshFailed(item: Item): void {
    const twin = this.#w.twins[item.twin]!;
    twin.refreshing = false;
    this.#accounts.refreshesFailed++;
    this.#w.profile.attention.refreshed?.(twin.index, false, this.#w);
    // Its waiters ask again, at no deadline: measured, a retry as urgent as its waiters made ARS stop a
    // proactive refresh on whichever slower node freed first, and the read missed all the same (container-port
    // seed 2: one miss in ten runs where there had been none; cascade at twice its load, one), while a retry
    // ranked last takes the next slot that frees, which a failure leaves free soon enough on these examples.
    if (twin.waiters?.length) this.requestRefresh(twin, 0, Number.POSITIVE_INFINITY);
  }

  /** A proactive refresh was stopped to make room for one a task waits for: the twin stops refreshing. */
  refreshStopped(item: Item): void {
    const twin = this.#w.twins[item.twin]!;
    twin.refreshing = false;
    this.#w.profile.attention.refreshed?.(twin.index, false, this.#w);
  }

  /** A refresh delivered its sample. */
  completeRefresh(item: Item): void {
    const w = this.#w;
    const twin = w.twins[item.twin]!;
    const now = w.sim.now;
    this.#accounts.age(twin);
    if (item.sampleTime >= twin.lastSample) {
      // suspicion: how unusual this change is against the typical change per sqrt-second seen so far
      const dt = Math.max(item.sampleTime - twin.lastSample, 1e-9);
      const change = Math.abs(item.sampleValue - twin.lastValue) / Math.sqrt(dt);
      twin.suspicion = twin.typicalChange > 0 ? change / twin.typicalChange : 0;
      twin.changes++;
      twin.typicalChange += (change - twin.typicalChange) / Math.min(twin.changes, 20);
      twin.prevSample = twin.lastSample;
      twin.prevValue = twin.lastValue;
      twin.lastSample = item.sampleTime;
      this.#lastSampleOf[twin.index] = item.sampleTime;
      twin.lastValue = item.sampleValue;
    }
    twin.refreshing = false;
    twin.refreshes++;
    if (item.onDemand) this.#accounts.refreshesOnDemand++;
    else this.#accounts.refreshesProactive++;
    if (twin.anomalies) {
      const left: number[] = [];
      for (const onset of twin.anomalies) {
        if (onset <= item.sampleTime) {
          if (onset >= w.warmup) {
            this.#accounts.detected++;
            this.#accounts.detectionDelay.add(now - onset);
          }
        } else left.push(onset);
      }
      twin.anomalies = left.length > 0 ? left : undefined;
    }
    w.profile.attention.refreshed?.(twin.index, true, w);
    this.#releaseWaiters(twin, item.sampleTime);
  }

  /**
   * Releases the tasks waiting for this twin that the sample just delivered serves: those whose age bound it
   * meets (a refresh already in flight when a task started waiting serves it too, if its sample is still young
   * enough on delivery), and those whose wait began no later than the sample was taken. The second keeps a
   * bound tighter than a refresh can meet from looping: the task goes on with the freshest sample possible.
   * The others keep waiting and ask for another refresh.
   */
  #releaseWaiters(twin: TwinRt, sampleTime: number): void {
    const waiters = twin.waiters;
    if (!waiters) return;
    let kept: Item[] | undefined;
    const now = this.#w.sim.now;
    for (const w of waiters) {
      if (sampleTime >= w.readyTime || now - sampleTime <= w.req!.w.tasks[w.task]!.twin!.maxAge) {
        w.readyTime = this.#w.sim.now;
        this.#enqueue(w);
      } else (kept ??= []).push(w);
    }
    twin.waiters = kept;
    if (kept) {
      const u = mostUrgent(kept);
      this.requestRefresh(twin, u.priority, u.deadline);
    }
  }

  /** What the twin believes the asset's state is now. */
  estimate(t: TwinRt, now: number): number {
    if (t.def.forecaster === 'linear' && Number.isFinite(t.prevSample) && t.lastSample > t.prevSample) {
      return (
        t.lastValue + ((t.lastValue - t.prevValue) / (t.lastSample - t.prevSample)) * (now - t.lastSample)
      );
    }
    return t.lastValue;
  }

  readonly #onAnomaly = (twin: TwinRt): void => {
    const w = this.#w;
    const a = twin.def.anomaly!;
    const now = w.sim.now;
    this.#assets.startAnomaly(twin.index, now, a.kind, a.magnitude);
    (twin.anomalies ??= []).push(now);
    if (now >= w.warmup) this.#accounts.anomalies++;
    w.sim.schedule(this.#rngAnomalies.exponential(a.rate), this.#onAnomaly, twin);
  };

  probeInterval(): number {
    return Math.max(this.#w.horizon / 200, 1e-6);
  }

  /** Tracking error is measured by probing a rotating subset of twins at fixed times (cost bounded per probe). */
  readonly onProbe = (): void => {
    const w = this.#w;
    const now = w.sim.now;
    const twins = w.twins;
    if (now >= w.warmup) {
      const k = Math.min(twins.length, PROBED_PER_EVENT);
      for (let j = 0; j < k; j++) {
        const t = twins[this.#probeCursor]!;
        this.#probeCursor = (this.#probeCursor + 1) % twins.length;
        const err = this.estimate(t, now) - this.#assets.valueAt(t.index, now);
        this.#accounts.trackingSquares += err * err;
        this.#accounts.trackingProbes++;
      }
    }
    if (now + this.probeInterval() < w.horizon) w.sim.schedule(this.probeInterval(), this.onProbe, null);
  };
}
