import { describe, expect, it } from 'vitest';
import { assertSafeBind, isLoopbackHost } from './bind-guard.js';
import { type Principal, STREAM_RECHECK_MAX_MS, streamVerdict, subjectIds } from './principal.js';

const alice: Principal = {
  kind: 'user',
  subject: 'oidc:alice',
  tenant: 'acme',
  roles: ['reader'],
  expiresAt: 10_000,
};

describe('principal', () => {
  it('matches policy subjects by id, role, tenant and tenant role', () => {
    expect(subjectIds(alice)).toEqual([
      'oidc:alice',
      'role:reader',
      'tenant:acme',
      'tenant:acme/role:reader',
    ]);
  });

  it('a stream closes at its token expiry and is re-checked no later than then', () => {
    expect(streamVerdict(alice, 4_000)).toEqual({ close: false, checkInMs: 6_000 });
    expect(streamVerdict(alice, 10_000)).toEqual({ close: true, reason: 'expired' });
    expect(streamVerdict(alice, 12_000)).toEqual({ close: true, reason: 'expired' });
    const long = { ...alice, expiresAt: 10_000_000 };
    expect(streamVerdict(long, 0)).toEqual({ close: false, checkInMs: STREAM_RECHECK_MAX_MS });
    expect(streamVerdict({ ...alice, expiresAt: undefined }, 0).close).toBe(false);
  });
});

describe('bind guard', () => {
  it.each(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1'])(
    '%s is loopback',
    (h) => {
      expect(isLoopbackHost(h)).toBe(true);
      expect(() => assertSafeBind(h, false)).not.toThrow();
    },
  );

  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.org', '::ffff:10.0.0.1', '128.0.0.1'])(
    '%s is refused without authentication and allowed with it',
    (h) => {
      expect(isLoopbackHost(h)).toBe(false);
      expect(() => assertSafeBind(h, false)).toThrow(
        expect.objectContaining({ code: 'ARS_E_INSECURE_BIND' }),
      );
      expect(() => assertSafeBind(h, true)).not.toThrow();
    },
  );
});
