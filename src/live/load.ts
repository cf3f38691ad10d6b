/**
 * Load for demos and tests: the scenario's workloads submitted to a live server at their arrival processes
 * (src/world/arrivals.ts, the simulator's own), on the wall clock.
 */
import { RandomStreams } from '../engine/random.js';
import type { Scenario } from '../model/scenario.js';
import { arrivalProcess } from '../world/arrivals.js';

export interface LoadOptions {
  readonly server: string;
  readonly seed?: number;
  /** arrival rates × this (default 1) */
  readonly factor?: number;
  /** stop after this many seconds (default: run until stopped) */
  readonly duration?: number;
  readonly onError?: (err: Error) => void;
  /** told of every accepted submission */
  readonly onSubmitted?: (id: string, workload: string) => void;
}

export interface LoadGenerator {
  readonly submitted: number;
  readonly errors: number;
  /** resolves when the duration has passed (never without one) */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export function generateLoad(scenario: Scenario, options: LoadOptions): LoadGenerator {
  const url = new URL('/api/v1/requests', options.server).toString();
  const factor = options.factor ?? 1;
  const streams = new RandomStreams(options.seed ?? scenario.seed);
  const rng = streams.stream('arrivals');
  const start = Date.now();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const inflight = new Set<Promise<void>>();
  let submitted = 0;
  let errors = 0;
  let stopped = false;
  const submit = (workload: string) => {
    const p = (async () => {
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ workload }),
        });
        const body = (await res.json()) as { id?: string };
        if (res.status !== 202) throw new Error(`submit ${workload}: ${res.status} ${JSON.stringify(body)}`);
        submitted++;
        options.onSubmitted?.(body.id!, workload);
      } catch (err) {
        errors++;
        options.onError?.(err as Error);
      }
    })();
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => {
    resolveDone = r;
  });
  const end = options.duration ?? Number.POSITIVE_INFINITY;
  for (const w of scenario.workloads) {
    const process = arrivalProcess(w, rng.split(w.id));
    const schedule = () => {
      if (stopped) return;
      const t = process.next() / factor;
      if (!(t < end)) return;
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          submit(w.id);
          schedule();
        },
        Math.max(0, start + t * 1000 - Date.now()),
      );
      timers.add(timer);
    };
    schedule();
  }
  if (Number.isFinite(end)) setTimeout(resolveDone, end * 1000).unref();
  return {
    get submitted() {
      return submitted;
    },
    get errors() {
      return errors;
    },
    done,
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      await Promise.all([...inflight]);
      resolveDone();
    },
  };
}
