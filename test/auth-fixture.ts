// A throw-away directory with a key file (a platform administrator, a tenant A administrator and user) for
// tests of `ars serve --auth` behaviour built through the auth-file loader.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyTables, writeKeyFile } from '../src/security/index.js';
import { type AuthFile, buildSecurity, type ServerSecurity } from '../src/server/auth-config.js';

export interface AuthFixture {
  dir: string;
  tokens: { root: string; adminA: string; userA: string };
  /** The auth file's security, built afresh (as a restarted server would). */
  security(extra?: Partial<AuthFile>): ServerSecurity;
  remove(): void;
}

export const POLICY_A = {
  entries: {
    admins: {
      subjects: ['role:admin'],
      resources: { 'thing:/': { grant: ['READ', 'WRITE'] }, 'policy:/': { grant: ['READ', 'WRITE'] } },
    },
    users: { subjects: ['tenant:A/role:user'], resources: { 'thing:/': { grant: ['READ', 'WRITE'] } } },
  },
};

export function authFixture(prefix: string): AuthFixture {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const tables = keyTables({ apiKeys: [], nodeKeys: [] });
  const tokens = {
    root: tables.apiKeys.issue({ tenant: undefined, roles: ['admin'], label: 'root' }).secret,
    adminA: tables.apiKeys.issue({ tenant: 'A', roles: ['admin'], label: 'ann' }).secret,
    userA: tables.apiKeys.issue({ tenant: 'A', roles: ['user'], label: 'alice' }).secret,
  };
  writeKeyFile(join(dir, 'keys.json'), {
    apiKeys: tables.apiKeys.records(),
    nodeKeys: tables.nodes.keys.records(),
  });
  return {
    dir,
    tokens,
    security: (extra = {}) =>
      buildSecurity(
        {
          keys: 'keys.json',
          tenants: { A: { policy: 'policy-A' } },
          policies: { 'policy-A': POLICY_A },
          audit: 'audit.db',
          ...extra,
        },
        dir,
      ),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
