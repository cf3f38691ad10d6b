/**
 * Per-tenant limits: request rate and telemetry rate (token buckets), message size and number of things.
 * Time is passed in (ms), never read here, so the limiter is deterministic under test and in simulation.
 */
import { SecurityError } from './errors.js';

/**
 * A token bucket: `capacity` tokens at most, refilled at `ratePerSecond`. Taking n tokens succeeds when n
 * are there; otherwise it says how long until they would be (`Retry-After`).
 */
export class TokenBucket {
  #tokens: number;
  #last: number;
  constructor(
    readonly capacity: number,
    readonly ratePerSecond: number,
    nowMs: number,
  ) {
    if (!(capacity > 0) || !(ratePerSecond > 0))
      throw new RangeError('a token bucket needs capacity > 0 and rate > 0');
    this.#tokens = capacity;
    this.#last = nowMs;
  }

  #refill(nowMs: number): void {
    if (nowMs > this.#last) {
      this.#tokens = Math.min(
        this.capacity,
        this.#tokens + ((nowMs - this.#last) / 1000) * this.ratePerSecond,
      );
      this.#last = nowMs;
    }
  }

  /** Tokens available at `nowMs`. */
  available(nowMs: number): number {
    this.#refill(nowMs);
    return this.#tokens;
  }

  take(n: number, nowMs: number): { ok: true } | { ok: false; retryAfterMs: number } {
    this.#refill(nowMs);
    if (n <= this.#tokens) {
      this.#tokens -= n;
      return { ok: true };
    }
    if (n > this.capacity) return { ok: false, retryAfterMs: Number.POSITIVE_INFINITY };
    return { ok: false, retryAfterMs: Math.ceil(((n - this.#tokens) / this.ratePerSecond) * 1000) };
  }
}

export interface TenantLimits {
  /** API requests per second, sustained, and the burst allowed above it */
  readonly requestsPerSecond: number;
  readonly requestBurst: number;
  /** telemetry samples per second (MQTT and HTTP ingest together), and burst */
  readonly samplesPerSecond: number;
  readonly sampleBurst: number;
  /** largest request body or MQTT payload, bytes */
  readonly maxMessageBytes: number;
  readonly maxThings: number;
}

/** Defaults sized for one small site per tenant; override per tenant in the server's configuration. */
export const DEFAULT_LIMITS: TenantLimits = Object.freeze({
  requestsPerSecond: 50,
  requestBurst: 100,
  samplesPerSecond: 1_000,
  sampleBurst: 5_000,
  maxMessageBytes: 256 * 1024,
  maxThings: 10_000,
});

/** The limits of every tenant, with one pair of buckets per tenant created on first use. */
export class TenantLimiter {
  readonly #limits: (tenant: string) => TenantLimits;
  readonly #requests = new Map<string, TokenBucket>();
  readonly #samples = new Map<string, TokenBucket>();

  constructor(limits: Partial<TenantLimits> | ((tenant: string) => Partial<TenantLimits>) = {}) {
    this.#limits =
      typeof limits === 'function'
        ? (t) => ({ ...DEFAULT_LIMITS, ...limits(t) })
        : () => ({ ...DEFAULT_LIMITS, ...limits });
  }

  limitsOf(tenant: string): TenantLimits {
    return this.#limits(tenant);
  }

  #bucket(
    map: Map<string, TokenBucket>,
    tenant: string,
    cap: number,
    rate: number,
    nowMs: number,
  ): TokenBucket {
    let b = map.get(tenant);
    if (!b) map.set(tenant, (b = new TokenBucket(cap, rate, nowMs)));
    return b;
  }

  /** One API request; throws `ARS_E_RATE_LIMITED` with `retryAfterMs` when the bucket is empty. */
  request(tenant: string, nowMs: number): void {
    const l = this.#limits(tenant);
    const r = this.#bucket(this.#requests, tenant, l.requestBurst, l.requestsPerSecond, nowMs).take(1, nowMs);
    if (!r.ok) {
      throw new SecurityError(
        'ARS_E_RATE_LIMITED',
        `tenant ${tenant}: request rate over ${l.requestsPerSecond}/s`,
        {
          retryAfterMs: r.retryAfterMs,
        },
      );
    }
  }

  /** `n` telemetry samples; the whole batch is refused when it does not fit (no partial ingest). */
  samples(tenant: string, n: number, nowMs: number): void {
    const l = this.#limits(tenant);
    const r = this.#bucket(this.#samples, tenant, l.sampleBurst, l.samplesPerSecond, nowMs).take(n, nowMs);
    if (!r.ok) {
      throw new SecurityError(
        'ARS_E_RATE_LIMITED',
        `tenant ${tenant}: telemetry rate over ${l.samplesPerSecond}/s`,
        {
          retryAfterMs: r.retryAfterMs,
        },
      );
    }
  }

  messageSize(tenant: string, bytes: number): void {
    const max = this.#limits(tenant).maxMessageBytes;
    if (bytes > max) {
      throw new SecurityError(
        'ARS_E_PAYLOAD_TOO_LARGE',
        `message of ${bytes} bytes is over the limit of ${max}`,
        {
          limit: max,
        },
      );
    }
  }

  /** Before creating things: `existing` things plus `adding` must stay within the limit. */
  thingCount(tenant: string, existing: number, adding = 1): void {
    const max = this.#limits(tenant).maxThings;
    if (existing + adding > max) {
      throw new SecurityError('ARS_E_QUOTA', `tenant ${tenant} may hold at most ${max} things`, {
        limit: max,
      });
    }
  }
}
