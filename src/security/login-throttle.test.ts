import { describe, expect, it } from 'vitest';
import { SecurityError } from './errors.js';
import { LoginThrottle, normaliseAddress } from './login-throttle.js';

describe('LoginThrottle', () => {
  it('limits an address after maxFailures within the window, until the oldest failure leaves it', () => {
    const t = new LoginThrottle({ maxFailures: 3, windowMs: 60_000 });
    t.fail('10.0.0.1', 0);
    t.fail('10.0.0.1', 10_000);
    expect(t.retryAfterMs('10.0.0.1', 10_000)).toBe(0);
    t.fail('10.0.0.1', 20_000);
    expect(t.retryAfterMs('10.0.0.1', 20_000)).toBe(40_000);
    expect(() => t.assertAllowed('10.0.0.1', 30_000)).toThrow(SecurityError);
    try {
      t.assertAllowed('10.0.0.1', 30_000);
    } catch (e) {
      expect((e as SecurityError).code).toBe('ARS_E_RATE_LIMITED');
      expect((e as SecurityError).detail.retryAfterMs).toBe(30_000);
    }
    // other addresses are unaffected
    expect(t.retryAfterMs('10.0.0.2', 30_000)).toBe(0);
    // the first failure leaves the window at 60 s: one more guess, then limited again
    expect(t.retryAfterMs('10.0.0.1', 60_000)).toBe(0);
    t.fail('10.0.0.1', 60_000);
    expect(t.retryAfterMs('10.0.0.1', 60_000)).toBe(10_000);
    // long after, forgotten
    expect(t.retryAfterMs('10.0.0.1', 200_000)).toBe(0);
    expect(t.size).toBe(0);
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 address', () => {
    expect(normaliseAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(normaliseAddress('::1')).toBe('::1');
    const t = new LoginThrottle({ maxFailures: 1 });
    t.fail('::ffff:192.0.2.7', 0);
    expect(t.retryAfterMs('192.0.2.7', 1)).toBeGreaterThan(0);
  });

  it('remembers at most maxAddresses, forgetting the least recently failing first', () => {
    const t = new LoginThrottle({ maxFailures: 1, maxAddresses: 2 });
    t.fail('a', 0);
    t.fail('b', 1);
    t.fail('a', 2);
    t.fail('c', 3);
    expect(t.size).toBe(2);
    expect(t.retryAfterMs('b', 4)).toBe(0);
    expect(t.retryAfterMs('a', 4)).toBeGreaterThan(0);
    expect(t.retryAfterMs('c', 4)).toBeGreaterThan(0);
  });

  it('refuses nonsensical settings', () => {
    expect(() => new LoginThrottle({ maxFailures: 0 })).toThrow(RangeError);
    expect(() => new LoginThrottle({ windowMs: 0 })).toThrow(RangeError);
  });
});
