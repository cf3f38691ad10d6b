/**
 * Pacing the kernel to the wall clock, for live mode. The simulation is the same; only the loop that
 * drives it differs: before each event it sleeps until the wall clock has caught up with simulated
 * time / speed. While it sleeps, outside code (an HTTP handler, an MQTT message) can schedule events
 * through the runner, which first brings the simulation up to the present and then wakes the loop.
 *
 * Units: simulated time in seconds, wall time in milliseconds.
 */
import { performance } from 'node:perf_hooks';
import { ArsError } from '../errors.js';
import type { Simulation } from './simulation.js';

export interface RealtimeOptions {
  /** Simulated time at which `run()` resolves; by default it runs until stopped or aborted. */
  until?: number;
  /** Simulated seconds per wall second; 1 by default, 1000 makes an hour pass in 3.6 s. */
  speed?: number;
  /** Aborting resolves `run()` at the current simulated time. */
  signal?: AbortSignal;
  /** Wall clock in milliseconds; `performance.now` by default. */
  wallClockMs?: () => number;
}

export class RealtimeRunner {
  readonly sim: Simulation;
  readonly until: number;
  readonly speed: number;
  private readonly signal: AbortSignal | undefined;
  private readonly wallClockMs: () => number;
  private running = false;
  private stopped = false;
  private wallStartMs = 0;
  private simStart = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private wakeUp: (() => void) | undefined;

  constructor(sim: Simulation, options: RealtimeOptions = {}) {
    const until = options.until ?? Number.POSITIVE_INFINITY;
    const speed = options.speed ?? 1;
    if (!(until >= sim.now))
      throw new ArsError('ARS_E_ENGINE', `until must be >= now (${sim.now}), got ${until}`);
    if (!(speed > 0 && speed < Number.POSITIVE_INFINITY))
      throw new ArsError('ARS_E_ENGINE', `speed must be a positive finite number, got ${speed}`);
    this.sim = sim;
    this.until = until;
    this.speed = speed;
    this.signal = options.signal;
    this.wallClockMs = options.wallClockMs ?? (() => performance.now());
  }

  /** The simulated time the wall clock corresponds to now (capped at `until`, never before `sim.now`). */
  get simulatedNow(): number {
    if (!this.running) return this.sim.now;
    const t = this.simStart + ((this.wallClockMs() - this.wallStartMs) * this.speed) / 1000;
    return Math.max(this.sim.now, Math.min(t, this.until));
  }

  /**
   * Runs paced to the wall clock until `until`, `stop()` or the abort signal. With no `until` and an
   * empty queue it waits for `schedule()` without holding a timer: something else (a server) must
   * keep the Node process alive.
   */
  async run(): Promise<void> {
    if (this.running) throw new ArsError('ARS_E_ENGINE', 'RealtimeRunner is already running');
    const sim = this.sim;
    const onAbort = () => this.wake();
    this.signal?.addEventListener('abort', onAbort);
    this.running = true;
    this.stopped = false;
    this.wallStartMs = this.wallClockMs();
    this.simStart = sim.now;
    try {
      while (!this.stopped && !this.signal?.aborted) {
        const due = this.simulatedNow;
        // Everything up to the present happens now (a batch, if we fell behind).
        if (sim.peek() <= due || due === this.until) sim.run(due);
        // stop() or an abort from inside an event of that batch ends the run here, not at the next wake
        if (this.stopped || this.signal?.aborted || sim.now >= this.until) break;
        const next = Math.min(sim.peek(), this.until);
        const waitMs =
          next === Number.POSITIVE_INFINITY
            ? Number.POSITIVE_INFINITY
            : this.wallStartMs + ((next - this.simStart) * 1000) / this.speed - this.wallClockMs();
        await this.sleep(Math.max(0, waitMs));
      }
    } finally {
      this.running = false;
      this.signal?.removeEventListener('abort', onAbort);
      this.cancelSleep();
    }
  }

  /**
   * Schedules `fn(payload)` `delay` simulated seconds from the present, from outside the simulation
   * (not from inside an event: there, use `sim.schedule`). Events due by now run first.
   */
  schedule<T>(delay: number, fn: (payload: T) => void, payload: T): number {
    if (this.running) {
      const t = this.simulatedNow;
      if (t > this.sim.now) this.sim.run(t);
    }
    const id = this.sim.schedule(delay, fn, payload);
    this.wake();
    return id;
  }

  /**
   * Makes `run()` resolve at the present simulated time. Called from inside an event, it ends the
   * batch after that event: events due later in the same batch stay queued.
   */
  stop(): void {
    this.stopped = true;
    if (this.running) this.sim.stop();
    this.wake();
  }

  /** Cuts the current sleep short so the loop looks at the queue again. */
  wake(): void {
    const resolve = this.wakeUp;
    this.cancelSleep();
    resolve?.();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      // Even a zero wait yields to I/O, so outside code can get in between batches.
      this.timer =
        ms === Number.POSITIVE_INFINITY ? undefined : setTimeout(resolve, Math.min(ms, 2 ** 31 - 1));
    });
  }

  private cancelSleep(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeUp = undefined;
  }
}

/** Runs `sim` paced to the wall clock; see RealtimeRunner. */
export function runRealtime(sim: Simulation, options: RealtimeOptions = {}): Promise<void> {
  return new RealtimeRunner(sim, options).run();
}
