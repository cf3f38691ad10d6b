import { describe, expect, it } from 'vitest';
import { EventBus } from '../server/events.js';
import { openSqliteStore } from '../store/index.js';
import { ATTEMPTS_PER_BOOT, nextRequestNumber, persistTo, resumeRequests, sampleValue } from './persist.js';
import { LiveRuntime } from './runtime.js';

describe('nextRequestNumber', () => {
  it('finds the end of the stored request ids r-0 … r-(n−1) for every n up to 40', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      for (let n = 0; n <= 40; n++) {
        expect(await nextRequestNumber(store)).toBe(n);
        await store.createRequest(
          { id: `r-${n}`, tenant: 't', priority: 0, state: 'done', submittedAt: n, spec: {} },
          [],
        );
      }
    } finally {
      await store.close();
    }
  });
});

describe('sampleValue', () => {
  it('gives the number of feature value/value, else every numeric property', () => {
    expect(sampleValue({ value: { value: 3 } })).toBe(3);
    expect(sampleValue({ value: { a: 1, b: 'x' }, temp: { c: 2 } })).toEqual({ a: 1, 'temp.c': 2 });
  });
});

describe('restart state', () => {
  it('carries the arrival-rate forecasters over a restart and gives each run its own attempt ids', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    let ms = 1_000_000;
    const clockMs = () => ms;
    const events = new EventBus();
    try {
      const first = new LiveRuntime({ clockMs });
      const p1 = persistTo(store, first, events, (e) => {
        throw e;
      });
      await resumeRequests(store, first, p1);
      for (let t = 0; t < 400; t++) first.arrivalRates.record('q', t * 0.5);
      ms += 200_000;
      first.arrivalRates.advanceTo(200);
      const before = first.arrivalRates.predictRate('q');
      expect(before).toBeGreaterThan(0);
      await p1.close();
      first.stop();

      await store.appendDecisions(
        [1, 2, 3].map((i) => ({
          time: ms - 1000 * i,
          kind: 'place',
          subject: `r-${i}/a`,
          detail: { kind: 'place', subject: `r-${i}/a`, time: 0 },
        })),
      );
      ms += 30_000; // down for 30 s
      const second = new LiveRuntime({ clockMs });
      const p2 = persistTo(store, second, events, () => {});
      await resumeRequests(store, second, p2);
      expect(second.arrivalRates.keys()).toEqual(['q']);
      expect(second.arrivalRates.get('q')!.windowsClosed).toBeGreaterThan(10);
      expect(await store.getState('boot')).toBe(2);
      // the stored trace is back in memory, on the new clock (before its start)
      expect(second.decisionsAbout(undefined).map((d) => [d.subject, d.time])).toEqual([
        ['r-1/a', -31],
        ['r-2/a', -32],
        ['r-3/a', -33],
      ]);
      // the request ids and attempt ids of the new run do not meet the old run's
      const seen: number[] = [];
      second.connectAgent(
        {
          type: 'register',
          protocol: 1,
          id: 'n',
          kind: 'edge',
          compute: 1,
          attention: 0,
          speed: { default: 1, kinds: {} },
          labels: {},
          handlers: [],
          costPerSecond: 0,
        },
        (m) => {
          if (m.type === 'assign') seen.push(m.attempt);
        },
      );
      second.submit({
        workload: 'ad-hoc',
        tenant: 'default',
        priority: 0,
        deadline: undefined,
        tasks: [task()],
      });
      second.cycle();
      expect(seen[0]).toBe(2 * ATTEMPTS_PER_BOOT);
      await p2.close();
      second.stop();
    } finally {
      await store.close();
    }
  });
});

describe('resumed decision trace', () => {
  it('puts every stored decision back, in order, for stores of any length', async () => {
    const store = openSqliteStore({ path: ':memory:' });
    try {
      let stored = 0;
      for (const n of [1, 2, 5, 33, 70]) {
        await store.appendDecisions(
          Array.from({ length: n - stored }, (_, i) => ({
            time: 1000,
            kind: 'place',
            subject: `s-${stored + i}`,
            detail: { subject: `s-${stored + i}` },
          })),
        );
        stored = n;
        const rt = new LiveRuntime({});
        const persister = persistTo(store, rt, new EventBus(), () => {});
        await resumeRequests(store, rt, persister);
        expect(rt.decisionLog.map((d) => d.subject)).toEqual(Array.from({ length: n }, (_, i) => `s-${i}`));
        await persister.close();
        rt.stop();
      }
    } finally {
      await store.close();
    }
  });
});

function task() {
  return {
    id: 'a',
    kind: 'work',
    handler: 'work',
    work: 1,
    compute: 1,
    attention: 0,
    tier: undefined,
    twins: [],
    maxAge: undefined,
    after: [],
  };
}
