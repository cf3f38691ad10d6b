// `ars keys create|list|revoke` (secret shown once, hashes at rest, mode 0600), and `ars serve` refusing to
// bind beyond loopback without authentication, or to start on a bad --auth file (exit 2, file and place).
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyTables, readKeyFile, SqliteAuditStore, verifyChain } from '../src/security/index.js';
import { ars } from './run-cli.js';

const dir = () => mkdtempSync(join(tmpdir(), 'ars-cli-keys-'));

describe('ars keys', () => {
  it('creates a key shown once, stores only its hash, lists and revokes it, and audits both', async () => {
    const d = dir();
    const file = join(d, 'keys.json');
    const audit = join(d, 'audit.db');
    const created = await ars(
      'keys',
      'create',
      '--file',
      file,
      '--tenant',
      'icu',
      '--role',
      'reader',
      '--label',
      'dashboard',
      '--expires',
      '30d',
      '--audit',
      audit,
    );
    expect(created.code, created.stderr).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^ars_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain(secret.split('_').slice(2).join('_'));
    // the stored hash authenticates the shown secret
    const tables = keyTables(readKeyFile(file));
    const check = tables.apiKeys.verify(secret);
    expect(check).toMatchObject({ ok: true, principal: { tenant: 'icu', roles: ['reader'] } });

    const node = await ars('keys', 'create', '--file', file, '--tenant', 'icu', '--node', 'gw-1', '--json');
    expect(node.code, node.stderr).toBe(0);
    expect(JSON.parse(node.stdout)).toMatchObject({ key: { nodeId: 'gw-1', roles: ['agent'] } });

    const list = await ars('keys', 'list', '--file', file, '--json');
    expect(list.code).toBe(0);
    expect(list.stdout).not.toContain(secret.split('_').slice(2).join('_'));
    const keys = JSON.parse(list.stdout) as { id: string; hash?: string }[];
    expect(keys).toHaveLength(2);
    expect(keys.every((k) => k.hash === undefined)).toBe(true);

    const id = secret.split('_')[1]!;
    const revoked = await ars('keys', 'revoke', id, '--file', file, '--audit', audit);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(keyTables(readKeyFile(file)).apiKeys.verify(secret)).toEqual({ ok: false, reason: 'revoked' });
    const again = await ars('keys', 'revoke', id, '--file', file);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already revoked');

    const store = new SqliteAuditStore(audit, { readonly: true });
    try {
      const records = [...store.all()];
      expect(records.map((r) => r.action)).toEqual(['key.create', 'key.revoke']);
      expect(verifyChain(records)).toMatchObject({ ok: true });
    } finally {
      store.close();
    }
  });

  it('bad input exits 2 with a message, no stack', async () => {
    const d = dir();
    const noTenant = await ars('keys', 'create', '--file', join(d, 'k.json'), '--role', 'user');
    expect(noTenant.code).toBe(2);
    expect(noTenant.stderr).toContain('--tenant is required');
    const badExpiry = await ars(
      'keys',
      'create',
      '--file',
      join(d, 'k.json'),
      '--tenant',
      'a',
      '--expires',
      'soon',
    );
    expect(badExpiry.code).toBe(2);
    expect(badExpiry.stderr).toContain('--expires');
    writeFileSync(join(d, 'bad.json'), '{"version":1,"apiKeys":[{"id":"x"}]}');
    const badFile = await ars('keys', 'list', '--file', join(d, 'bad.json'));
    expect(badFile.code).toBe(2);
    expect(badFile.stderr).toContain('bad.json');
    expect(badFile.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('ars serve and authentication', () => {
  it('refuses to bind beyond loopback without --auth', async () => {
    const r = await ars('serve', '--host', '0.0.0.0', '--port', '0', '--duration', '0.1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to listen on 0.0.0.0 without authentication');
  });

  it('names the file and the place of a bad --auth file', async () => {
    const d = dir();
    const file = join(d, 'auth.yaml');
    writeFileSync(file, 'tenants:\n  icu:\n    policy: nowhere\n');
    const r = await ars('serve', '--auth', file, '--port', '0', '--duration', '0.1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: tenants.icu.policy: no policy nowhere under policies`);
    writeFileSync(file, 'oidc:\n  issuer: not a url\n');
    const r2 = await ars('serve', '--auth', file, '--port', '0', '--duration', '0.1');
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('oidc.issuer');
    expect(r2.stderr).not.toMatch(/\n\s+at /);
  });
});
