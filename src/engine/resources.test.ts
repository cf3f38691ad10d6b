import { describe, expect, it } from 'vitest';
import { ArsError } from '../errors.js';
import { Container, Resource, Store } from './resources.js';
import { type SimEvent, Simulation } from './simulation.js';

type Gen = Generator<SimEvent<unknown>, void, unknown>;

describe('Resource', () => {
  it('serves `capacity` users at a time, FIFO', () => {
    const sim = new Simulation();
    const res = new Resource(sim, 2);
    const trace: [string, number][] = [];
    function* user(name: string, hold: number): Gen {
      const req = res.request();
      yield req;
      trace.push([`${name} in`, sim.now]);
      yield sim.timeout(hold);
      res.release(req);
      trace.push([`${name} out`, sim.now]);
    }
    sim.process(user('a', 4));
    sim.process(user('b', 2));
    sim.process(user('c', 3));
    sim.process(user('d', 1));
    sim.run(0);
    expect([res.inUse, res.queueLength]).toEqual([2, 2]);
    sim.run();
    expect(trace).toEqual([
      ['a in', 0],
      ['b in', 0],
      ['b out', 2],
      ['c in', 2],
      ['a out', 4],
      ['d in', 4],
      ['c out', 5], // both end at 5; c's timeout was scheduled first (at 2, d's at 4)
      ['d out', 5],
    ]);
    expect([res.inUse, res.queueLength]).toEqual([0, 0]);
  });

  it('grants lower priority numbers first, FIFO among equal priorities', () => {
    const sim = new Simulation();
    const res = new Resource(sim, 1);
    const order: string[] = [];
    const first = res.request();
    for (const [name, priority] of [
      ['low-1', 5],
      ['high-1', 1],
      ['low-2', 5],
      ['high-2', 1],
      ['mid', 3],
    ] as const) {
      const req = res.request(priority);
      req.onDone(() => {
        order.push(name);
        sim.schedule(1, () => res.release(req), null);
      });
    }
    sim.schedule(1, () => res.release(first), null);
    sim.run();
    expect(order).toEqual(['high-1', 'high-2', 'mid', 'low-1', 'low-2']);
  });

  it('releasing a waiting request withdraws it; releasing twice is an error', () => {
    const sim = new Simulation();
    const res = new Resource(sim, 1);
    const holder = res.request();
    const quitter = res.request();
    const patient = res.request();
    expect(res.queueLength).toBe(2);
    res.release(quitter);
    expect(res.queueLength).toBe(1);
    res.release(holder);
    sim.run();
    expect(quitter.triggered).toBe(false);
    expect(patient.processed).toBe(true);
    expect(res.inUse).toBe(1);
    expect(() => res.release(holder)).toThrow(ArsError);
    expect(() => new Resource(sim, 0)).toThrow(ArsError);
    expect(() => new Resource(new Simulation(), 1).release(patient)).toThrow(ArsError);
  });

  it('an interrupted waiter can withdraw its request', () => {
    const sim = new Simulation();
    const res = new Resource(sim, 1);
    const trace: [string, number][] = [];
    function* holder(): Gen {
      const req = res.request();
      yield req;
      yield sim.timeout(10);
      res.release(req);
    }
    function* impatient(): Gen {
      const req = res.request();
      try {
        yield req;
      } catch {
        res.release(req);
        trace.push(['gave up', sim.now]);
      }
    }
    sim.process(holder());
    const p = sim.process(impatient());
    sim.schedule(3, () => p.interrupt('timeout'), null);
    sim.run();
    expect(trace).toEqual([['gave up', 3]]);
    expect([res.inUse, res.queueLength]).toEqual([0, 0]);
  });
});

describe('Container', () => {
  it('gets wait for stock and puts wait for room', () => {
    const sim = new Simulation();
    const tank = new Container(sim, 10, 2);
    const trace: [string, number, number][] = [];
    function* consumer(): Gen {
      for (let i = 0; i < 2; i++) {
        yield tank.get(5);
        trace.push(['got 5', sim.now, tank.level]);
      }
    }
    function* producer(): Gen {
      for (let i = 0; i < 4; i++) {
        yield sim.timeout(1);
        yield tank.put(4);
        trace.push(['put 4', sim.now, tank.level]);
      }
    }
    sim.process(consumer());
    sim.process(producer());
    sim.run();
    expect(trace).toEqual([
      // The put that makes the get possible was triggered first, so its process resumes first.
      ['put 4', 1, 1],
      ['got 5', 1, 1],
      ['put 4', 2, 0],
      ['got 5', 2, 0],
      ['put 4', 3, 4],
      ['put 4', 4, 8],
    ]);
  });

  it('a full container makes puts wait; cancel withdraws a waiting put', () => {
    const sim = new Simulation();
    const box = new Container(sim, 5, 5);
    const put = box.put(2);
    const other = box.put(1);
    expect(box.cancel(other)).toBe(true);
    sim.run();
    expect(put.triggered).toBe(false);
    box.get(3);
    sim.run();
    expect(put.processed).toBe(true);
    expect(other.triggered).toBe(false);
    expect(box.level).toBe(4);
  });

  it('rejects amounts that could never be served', () => {
    const sim = new Simulation();
    const box = new Container(sim, 5);
    expect(() => box.get(6)).toThrow(ArsError);
    expect(() => box.put(0)).toThrow(ArsError);
    expect(() => new Container(sim, 5, 6)).toThrow(ArsError);
  });
});

describe('Store', () => {
  it('hands out items oldest first; puts wait while the store is full', () => {
    const sim = new Simulation();
    const store = new Store<string>(sim, 2);
    const trace: [string, number][] = [];
    function* producer(): Gen {
      for (const item of ['a', 'b', 'c']) {
        yield store.put(item);
        trace.push([`put ${item}`, sim.now]);
      }
    }
    function* consumer(): Gen {
      yield sim.timeout(5);
      for (let i = 0; i < 3; i++) trace.push([`got ${yield store.get()}`, sim.now]);
    }
    sim.process(producer());
    sim.process(consumer());
    sim.run(1);
    expect(store.items).toEqual(['a', 'b']);
    sim.run();
    expect(trace).toEqual([
      ['put a', 0],
      ['put b', 0],
      ['got a', 5],
      ['put c', 5],
      ['got b', 5],
      ['got c', 5],
    ]);
    expect(store.items).toEqual([]);
  });

  it('a get with a filter takes the first match and does not block other gets', () => {
    const sim = new Simulation();
    const store = new Store<number>(sim);
    const got: [string, unknown, number][] = [];
    const big = store.get((x) => x > 10);
    const any = store.get();
    big.onDone((e) => got.push(['big', e.value, sim.now]));
    any.onDone((e) => got.push(['any', e.value, sim.now]));
    sim.schedule(1, () => store.put(3), null);
    sim.schedule(2, () => store.put(4), null);
    sim.schedule(3, () => store.put(30), null);
    sim.run();
    expect(got).toEqual([
      ['any', 3, 1],
      ['big', 30, 3],
    ]);
    expect(store.items).toEqual([4]);
    const never = store.get((x) => x < 0);
    expect(store.cancel(never)).toBe(true);
    expect(store.cancel(never)).toBe(false);
  });
});
