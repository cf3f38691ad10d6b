/**
 * Arrival processes, generated lazily: each call gives the next arrival time after the previous one,
 * so a run holds one pending arrival per workload, never the whole future.
 */
import type { RandomStream } from '../engine/random.js';
import type { WorkloadDef } from '../model/scenario.js';

export interface ArrivalProcess {
  /** the next arrival time, strictly after the previous one returned; Infinity when there are no more */
  next(): number;
  /** expected arrivals per second at time t (used by forecasts and by tests) */
  rateAt(t: number): number;
}

/**
 * `start` (a fork of the world): the process continued from that time on: memoryless ones restart there,
 * a periodic one resumes at its next period, a trace at its next time, a bursty one in its on state.
 */
export function arrivalProcess(w: WorkloadDef, rng: RandomStream, start = 0): ArrivalProcess {
  const a = w.arrival;
  switch (a.kind) {
    case 'poisson': {
      let t = start;
      return { next: () => (t += rng.exponential(a.rate)), rateAt: () => a.rate };
    }
    case 'periodic': {
      let k = start > 0 && start > a.offset ? Math.ceil((start - a.offset) / a.period) : 0;
      let last = Number.NEGATIVE_INFINITY;
      return {
        next: () => {
          const base = a.offset + k++ * a.period;
          // jitter never reorders arrivals: keep them increasing
          const t = Math.max(base + (a.jitter > 0 ? rng.uniform(0, a.jitter) : 0), last);
          last = t;
          return t;
        },
        rateAt: () => 1 / a.period,
      };
    }
    case 'bursty': {
      // a two-state Markov-modulated Poisson process; exponential sojourns make the restart at a switch exact
      let t = start;
      let on = true;
      let stateEnd = start + rng.exponential(1 / a.onMean);
      return {
        next: () => {
          for (;;) {
            const rate = on ? a.onRate : a.offRate;
            const d = rate > 0 ? rng.exponential(rate) : Number.POSITIVE_INFINITY;
            if (t + d < stateEnd) return (t += d);
            t = stateEnd;
            on = !on;
            stateEnd = t + rng.exponential(1 / (on ? a.onMean : a.offMean));
          }
        },
        rateAt: () => (a.onRate * a.onMean + a.offRate * a.offMean) / (a.onMean + a.offMean),
      };
    }
    case 'diurnal': {
      // non-homogeneous Poisson process by thinning (Lewis and Shedler) against the peak rate
      const rateAt = (x: number) =>
        a.meanRate * (1 + a.amplitude * Math.cos((2 * Math.PI * (x - a.peak)) / a.period));
      const peak = a.meanRate * (1 + a.amplitude);
      let t = start;
      return {
        next: () => {
          for (;;) {
            t += rng.exponential(peak);
            if (rng.next() * peak <= rateAt(t)) return t;
          }
        },
        rateAt,
      };
    }
    case 'trace': {
      const times = w.traceTimes ?? [];
      let k = 0;
      while (k < times.length && times[k]! < start) k++;
      const span = times.length > 1 ? times[times.length - 1]! - times[0]! : 0;
      return {
        next: () => (k < times.length ? times[k++]! : Number.POSITIVE_INFINITY),
        rateAt: () => (span > 0 ? times.length / span : 0),
      };
    }
  }
}
