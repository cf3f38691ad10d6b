import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { ArsError } from '../errors.js';
import { RealtimeRunner, runRealtime } from './clock.js';
import { Simulation } from './simulation.js';

// Fast pacing keeps these tests short: at 1000x, 1 simulated second is 1 ms of wall time.
const SPEED = 1000;

describe('realtime pacing', () => {
  it('processes every event in order and never before its wall time', async () => {
    const sim = new Simulation();
    const wallStart = performance.now();
    const seen: { t: number; wallMs: number }[] = [];
    for (const t of [5, 10, 10, 20, 40])
      sim.scheduleAt(t, (x: number) => seen.push({ t: x, wallMs: performance.now() }), t);
    await runRealtime(sim, { until: 50, speed: SPEED });
    expect(seen.map((s) => s.t)).toEqual([5, 10, 10, 20, 40]);
    for (const s of seen) expect(s.wallMs - wallStart).toBeGreaterThanOrEqual(s.t - 1); // 1 ms timer slack
    expect(sim.now).toBe(50);
    expect(performance.now() - wallStart).toBeGreaterThanOrEqual(49);
  });

  it('lets outside code schedule events while it waits', async () => {
    const sim = new Simulation();
    const runner = new RealtimeRunner(sim, { speed: SPEED });
    const ran: number[] = [];
    const done = runner.run();
    // scheduled from a timer while the run waits on an empty queue; the clock is brought to the present first,
    // so the event runs 5 simulated seconds after that instant, however late the timer fired
    let at = Number.NaN;
    setTimeout(() => {
      runner.schedule(
        5,
        () => {
          ran.push(sim.now);
          // stopped from outside, as a server would, once the run sleeps again
          setImmediate(() => runner.stop());
        },
        null,
      );
      at = sim.now;
    }, 15);
    await done;
    expect(at).toBeGreaterThan(0);
    expect(ran).toEqual([at + 5]);
    // the stop ends the run at the present simulated time, past the event
    expect(sim.now).toBeGreaterThanOrEqual(at + 5);
  });

  it('an abort signal ends the run at the present simulated time', async () => {
    const sim = new Simulation();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 10);
    await runRealtime(sim, { speed: SPEED, signal: controller.signal });
    expect(sim.now).toBe(0); // nothing happened, so the clock did not move
    sim.schedule(1e9, () => {}, null);
    const c2 = new AbortController();
    setTimeout(() => c2.abort(), 10);
    await runRealtime(sim, { speed: SPEED, signal: c2.signal, until: 1e9 });
    expect(sim.now).toBe(0);
    expect(sim.peek()).toBe(1e9);
  });

  it('runs on an injected wall clock, catching up in batches when behind', async () => {
    const sim = new Simulation();
    let wallMs = 0;
    const order: number[] = [];
    for (let t = 1; t <= 5; t++) sim.scheduleAt(t, (x: number) => order.push(x), t);
    const runner = new RealtimeRunner(sim, { until: 5, speed: 1, wallClockMs: () => wallMs });
    const done = runner.run();
    wallMs = 2500; // 2.5 simulated seconds have passed
    runner.wake();
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([1, 2]);
    expect(sim.now).toBe(2.5);
    wallMs = 10_000;
    runner.wake();
    await done;
    expect(order).toEqual([1, 2, 3, 4, 5]);
    expect(sim.now).toBe(5);
  });

  it('stop() from inside an event ends the run after that event, even with nothing left to wait for', async () => {
    const sim = new Simulation();
    // no until and, after the event, an empty queue: the run would otherwise sleep until woken from outside
    const lone = new RealtimeRunner(sim, { speed: SPEED });
    sim.schedule(1, () => lone.stop(), null);
    await lone.run();
    expect(sim.now).toBe(1);
    expect(sim.peek()).toBe(Number.POSITIVE_INFINITY);

    // in a catch-up batch, the events due after the stopping one stay queued
    let wallMs = 0;
    const order: number[] = [];
    const runner = new RealtimeRunner(sim, { until: 10, speed: 1, wallClockMs: () => wallMs });
    for (const t of [2, 3, 4])
      sim.scheduleAt(
        t,
        (x: number) => {
          order.push(x);
          if (x === 3) runner.stop();
        },
        t,
      );
    const done = runner.run();
    wallMs = 10_000; // all three are due at once
    runner.wake();
    await done;
    expect(order).toEqual([2, 3]);
    expect(sim.now).toBe(3);
    expect(sim.peek()).toBe(4);
  });

  it('rejects bad options', () => {
    const sim = new Simulation({ start: 10 });
    expect(() => new RealtimeRunner(sim, { speed: 0 })).toThrow(ArsError);
    expect(() => new RealtimeRunner(sim, { until: 5 })).toThrow(ArsError);
  });
});
