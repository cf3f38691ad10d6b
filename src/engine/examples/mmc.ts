/**
 * The M/M/c queue, the kernel's reference model: Poisson arrivals (rate λ), c servers with
 * exponential service (rate μ), one FIFO queue. It is built twice, once on each path of the kernel,
 * so that the queueing-theory test validates both, and the benchmark measures both.
 *
 * Measurement: the first `warmup` customers (in order of service start, which under FIFO is arrival
 * order) are discarded; the next `customers` are split into `batches` equal batches. Per batch we
 * report the fraction that waited, their mean wait, and the time-average queue length over the
 * batch's time span (from the previous batch's last service start to its own).
 */
import { ArsError } from '../../errors.js';
import { RandomStreams } from '../random.js';
import { Resource } from '../resources.js';
import { type SimEvent, Simulation } from '../simulation.js';

export interface MmcParams {
  servers: number;
  arrivalRate: number;
  serviceRate: number;
  seed: number;
  /** Customers measured after the warm-up. */
  customers: number;
  /** Customers discarded first. */
  warmup: number;
  /** Number of batches the measured customers are split into (batch means). */
  batches: number;
}

export interface MmcBatch {
  customers: number;
  /** Fraction of the batch's customers that waited at all. */
  pWait: number;
  /** Mean wait in queue. */
  wq: number;
  /** Time-average number waiting over the batch's time span. */
  lq: number;
  /** Simulated time the batch spans. */
  duration: number;
}

export interface MmcResult {
  batches: MmcBatch[];
  /** Customers whose service started (warm-up included). */
  served: number;
  eventsProcessed: number;
  endTime: number;
}

/** Exact steady-state M/M/c figures (Erlang C). */
export interface ErlangC {
  utilization: number;
  pWait: number;
  wq: number;
  lq: number;
}

/**
 * Erlang C. Uses the Erlang B recursion B(k) = a·B(k-1) / (k + a·B(k-1)), which never forms a^c or
 * c! and so stays accurate for hundreds of servers, then C = B / (1 - ρ(1 - B)).
 * Throws unless λ < cμ (the queue would grow without bound).
 */
export function erlangC(servers: number, arrivalRate: number, serviceRate: number): ErlangC {
  const a = arrivalRate / serviceRate;
  const rho = a / servers;
  if (!(Number.isInteger(servers) && servers > 0 && arrivalRate > 0 && serviceRate > 0 && rho < 1))
    throw new ArsError(
      'ARS_E_INPUT_ARGUMENT',
      `erlangC needs integer c > 0, λ, μ > 0 and λ < cμ; got c=${servers} λ=${arrivalRate} μ=${serviceRate}`,
    );
  let b = 1;
  for (let k = 1; k <= servers; k++) b = (a * b) / (k + a * b);
  const pWait = b / (1 - rho * (1 - b));
  const wq = pWait / (servers * serviceRate - arrivalRate);
  return { utilization: rho, pWait, wq, lq: arrivalRate * wq };
}

/** Collects batch statistics; tells the model when it has seen enough. */
class BatchRecorder {
  readonly batches: MmcBatch[] = [];
  served = 0;
  private readonly perBatch: number;
  private queue = 0;
  private lastChange = 0;
  private area = 0;
  private batchStart = 0;
  private n = 0;
  private waited = 0;
  private waitSum = 0;

  constructor(private readonly p: MmcParams) {
    if (!(p.batches > 0 && p.customers >= p.batches && Number.isInteger(p.customers / p.batches)))
      throw new ArsError(
        'ARS_E_INPUT_ARGUMENT',
        `customers (${p.customers}) must be a positive multiple of batches (${p.batches})`,
      );
    this.perBatch = p.customers / p.batches;
  }

  get done(): boolean {
    return this.batches.length === this.p.batches;
  }

  /** The number waiting changed to `length` at `now`. */
  setQueue(now: number, length: number): void {
    this.area += this.queue * (now - this.lastChange);
    this.lastChange = now;
    this.queue = length;
  }

  /** A customer started service at `now` after waiting `wait`. */
  recordServiceStart(now: number, wait: number): void {
    this.served++;
    if (this.served <= this.p.warmup) {
      if (this.served === this.p.warmup) this.restart(now);
      return;
    }
    this.n++;
    this.waitSum += wait;
    if (wait > 0) this.waited++;
    if (this.n === this.perBatch) {
      this.setQueue(now, this.queue);
      const duration = now - this.batchStart;
      this.batches.push({
        customers: this.n,
        pWait: this.waited / this.n,
        wq: this.waitSum / this.n,
        lq: duration > 0 ? this.area / duration : 0,
        duration,
      });
      this.restart(now);
    }
  }

  private restart(now: number): void {
    this.setQueue(now, this.queue);
    this.area = 0;
    this.batchStart = now;
    this.n = 0;
    this.waited = 0;
    this.waitSum = 0;
  }
}

/** M/M/c on the lean callback path: two event functions, a ring buffer of arrival times. */
export function simulateMmc(p: MmcParams): MmcResult {
  const sim = new Simulation();
  const streams = new RandomStreams(p.seed);
  const arrivals = streams.stream('arrivals');
  const service = streams.stream('service');
  const rec = new BatchRecorder(p);
  const { servers, arrivalRate, serviceRate } = p;

  let busy = 0;
  // FIFO of arrival times of waiting customers, as a growable ring buffer.
  let ring = new Float64Array(1024);
  let head = 0;
  let waiting = 0;

  const depart = (_: null): void => {
    if (waiting === 0) {
      busy--;
      return;
    }
    const now = sim.now;
    const arrivedAt = ring[head]!;
    head = (head + 1) & (ring.length - 1);
    waiting--;
    rec.setQueue(now, waiting);
    rec.recordServiceStart(now, now - arrivedAt);
    if (rec.done) sim.stop();
    sim.schedule(service.exponential(serviceRate), depart, null);
  };

  const arrive = (_: null): void => {
    const now = sim.now;
    if (busy < servers) {
      busy++;
      rec.recordServiceStart(now, 0);
      if (rec.done) sim.stop();
      sim.schedule(service.exponential(serviceRate), depart, null);
    } else {
      if (waiting === ring.length) {
        const bigger = new Float64Array(ring.length * 2);
        for (let i = 0; i < waiting; i++) bigger[i] = ring[(head + i) & (ring.length - 1)]!;
        ring = bigger;
        head = 0;
      }
      ring[(head + waiting) & (ring.length - 1)] = now;
      waiting++;
      rec.setQueue(now, waiting);
    }
    sim.schedule(arrivals.exponential(arrivalRate), arrive, null);
  };

  sim.schedule(arrivals.exponential(arrivalRate), arrive, null);
  sim.run();
  return { batches: rec.batches, served: rec.served, eventsProcessed: sim.eventsProcessed, endTime: sim.now };
}

/** M/M/c on the process path: a source process and one process per customer on a Resource. */
export function simulateMmcProcesses(p: MmcParams): MmcResult {
  const sim = new Simulation();
  const streams = new RandomStreams(p.seed);
  const arrivals = streams.stream('arrivals');
  const service = streams.stream('service');
  const rec = new BatchRecorder(p);
  const server = new Resource(sim, p.servers);

  function* customer(): Generator<SimEvent<unknown>, void, unknown> {
    const arrivedAt = sim.now;
    const req = server.request();
    rec.setQueue(sim.now, server.queueLength);
    yield req;
    rec.recordServiceStart(sim.now, sim.now - arrivedAt);
    if (rec.done) sim.stop();
    yield sim.timeout(service.exponential(p.serviceRate));
    server.release(req);
    rec.setQueue(sim.now, server.queueLength);
  }

  function* source(): Generator<SimEvent<unknown>, void, unknown> {
    for (;;) {
      yield sim.timeout(arrivals.exponential(p.arrivalRate));
      sim.process(customer());
    }
  }

  sim.process(source());
  sim.run();
  return { batches: rec.batches, served: rec.served, eventsProcessed: sim.eventsProcessed, endTime: sim.now };
}
