/**
 * Failed logins per client address, shared by every surface (HTTP and the MQTT connect hook): after
 * `maxFailures` failures within `windowMs`, the address is refused — every credential, valid ones included,
 * so the limit is no oracle — until the oldest of those failures leaves the window. Refused attempts are not
 * verified and do not count, so an address gets at most `maxFailures` guesses per window.
 *
 * Time is passed in (ms), never read here. Memory is bounded: at most `maxAddresses` addresses are kept,
 * the one that failed least recently forgotten first.
 */
import { SecurityError } from './errors.js';

export interface LoginThrottleOptions {
  /** failures allowed per address within the window; default 10 */
  readonly maxFailures?: number;
  /** the window, ms; default 60 000 */
  readonly windowMs?: number;
  /** addresses remembered at most; default 100 000 */
  readonly maxAddresses?: number;
}

/** `::ffff:127.0.0.1` (an IPv4 client of a dual-stack socket) and `127.0.0.1` are one address. */
export const normaliseAddress = (address: string): string =>
  address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;

export class LoginThrottle {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly maxAddresses: number;
  /** address → times of its recent failures, oldest first (at most maxFailures); insertion order = recency */
  readonly #failures = new Map<string, number[]>();

  constructor(options: LoginThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxAddresses = options.maxAddresses ?? 100_000;
    if (!Number.isInteger(this.maxFailures) || this.maxFailures < 1)
      throw new RangeError('maxFailures must be an integer of at least 1');
    if (!(this.windowMs > 0)) throw new RangeError('windowMs must be positive');
    if (!Number.isInteger(this.maxAddresses) || this.maxAddresses < 1)
      throw new RangeError('maxAddresses must be an integer of at least 1');
  }

  #recent(address: string, nowMs: number): number[] | undefined {
    const times = this.#failures.get(address);
    if (!times) return undefined;
    while (times.length > 0 && times[0]! <= nowMs - this.windowMs) times.shift();
    if (times.length === 0) this.#failures.delete(address);
    return times.length > 0 ? times : undefined;
  }

  /** How long until `address` may try again, ms; 0 when it may now. */
  retryAfterMs(address: string, nowMs: number): number {
    const times = this.#recent(normaliseAddress(address), nowMs);
    if (!times || times.length < this.maxFailures) return 0;
    return Math.max(1, times[0]! + this.windowMs - nowMs);
  }

  /** Throws `ARS_E_RATE_LIMITED` (with `retryAfterMs`) while `address` is limited. */
  assertAllowed(address: string, nowMs: number): void {
    const wait = this.retryAfterMs(address, nowMs);
    if (wait > 0)
      throw new SecurityError('ARS_E_RATE_LIMITED', 'too many failed logins from this address', {
        retryAfterMs: wait,
      });
  }

  /** Counts one failed login of `address`. */
  fail(address: string, nowMs: number): void {
    const key = normaliseAddress(address);
    const times = this.#recent(key, nowMs) ?? [];
    times.push(nowMs);
    if (times.length > this.maxFailures) times.shift();
    this.#failures.delete(key); // re-inserted last: the most recent
    this.#failures.set(key, times);
    if (this.#failures.size > this.maxAddresses) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }

  /** Addresses currently remembered (tests, metrics). */
  get size(): number {
    return this.#failures.size;
  }
}
