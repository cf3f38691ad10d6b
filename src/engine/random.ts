/**
 * Seeded, splittable random streams.
 *
 * Generator: xoshiro128** (Blackman and Vigna), 128 bits of state kept in four int32 fields so every
 * step is a handful of 32-bit integer operations. A stream is identified by a 64-bit key (two uint32
 * words); the four state words are expanded from the key with splitmix32 so that neighbouring keys
 * give unrelated states. Names are hashed into keys with FNV-1a, then finalised with a murmur3-style
 * mixer, so `stream('arrivals')` and `stream('arrivalt')` do not share structure.
 *
 * Determinism: a stream's output depends only on (seed, chain of names). Creating or drawing from one
 * stream never changes another, which is what lets a model add a new concern without shifting the
 * numbers every existing concern sees.
 */
import { ArsError } from '../errors.js';

/** 2^-53: turns a 53-bit integer into a double in [0, 1) exactly. */
const INV_TWO_POW_53 = 1 / 9007199254740992;

/** FNV-1a over the UTF-16 code units of `text`, 32-bit. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The murmur3 32-bit finaliser: a bijection that spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Derives a child key from a parent key and a name. */
function childKey(k0: number, k1: number, name: string): [number, number] {
  const h = fnv1a(name);
  const a = fmix32((k0 ^ h) + 0x9e3779b9);
  const b = fmix32((k1 ^ Math.imul(h, 0x27d4eb2f)) + a + 0x7f4a7c15);
  return [fmix32(a ^ (b >>> 7)), b];
}

/** The 64-bit key of a numeric seed: the bits of the double, so 1, 1.5 and 2^40 all differ. */
function seedKey(seed: number): [number, number] {
  if (!Number.isFinite(seed)) throw new ArsError('ARS_E_ENGINE', `Seed must be a finite number, got ${seed}`);
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed === 0 ? 0 : seed); // folds -0 into 0
  return [fmix32(view.getUint32(0) ^ 0x5eed5eed), fmix32(view.getUint32(4) + 0x632be5ab)];
}

function bad(what: string, value: unknown): never {
  throw new ArsError('ARS_E_ENGINE', `${what}, got ${String(value)}`);
}

// ln(n!) for n < 256 by summation; beyond, Stirling's series (error below 1e-15 there).
const LOG_FACTORIAL = new Float64Array(256);
for (let n = 2; n < 256; n++) LOG_FACTORIAL[n] = (LOG_FACTORIAL[n - 1] ?? 0) + Math.log(n);
function logFactorial(n: number): number {
  if (n < 256) return LOG_FACTORIAL[n] ?? 0;
  const inv = 1 / n;
  const inv2 = inv * inv;
  return (
    n * Math.log(n) -
    n +
    0.5 * Math.log(2 * Math.PI * n) +
    inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))
  );
}

export class RandomStream {
  // xoshiro128** state, always int32.
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Second normal deviate of the last polar-method pair, or NaN. */
  private spareNormal = Number.NaN;
  private readonly k0: number;
  private readonly k1: number;

  /** Streams come from `RandomStreams.stream(name)` or `split(name)`; the key is two uint32 words. */
  constructor(key: readonly [number, number]) {
    this.k0 = key[0] >>> 0;
    this.k1 = key[1] >>> 0;
    // splitmix32 over the key: four well-mixed words, never all zero.
    let x = this.k0 ^ fmix32(this.k1);
    const word = () => {
      x = (x + 0x9e3779b9) | 0;
      return fmix32(x ^ this.k1) | 0;
    };
    this.s0 = word();
    this.s1 = word();
    this.s2 = word();
    this.s3 = word();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s3 = 1;
  }

  /** A stream with exactly this raw xoshiro128** state (for known-answer tests). */
  static fromState(state: readonly [number, number, number, number]): RandomStream {
    const r = new RandomStream([0, 0]);
    [r.s0, r.s1, r.s2, r.s3] = state.map((w) => w | 0) as [number, number, number, number];
    return r;
  }

  /** The next raw 32-bit output as an unsigned integer. */
  nextUint32(): number {
    const s1 = this.s1;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 = s1 ^ this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result >>> 0;
  }

  /** A double in [0, 1) with 53 random bits (two 32-bit outputs: 27 high bits + 26 low bits). */
  next(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) * INV_TWO_POW_53;
  }

  /** Uniform on [a, b). */
  uniform(a: number, b: number): number {
    if (!(Number.isFinite(a) && Number.isFinite(b) && a <= b))
      bad('uniform needs finite a <= b', `${a}, ${b}`);
    return a + (b - a) * this.next();
  }

  /** Uniform integer in [0, n); n a positive integer up to 2^53. Bias below 2^-21 for n < 2^32. */
  int(n: number): number {
    if (!(Number.isInteger(n) && n > 0 && n <= 9007199254740992)) bad('int needs a positive integer n', n);
    return Math.floor(this.next() * n);
  }

  /** Exponential with the given rate (mean 1/rate), by inversion. */
  exponential(rate: number): number {
    if (!(rate > 0 && rate < Number.POSITIVE_INFINITY)) bad('exponential needs a rate > 0', rate);
    // 1 - next() lies in (0, 1], so the log is finite.
    return -Math.log(1 - this.next()) / rate;
  }

  /** Normal by Marsaglia's polar method; the second deviate of each pair is kept for the next call. */
  normal(mean: number, sd: number): number {
    if (!Number.isFinite(mean)) bad('normal needs a finite mean', mean);
    if (!(sd >= 0 && sd < Number.POSITIVE_INFINITY)) bad('normal needs sd >= 0', sd);
    let z = this.spareNormal;
    if (Number.isNaN(z)) {
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * this.next() - 1;
        v = 2 * this.next() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      this.spareNormal = v * f;
      z = u * f;
    } else {
      this.spareNormal = Number.NaN;
    }
    return mean + sd * z;
  }

  /** exp(N(mu, sigma)). */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** Weibull with P(X > x) = exp(-(x/scale)^shape), by inversion. */
  weibull(shape: number, scale: number): number {
    if (!(shape > 0 && shape < Number.POSITIVE_INFINITY)) bad('weibull needs shape > 0', shape);
    if (!(scale > 0 && scale < Number.POSITIVE_INFINITY)) bad('weibull needs scale > 0', scale);
    return scale * (-Math.log(1 - this.next())) ** (1 / shape);
  }

  /** Pareto (type I) with P(X > x) = (scale/x)^shape for x >= scale, by inversion. */
  pareto(shape: number, scale: number): number {
    if (!(shape > 0 && shape < Number.POSITIVE_INFINITY)) bad('pareto needs shape > 0', shape);
    if (!(scale > 0 && scale < Number.POSITIVE_INFINITY)) bad('pareto needs scale > 0', scale);
    return scale * (1 - this.next()) ** (-1 / shape);
  }

  /**
   * Poisson. Mean below 10: Knuth's product of uniforms (exact, about mean+1 draws). From 10 on:
   * Hörmann's PTRS transformed rejection (1993), exact, about 2.3 draws whatever the mean.
   */
  poisson(mean: number): number {
    if (!(mean >= 0 && mean < Number.POSITIVE_INFINITY)) bad('poisson needs a mean >= 0', mean);
    if (mean < 10) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    const sqrtMean = Math.sqrt(mean);
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * sqrtMean;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (
        Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <=
        -mean + k * logMean - logFactorial(k)
      )
        return k;
    }
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    if (!(p >= 0 && p <= 1)) bad('bernoulli needs p in [0, 1]', p);
    return this.next() < p;
  }

  /** One of `values`, with probability proportional to `weights` (uniform when omitted). O(n). */
  empirical<T>(values: readonly T[], weights?: readonly number[]): T {
    if (values.length === 0) bad('empirical needs at least one value', '[]');
    if (weights === undefined) return values[this.int(values.length)] as T;
    if (weights.length !== values.length)
      bad(`empirical needs one weight per value (${values.length})`, `${weights.length} weights`);
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0 && w < Number.POSITIVE_INFINITY)) bad('empirical weights must be finite and >= 0', w);
      total += w;
    }
    if (!(total > 0)) bad('empirical needs a positive total weight', total);
    let x = this.next() * total;
    for (let i = 0; i < values.length; i++) {
      const w = weights[i] as number;
      if (x < w) return values[i] as T;
      x -= w;
    }
    // Rounding can leave x just above the last positive weight: return that value.
    for (let i = values.length - 1; ; i--) if ((weights[i] as number) > 0) return values[i] as T;
  }

  /** A uniformly chosen element. */
  pick<T>(array: readonly T[]): T {
    if (array.length === 0) bad('pick needs a non-empty array', '[]');
    return array[this.int(array.length)] as T;
  }

  /** Shuffles `array` in place (Fisher-Yates) and returns it. */
  shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i] as T;
      array[i] = array[j] as T;
      array[j] = tmp;
    }
    return array;
  }

  /** An independent child stream derived from this stream's key (not its position) and `name`. */
  split(name: string): RandomStream {
    return new RandomStream(childKey(this.k0, this.k1, name));
  }
}

/** One independent stream per concern, derived from (seed, name); the same name gives the same object. */
export class RandomStreams {
  readonly seed: number;
  private readonly key: [number, number];
  private readonly streams = new Map<string, RandomStream>();

  constructor(seed: number) {
    this.seed = seed;
    this.key = seedKey(seed);
  }

  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new RandomStream(childKey(this.key[0], this.key[1], name));
      this.streams.set(name, s);
    }
    return s;
  }
}
