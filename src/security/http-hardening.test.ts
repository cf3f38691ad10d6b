import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders, strictContentType } from './http-hardening.js';

describe('HTTP hardening', () => {
  it('has a strict CSP: nothing by default, own origin for scripts, styles and connections, no framing', () => {
    const csp = contentSecurityPolicy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(contentSecurityPolicy({ connectSrc: ['wss://live.example.org'] })).toContain(
      "connect-src 'self' wss://live.example.org",
    );
  });

  it('sets the usual headers and HSTS only over HTTPS', () => {
    expect(securityHeaders()).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
    });
    expect(securityHeaders()['strict-transport-security']).toBeUndefined();
    expect(securityHeaders({ https: true })['strict-transport-security']).toMatch(/max-age=/);
  });

  it.each([
    ['application/json', 'application/json'],
    ['application/merge-patch+json', 'application/merge-patch+json'],
    ['Application/JSON; charset=utf-8', 'application/json'],
    ['application/json;charset="utf-8"', 'application/json'],
  ])('accepts %j as %s', (header, essence) => {
    expect(strictContentType(header)).toBe(essence);
  });

  // the shapes of the published Fastify bypasses, and a few more
  it.each([
    'application/json\ta',
    ' application/json',
    'application/json;',
    'application/json ;',
    'application/json; charset',
    'application/json\r\nx: y',
    'json',
    '',
  ])('refuses %j', (header) => {
    expect(() => strictContentType(header)).toThrow(expect.objectContaining({ code: 'ARS_E_QUERY_INVALID' }));
  });

  it('passes an absent header through', () => {
    expect(strictContentType(undefined)).toBeUndefined();
  });
});
