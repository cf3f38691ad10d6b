/**
 * `ars serve` must not listen beyond this machine without authentication: an open scheduler and its
 * twins' data on a LAN is the most likely real-world breach. Loopback is 127.0.0.0/8, ::1 and `localhost`.
 */
import { isIP } from 'node:net';
import { SecurityError } from './errors.js';

export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === 'localhost.') return true;
  const family = isIP(h);
  if (family === 4) return h.startsWith('127.');
  if (family === 6) {
    if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
    // an IPv4-mapped loopback address, ::ffff:127.x.y.z
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && mapped[1]!.startsWith('127.');
  }
  return false;
}

/**
 * Throws `ARS_E_INSECURE_BIND` when `host` is not loopback and no authentication is configured.
 * `0.0.0.0`, `::` and any named host count as non-loopback: a name can resolve anywhere.
 */
export function assertSafeBind(host: string, authConfigured: boolean): void {
  if (authConfigured || isLoopbackHost(host)) return;
  throw new SecurityError(
    'ARS_E_INSECURE_BIND',
    `refusing to listen on ${host} without authentication: configure API keys or OIDC, or bind to 127.0.0.1`,
    { host },
  );
}
