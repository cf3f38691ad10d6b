import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArsError } from '../errors.js';
import { Interrupt, type SimEvent, Simulation } from './simulation.js';

type Gen<R = void> = Generator<SimEvent<unknown>, R, unknown>;

function engineError(fn: () => unknown): ArsError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ArsError);
    expect((err as ArsError).code).toBe('ARS_E_ENGINE');
    return err as ArsError;
  }
  throw new Error('expected an ArsError');
}

describe('callback path', () => {
  it('runs events by time, and equal times in scheduling order', () => {
    const sim = new Simulation();
    const trace: [string, number][] = [];
    const log = (name: string) => trace.push([name, sim.now]);
    sim.schedule(2, log, 'b');
    sim.schedule(1, log, 'a');
    sim.schedule(2, log, 'c');
    sim.scheduleAt(2, log, 'd');
    sim.schedule(0, log, 'zero');
    sim.schedule(1, () => sim.schedule(1, log, 'e'), null); // scheduled later, so after b, c, d
    sim.run();
    expect(trace).toEqual([
      ['zero', 0],
      ['a', 1],
      ['b', 2],
      ['c', 2],
      ['d', 2],
      ['e', 2],
    ]);
    expect(sim.eventsProcessed).toBe(7);
  });

  it('orders any mix of times like a stable sort, with cancellations removed (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 300 }),
        (entries) => {
          const sim = new Simulation();
          const seen: number[] = [];
          const ids = entries.map(([t], i) => sim.schedule(t, (k: number) => seen.push(k), i));
          entries.forEach(([, cancel], i) => {
            if (cancel) expect(sim.cancel(ids[i]!)).toBe(true);
          });
          sim.run();
          const expected = entries
            .map(([t, cancel], i) => ({ t, cancel, i }))
            .filter((e) => !e.cancel)
            .sort((a, b) => a.t - b.t || a.i - b.i)
            .map((e) => e.i);
          expect(seen).toEqual(expected);
          expect(sim.eventsProcessed).toBe(expected.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps order when events are added while running (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (delays) => {
          const sim = new Simulation();
          const times: number[] = [];
          let k = 0;
          const tick = () => {
            times.push(sim.now);
            if (k < delays.length) sim.schedule(delays[k++]!, tick, null);
            if (k < delays.length) sim.schedule(delays[k++]!, tick, null);
          };
          sim.schedule(0, tick, null);
          sim.run();
          for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('soon runs its event exactly where schedule(0) would, held or queued, run or stepped (property)', () => {
    fc.assert(
      fc.property(
        // per event, what it schedules: −1 a `soon`, d ≥ 0 an event d later
        fc.array(fc.array(fc.integer({ min: -1, max: 2 }), { maxLength: 3 }), {
          minLength: 1,
          maxLength: 40,
        }),
        (plans) => {
          const play = (useSoon: boolean, stepwise: boolean) => {
            const sim = new Simulation();
            const seen: string[] = [];
            let next = 1;
            const act = (id: number): void => {
              seen.push(`${id}@${sim.now}`);
              for (const d of plans[id % plans.length]!) {
                if (next >= 150) return;
                const child = next++;
                if (d >= 0) sim.schedule(d, act, child);
                else if (useSoon) sim.soon(() => act(child));
                else sim.schedule(0, act, child);
              }
            };
            sim.schedule(0, act, 0);
            if (stepwise) while (sim.step()) seen.push(`next ${sim.peek()}`);
            else sim.run();
            return { seen, events: sim.eventsProcessed, now: sim.now };
          };
          expect(play(true, false)).toEqual(play(false, false));
          expect(play(true, true)).toEqual(play(false, true));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a held soon event survives stop() and runs first at the next run()', () => {
    const sim = new Simulation();
    const seen: string[] = [];
    sim.schedule(
      1,
      () => {
        sim.soon(() => seen.push(`soon@${sim.now}`));
        sim.schedule(0, () => seen.push(`after@${sim.now}`), null);
        sim.stop();
      },
      null,
    );
    sim.schedule(2, () => seen.push(`later@${sim.now}`), null);
    sim.run();
    expect(seen).toEqual([]);
    expect(sim.now).toBe(1);
    expect(sim.peek()).toBe(1);
    sim.run();
    expect(seen).toEqual(['soon@1', 'after@1', 'later@2']);
    expect(sim.eventsProcessed).toBe(4);
  });

  it('cancel is true once for a pending event, false for run, cancelled or unknown ids', () => {
    const sim = new Simulation();
    const ran: string[] = [];
    const a = sim.schedule(1, (x: string) => ran.push(x), 'a');
    const b = sim.schedule(2, (x: string) => ran.push(x), 'b');
    expect(sim.cancel(a)).toBe(true);
    expect(sim.cancel(a)).toBe(false);
    expect(sim.peek()).toBe(2); // the cancelled event does not show
    sim.run();
    expect(ran).toEqual(['b']);
    expect(sim.cancel(b)).toBe(false);
    // a's slot is reused by c; a's old id must not cancel c.
    const c = sim.schedule(1, (x: string) => ran.push(x), 'c');
    expect(c).not.toBe(a);
    expect(sim.cancel(a)).toBe(false);
    expect(sim.cancel(-1)).toBe(false);
    expect(sim.cancel(1.5)).toBe(false);
    expect(sim.cancel(1e12)).toBe(false);
    sim.run();
    expect(ran).toEqual(['b', 'c']);
  });

  it('rejects negative and NaN delays and times in the past, with the bad value', () => {
    const sim = new Simulation({ start: 10 });
    expect(engineError(() => sim.schedule(-1, () => {}, null)).message).toBe('Negative delay -1');
    expect(engineError(() => sim.schedule(Number.NaN, () => {}, null)).message).toBe('Negative delay NaN');
    expect(engineError(() => sim.timeout(-0.5)).message).toBe('Negative delay -0.5');
    expect(engineError(() => sim.scheduleAt(9, () => {}, null)).message).toContain('9');
    expect(engineError(() => sim.run(5)).message).toContain('5');
    engineError(() => new Simulation({ start: Number.NaN }));
  });
});

describe('running', () => {
  it('run(until) processes events at times <= until, then sets now = until', () => {
    const sim = new Simulation();
    const ran: number[] = [];
    for (const t of [1, 5, 5.0000001, 9]) sim.scheduleAt(t, (x: number) => ran.push(x), t);
    sim.run(5);
    expect(ran).toEqual([1, 5]);
    expect(sim.now).toBe(5);
    expect(sim.peek()).toBe(5.0000001);
    sim.run(7);
    expect(sim.now).toBe(7);
    sim.run();
    expect(ran).toEqual([1, 5, 5.0000001, 9]);
    expect(sim.now).toBe(9);
    expect(sim.peek()).toBe(Number.POSITIVE_INFINITY);
  });

  it('step processes one event at a time and reports an empty queue', () => {
    const sim = new Simulation({ start: 3 });
    expect(sim.now).toBe(3);
    sim.schedule(2, () => {}, null);
    sim.schedule(4, () => {}, null);
    expect(sim.step()).toBe(true);
    expect(sim.now).toBe(5);
    expect(sim.step()).toBe(true);
    expect(sim.now).toBe(7);
    expect(sim.step()).toBe(false);
  });

  it('stop() makes run return after the current event, leaving now there', () => {
    const sim = new Simulation();
    const ran: number[] = [];
    for (let t = 1; t <= 5; t++)
      sim.scheduleAt(
        t,
        (x: number) => {
          ran.push(x);
          if (x === 3) sim.stop();
        },
        t,
      );
    sim.run(100);
    expect(ran).toEqual([1, 2, 3]);
    expect(sim.now).toBe(3);
    sim.run(100);
    expect(ran).toEqual([1, 2, 3, 4, 5]);
    expect(sim.now).toBe(100);
  });

  it('refuses run() from inside an event', () => {
    const sim = new Simulation();
    let error: unknown;
    sim.schedule(
      1,
      () => {
        try {
          sim.run();
        } catch (err) {
          error = err;
        }
      },
      null,
    );
    sim.run();
    expect(error).toBeInstanceOf(ArsError);
  });

  it('an exception in an event leaves the simulation usable', () => {
    const sim = new Simulation();
    sim.schedule(
      1,
      () => {
        throw new Error('boom');
      },
      null,
    );
    sim.schedule(2, () => {}, null);
    expect(() => sim.run()).toThrow('boom');
    expect(sim.now).toBe(1);
    sim.run();
    expect(sim.now).toBe(2);
  });

  it('grows past its initial capacity', () => {
    const sim = new Simulation();
    let count = 0;
    for (let i = 0; i < 10_000; i++) sim.schedule(10_000 - i, () => count++, null);
    sim.run();
    expect(count).toBe(10_000);
    expect(sim.now).toBe(10_000);
  });
});

describe('process path', () => {
  it('interleaves processes by time (SimPy-style trace)', () => {
    const sim = new Simulation();
    const trace: [string, number][] = [];
    function* car(name: string, park: number, drive: number): Gen {
      for (let i = 0; i < 2; i++) {
        trace.push([`${name} parks`, sim.now]);
        yield sim.timeout(park);
        trace.push([`${name} drives`, sim.now]);
        yield sim.timeout(drive);
      }
    }
    sim.process(car('a', 5, 2));
    sim.process(car('b', 3, 3));
    sim.run();
    expect(trace).toEqual([
      ['a parks', 0],
      ['b parks', 0],
      ['b drives', 3],
      ['a drives', 5],
      ['b parks', 6],
      ['a parks', 7],
      ['b drives', 9],
      ['a drives', 12],
    ]);
  });

  it('resumes a process with the event value and returns its result to waiters', () => {
    const sim = new Simulation();
    function* child(): Gen<number> {
      const v = yield sim.timeout(2, 21);
      return (v as number) * 2;
    }
    const results: [unknown, number][] = [];
    function* parent(): Gen {
      const p = sim.process(child());
      const v = yield p;
      results.push([v, sim.now]);
      // Waiting again on a finished process continues at once with its value.
      const again = yield p;
      results.push([again, sim.now]);
    }
    const parentProcess = sim.process(parent());
    sim.run();
    expect(results).toEqual([
      [42, 2],
      [42, 2],
    ]);
    expect(parentProcess.isAlive).toBe(false);
    expect(parentProcess.ok).toBe(true);
  });

  it('events succeed with a value, fail into waiting processes, and trigger only once', () => {
    const sim = new Simulation();
    const signal = sim.event<string>();
    const broken = sim.event<string>();
    const trace: unknown[] = [];
    function* waiter(): Gen {
      trace.push(yield signal, sim.now);
      try {
        yield broken;
      } catch (err) {
        trace.push((err as Error).message, sim.now);
      }
    }
    sim.process(waiter());
    sim.schedule(4, () => signal.succeed('go'), null);
    sim.schedule(6, () => broken.fail(new Error('broken')), null);
    expect(engineError(() => signal.value).message).toContain('not yet available');
    sim.run();
    expect(trace).toEqual(['go', 4, 'broken', 6]);
    expect(signal.value).toBe('go');
    expect(signal.processed).toBe(true);
    expect(engineError(() => signal.succeed('again')).message).toContain('already triggered');
    engineError(() => broken.fail(new Error('again')));
  });

  it('a failure nobody waits for is thrown out of run(), unless defused', () => {
    const sim = new Simulation();
    sim.event().fail(new Error('lost'));
    expect(() => sim.run()).toThrow('lost');
    sim.event().fail(new Error('handled')).defuse();
    expect(() => sim.run()).not.toThrow();
    function* crashes(): Gen {
      yield sim.timeout(1);
      throw new Error('crash in process');
    }
    sim.process(crashes());
    expect(() => sim.run()).toThrow('crash in process');
  });

  it('a process that waits on a crashing process receives the error', () => {
    const sim = new Simulation();
    function* crashes(): Gen {
      yield sim.timeout(1);
      throw new Error('crash');
    }
    let caught = '';
    function* watcher(): Gen {
      try {
        yield sim.process(crashes());
      } catch (err) {
        caught = `${(err as Error).message} at ${sim.now}`;
      }
    }
    sim.process(watcher());
    sim.run();
    expect(caught).toBe('crash at 1');
  });

  it('interrupt throws Interrupt with its cause at the current time; the old wait is dropped', () => {
    const sim = new Simulation();
    const trace: [string, number][] = [];
    function* worker(): Gen<string> {
      try {
        yield sim.timeout(10);
        trace.push(['finished', sim.now]);
      } catch (err) {
        expect(err).toBeInstanceOf(Interrupt);
        trace.push([`interrupted: ${(err as Interrupt).cause}`, sim.now]);
      }
      yield sim.timeout(20);
      trace.push(['done', sim.now]);
      return 'ok';
    }
    const w = sim.process(worker());
    sim.schedule(3, () => w.interrupt('failure'), null);
    sim.run();
    expect(trace).toEqual([
      ['interrupted: failure', 3],
      ['done', 23],
    ]);
    expect(w.value).toBe('ok');
    expect(engineError(() => w.interrupt()).message).toContain('finished');
  });

  it('a process cannot interrupt itself; an uncaught Interrupt fails the process', () => {
    const sim = new Simulation();
    let self: ReturnType<typeof sim.process> | undefined;
    let error: unknown;
    function* selfish(): Gen {
      try {
        self?.interrupt();
      } catch (err) {
        error = err;
      }
      yield sim.timeout(5);
    }
    self = sim.process(selfish());
    sim.run();
    expect(error).toBeInstanceOf(ArsError);

    function* sleeper(): Gen {
      yield sim.timeout(100);
    }
    const s = sim.process(sleeper());
    sim.schedule(1, () => s.interrupt('stop'), null);
    expect(() => sim.run()).toThrow(Interrupt);
  });

  it('yielding something that is not an event throws into the process', () => {
    const sim = new Simulation();
    let message = '';
    function* bad(): Gen {
      try {
        yield 42 as unknown as SimEvent<unknown>;
      } catch (err) {
        message = (err as ArsError).code;
      }
    }
    sim.process(bad());
    sim.run();
    expect(message).toBe('ARS_E_ENGINE');
    engineError(() => sim.process({} as unknown as Gen));
  });

  it('allOf waits for every event and gives values in input order', () => {
    const sim = new Simulation();
    let got: unknown;
    function* p(): Gen {
      got = [yield sim.allOf([sim.timeout(3, 'slow'), sim.timeout(1, 'fast')]), sim.now];
    }
    sim.process(p());
    sim.run();
    expect(got).toEqual([['slow', 'fast'], 3]);
  });

  it('anyOf gives the first event to happen, with its index', () => {
    const sim = new Simulation();
    let got: unknown;
    function* p(): Gen {
      got = [yield sim.anyOf([sim.timeout(3, 'slow'), sim.timeout(1, 'fast')]), sim.now];
    }
    sim.process(p());
    sim.run();
    expect(got).toEqual([{ index: 1, value: 'fast' }, 1]);
    engineError(() => sim.anyOf([]));
  });

  it('allOf of nothing succeeds at once; allOf fails with the first failure', () => {
    const sim = new Simulation();
    const trace: unknown[] = [];
    function* p(): Gen {
      trace.push(yield sim.allOf([]), sim.now);
      const failing = sim.event();
      sim.schedule(2, () => failing.fail(new Error('part failed')), null);
      try {
        yield sim.allOf([sim.timeout(5), failing]);
      } catch (err) {
        trace.push((err as Error).message, sim.now);
      }
    }
    sim.process(p());
    sim.run();
    expect(trace).toEqual([[], 0, 'part failed', 2]);
  });

  it('onDone runs callbacks when the event is processed, or at once if it already was', () => {
    const sim = new Simulation();
    const t = sim.timeout(2, 'x');
    const seen: [unknown, number][] = [];
    t.onDone((e) => seen.push([e.value, sim.now]));
    t.onDone((e) => seen.push([`${e.value}2`, sim.now]));
    sim.run();
    t.onDone((e) => seen.push([`${e.value}3`, sim.now]));
    expect(seen).toEqual([
      ['x', 2],
      ['x2', 2],
      ['x3', 2],
    ]);
  });

  it('callbacks and processes share one deterministic order', () => {
    const run = () => {
      const sim = new Simulation();
      const trace: string[] = [];
      function* p(name: string): Gen {
        for (let i = 0; i < 3; i++) {
          yield sim.timeout(1);
          trace.push(`${name}@${sim.now}`);
        }
      }
      sim.process(p('p1'));
      sim.schedule(1, () => trace.push('cb@1'), null);
      sim.process(p('p2'));
      sim.schedule(2, () => trace.push('cb@2'), null);
      sim.run();
      return trace;
    };
    const trace = run();
    expect(trace).toEqual(run());
    // Processes start with a zero-delay event, so their first timeouts come after the callback at 1.
    expect(trace.slice(0, 3)).toEqual(['cb@1', 'p1@1', 'p2@1']);
  });
});
