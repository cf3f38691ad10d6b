import { describe, expect, it } from 'vitest';
import { TenantLimiter, TokenBucket } from './limits.js';
import type { Principal } from './principal.js';
import { denial, ownedOrNotFound, visibleTo } from './tenancy.js';

const a: Principal = { kind: 'user', subject: 'oidc:a', tenant: 'A', roles: ['reader'] };
const b: Principal = { kind: 'user', subject: 'oidc:b', tenant: 'B', roles: ['writer'] };
const root: Principal = { kind: 'user', subject: 'oidc:root', tenant: undefined, roles: ['admin'] };
const anon: Principal = { kind: 'anonymous', subject: 'anonymous', tenant: undefined, roles: [] };
const thingOfA = { id: 'press-1', tenant: 'A' };

describe('tenancy', () => {
  it('another tenant’s resource answers exactly as an absent one does', () => {
    expect(ownedOrNotFound(a, thingOfA, 'thing', 'press-1')).toBe(thingOfA);
    let foreign: unknown;
    let absent: unknown;
    try {
      ownedOrNotFound(b, thingOfA, 'thing', 'press-1');
    } catch (e) {
      foreign = e;
    }
    try {
      ownedOrNotFound(b, undefined, 'thing', 'press-1');
    } catch (e) {
      absent = e;
    }
    expect(foreign).toMatchObject({ code: 'ARS_E_NOT_FOUND', status: 404 });
    expect(JSON.stringify(foreign)).toBe(JSON.stringify(absent));
    expect((foreign as Error).message).toBe((absent as Error).message);
  });

  it('anonymous sees no tenant; a platform admin sees all', () => {
    expect(() => ownedOrNotFound(anon, thingOfA, 'thing', 'press-1')).toThrow(
      expect.objectContaining({ code: 'ARS_E_NOT_FOUND' }),
    );
    expect(ownedOrNotFound(root, thingOfA, 'thing', 'press-1')).toBe(thingOfA);
  });

  it('a denial is 403 inside the tenant and 404 across tenants', () => {
    expect(denial(a, thingOfA, 'thing', 'press-1', 'write')).toMatchObject({
      code: 'ARS_E_FORBIDDEN',
      status: 403,
    });
    expect(denial(b, thingOfA, 'thing', 'press-1', 'write')).toMatchObject({
      code: 'ARS_E_NOT_FOUND',
      status: 404,
    });
  });

  it('listings keep only the caller’s tenant', () => {
    const items = [thingOfA, { id: 'x', tenant: 'B' }, { id: 'y', tenant: 'A' }];
    expect(visibleTo(a, items).map((i) => i.id)).toEqual(['press-1', 'y']);
    expect(visibleTo(anon, items)).toEqual([]);
    expect(visibleTo(root, items)).toHaveLength(3);
  });
});

describe('token bucket', () => {
  it('allows the burst, then the sustained rate, and says when to retry', () => {
    const tb = new TokenBucket(3, 2, 0);
    for (let i = 0; i < 3; i++) expect(tb.take(1, 0).ok).toBe(true);
    expect(tb.take(1, 0)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(tb.take(1, 500).ok).toBe(true);
    expect(tb.available(10_000)).toBe(3);
    expect(tb.take(4, 10_000)).toEqual({ ok: false, retryAfterMs: Number.POSITIVE_INFINITY });
  });

  it('does not refill when the clock goes backwards', () => {
    const tb = new TokenBucket(1, 1, 1000);
    expect(tb.take(1, 1000).ok).toBe(true);
    expect(tb.take(1, 0).ok).toBe(false);
  });
});

describe('tenant limits', () => {
  it('rate-limits one tenant without touching another', () => {
    const l = new TenantLimiter({ requestsPerSecond: 1, requestBurst: 2 });
    l.request('A', 0);
    l.request('A', 0);
    expect(() => l.request('A', 0)).toThrow(
      expect.objectContaining({ code: 'ARS_E_RATE_LIMITED', detail: { retryAfterMs: 1000 } }),
    );
    expect(() => l.request('B', 0)).not.toThrow();
  });

  it('refuses a telemetry batch whole when it does not fit', () => {
    const l = new TenantLimiter({ samplesPerSecond: 10, sampleBurst: 10 });
    l.samples('A', 8, 0);
    expect(() => l.samples('A', 3, 0)).toThrow(expect.objectContaining({ code: 'ARS_E_RATE_LIMITED' }));
    expect(() => l.samples('A', 2, 0)).not.toThrow();
  });

  it('applies per-tenant message size and thing count limits', () => {
    const l = new TenantLimiter((t) =>
      t === 'big' ? { maxMessageBytes: 1000, maxThings: 5 } : { maxMessageBytes: 10, maxThings: 1 },
    );
    expect(() => l.messageSize('big', 1000)).not.toThrow();
    expect(() => l.messageSize('small', 11)).toThrow(
      expect.objectContaining({ code: 'ARS_E_PAYLOAD_TOO_LARGE', status: 413 }),
    );
    expect(() => l.thingCount('small', 1)).toThrow(expect.objectContaining({ code: 'ARS_E_QUOTA' }));
    expect(() => l.thingCount('big', 3, 2)).not.toThrow();
    expect(l.limitsOf('big').requestsPerSecond).toBe(50);
  });
});
