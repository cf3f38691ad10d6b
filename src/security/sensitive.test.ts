import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FieldCipher, fingerprint, generateKey, loadKeyring, parseKeyring } from './field-crypto.js';
import { aggregateByGroup, withholdSmallGroups } from './k-anonymity.js';
import { createRedactor, REDACTED, scrub } from './redact.js';
import { protect, reveal, SensitiveFields } from './sensitive.js';

const ring = (active: string, ...ids: string[]) =>
  parseKeyring(
    JSON.stringify({ active, keys: Object.fromEntries(ids.map((i) => [i, generateKey()])) }),
    'test',
  );

describe('field encryption (AES-256-GCM)', () => {
  it('round-trips any JSON value, with a fresh IV each time', () => {
    const c = new FieldCipher(ring('k1', 'k1'));
    for (const v of [71, 'Jane Roe', { a: [1, 2] }, null, true])
      expect(c.open(c.seal(v, 'ctx'), 'ctx')).toEqual(v);
    expect(c.seal('x', 'ctx')).not.toBe(c.seal('x', 'ctx'));
  });

  it('carries the key id, so keys rotate: old values open, reseal moves them to the new key', () => {
    const r = ring('k1', 'k1', 'k2');
    const old = new FieldCipher(r).seal('MRN-0042', 'bed-7/mrn');
    expect(FieldCipher.keyIdOf(old)).toBe('k1');
    const rotated = new FieldCipher({ ...r, active: 'k2' });
    expect(rotated.open(old, 'bed-7/mrn')).toBe('MRN-0042');
    const moved = rotated.reseal(old, 'bed-7/mrn');
    expect(FieldCipher.keyIdOf(moved)).toBe('k2');
    const withoutOld = new FieldCipher({ active: 'k2', keys: new Map([['k2', r.keys.get('k2')!]]) });
    expect(withoutOld.open(moved, 'bed-7/mrn')).toBe('MRN-0042');
    expect(() => withoutOld.open(old, 'bed-7/mrn')).toThrow(
      expect.objectContaining({ code: 'ARS_E_CRYPTO' }),
    );
  });

  it('refuses a tampered ciphertext and one moved to another field', () => {
    const c = new FieldCipher(ring('k1', 'k1'));
    const sealed = c.seal(71, 'bed-7/heartRate');
    expect(() => c.open(sealed, 'bed-8/heartRate')).toThrow(/does not open/);
    const parts = sealed.split(':');
    const ct = Buffer.from(parts[5]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[5] = ct.toString('base64url');
    expect(() => c.open(parts.join(':'), 'bed-7/heartRate')).toThrow(
      expect.objectContaining({ code: 'ARS_E_CRYPTO' }),
    );
  });

  it('loads keys from a private file or an environment variable, and refuses bad ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ars-keys-'));
    const file = join(dir, 'keys.json');
    writeFileSync(file, JSON.stringify({ active: 'a', keys: { a: generateKey() } }), { mode: 0o600 });
    expect(loadKeyring({ file })!.active).toBe('a');
    chmodSync(file, 0o644);
    expect(() => loadKeyring({ file })).toThrow(/chmod 600/);
    expect(() => loadKeyring({ file: join(dir, 'missing') })).toThrow(/ENOENT/);
    const raw = generateKey();
    const fromEnv = loadKeyring({ env: { ARS_FIELD_KEYS: raw } })!;
    expect(fromEnv.active).toBe(fingerprint(Buffer.from(raw, 'base64')));
    expect(loadKeyring({ env: {} })).toBeUndefined();
    expect(() => parseKeyring('{"active":"x","keys":{"x":"c2hvcnQ="}}', 'env')).toThrow(/32 bytes/);
    expect(() => parseKeyring('{"active":"y","keys":{}}', 'env')).toThrow(/not among/);
  });
});

describe('sensitive fields at rest', () => {
  const state = {
    patientId: 'P-123',
    ward: 'icu',
    features: { vitals: { properties: { heartRate: 71, spo2: 97, ecg: [1, 2, 3] } } },
  };
  const fields = new SensitiveFields(['patientId', 'heartRate', 'features/vitals/properties/ecg']);

  it('finds names at any depth and exact paths', () => {
    expect(fields.find(state).sort()).toEqual([
      'features/vitals/properties/ecg',
      'features/vitals/properties/heartRate',
      'patientId',
    ]);
  });

  it('encrypts them so the stored text holds no plaintext, and reveals them again', () => {
    const c = new FieldCipher(ring('k1', 'k1'));
    const stored = protect(state, fields, 'encrypt', 'bed-7', c);
    const text = JSON.stringify(stored);
    expect(text).not.toContain('P-123');
    expect(text).not.toMatch(/"heartRate":71/);
    expect(text).toContain('"ward":"icu"');
    expect(reveal(stored, 'bed-7', c)).toEqual(state);
    // sealing twice is harmless
    expect(protect(stored, fields, 'encrypt', 'bed-7', c)).toEqual(stored);
  });

  it('drops them when the policy says drop', () => {
    expect(protect(state, fields, 'drop', 'bed-7')).toEqual({
      ward: 'icu',
      features: { vitals: { properties: { spo2: 97 } } },
    });
  });
});

describe('redactor', () => {
  it('removes sensitive values and credentials from log records', () => {
    const redact = createRedactor(['heartRate', 'patient_id']);
    const record = {
      msg: 'ingest',
      headers: {
        Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln',
        'x-api-key': 'ars_0123456789abcdef_',
      },
      body: { patientId: 'P-1', heartRate: 71, samples: [{ heartRate: 72 }], note: 'token Bearer abc.def' },
    };
    const out = JSON.stringify(redact(record));
    expect(out).not.toContain('eyJ');
    expect(out).not.toContain('P-1');
    expect(out).not.toContain('71');
    expect(out).not.toContain('72');
    expect(out).not.toContain('abc.def');
    expect(out).toContain(REDACTED);
    expect(out).toContain('"msg":"ingest"');
  });

  it('scrubs keys and JWTs inside free text, and survives cycles', () => {
    const key = `ars_0123456789abcdef_${'A'.repeat(43)}`;
    expect(scrub(`login with ${key} failed`)).toBe(`login with ${REDACTED} failed`);
    const a: Record<string, unknown> = { x: 1 };
    a.self = a;
    expect(createRedactor()(a)).toEqual({ x: 1, self: '[Circular]' });
  });
});

describe('k-anonymity', () => {
  it('withholds groups smaller than k and says which, without their sizes', () => {
    const r = withholdSmallGroups(
      [
        { key: 'icu', members: 12, value: 80 },
        { key: 'rare-disease', members: 2, value: 99 },
        { key: 'cardio', members: 5, value: 75 },
      ],
      5,
    );
    expect(r.groups.map((g) => g.key)).toEqual(['icu', 'cardio']);
    expect(r.withheld).toEqual({ groups: ['rare-disease'], reason: 'fewer than 5 members' });
    expect(r.releasedMembers).toBe(17);
    expect(JSON.stringify(r)).not.toContain('99');
  });

  it('counts distinct members, not samples', () => {
    const samples = [
      ...Array.from({ length: 50 }, (_, i) => ({ ward: 'a', twin: `a${i % 2}`, hr: 70 })),
      ...Array.from({ length: 6 }, (_, i) => ({ ward: 'b', twin: `b${i}`, hr: 60 + i })),
    ];
    const r = aggregateByGroup(samples, {
      groupOf: (s) => s.ward,
      memberOf: (s) => s.twin,
      valueOf: (s) => s.hr,
      k: 5,
    });
    expect(r.groups).toEqual([{ key: 'b', members: 6, value: 62.5 }]);
    expect(r.withheld.groups).toEqual(['a']);
  });

  it('refuses a k that is not a positive integer', () => {
    expect(() => withholdSmallGroups([], 0)).toThrow(RangeError);
  });
});
