import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../principal.js';
import { BIT, type PolicyDocument, parsePolicy, permissionsOf } from './document.js';
import {
  assertKeepsAdministrators,
  assertMergePatch,
  checkMergePatch,
  checkPermissions,
  checkSearch,
  policyManagers,
} from './enforce.js';
import { CompiledPolicy } from './evaluator.js';
import { matchRql } from './rql.js';

/** A patient twin and the hospital's policy: nurses read vitals, not identity; the device writes vitals. */
const hospital = parsePolicy({
  policyId: 'icu:bed-7',
  entries: {
    owner: {
      subjects: ['role:admin'],
      resources: { 'thing:/': { grant: ['READ', 'WRITE'] }, 'policy:/': { grant: ['READ', 'WRITE'] } },
    },
    nurses: {
      subjects: { 'tenant:icu/role:nurse': { type: 'ward staff' } },
      resources: {
        'thing:/': { grant: ['READ'] },
        'thing:/attributes/identity': { revoke: ['READ'] },
      },
    },
    device: {
      subjects: ['node:bed-7'],
      resources: { 'thing:/features/vitals/properties': { grant: ['WRITE'] } },
    },
    researchers: {
      subjects: ['role:research'],
      resources: {
        'thing:/features/vitals/properties/heartRate': { grant: ['READ'] },
        'thing:/features': { revoke: ['WRITE'] },
      },
    },
  },
});

const thing = {
  thingId: 'icu:bed-7',
  attributes: { ward: 'icu', identity: { name: 'Jane Roe', mrn: 'MRN-0042' } },
  features: { vitals: { properties: { heartRate: 71, spo2: 97 } } },
};

const who = (subject: string, tenant: string | undefined, roles: string[]): Principal => ({
  kind: 'user',
  subject,
  tenant,
  roles,
});
const admin = who('oidc:root', undefined, ['admin']);
const nurse = who('oidc:nina', 'icu', ['nurse']);
const otherNurse = who('oidc:olaf', 'cardiology', ['nurse']);
const device: Principal = {
  kind: 'agent',
  subject: 'node:bed-7',
  tenant: 'icu',
  roles: ['agent'],
  nodeId: 'bed-7',
};
const researcher = who('oidc:rita', 'uni', ['research']);

const compiled = new CompiledPolicy(hospital);

describe('policy evaluation', () => {
  it('permissions flow down the path', () => {
    const v = compiled.viewFor(nurse);
    expect(v.has('thing:/', 'READ')).toBe(true);
    expect(v.has('thing:/features/vitals/properties/spo2', 'READ')).toBe(true);
    expect(v.has('thing:/does/not/exist/yet', 'READ')).toBe(true);
  });

  it('a revoke beats a grant on its path and below', () => {
    const v = compiled.viewFor(nurse);
    expect(v.has('thing:/attributes/identity', 'READ')).toBe(false);
    expect(v.has('thing:/attributes/identity/name', 'READ')).toBe(false);
    expect(v.has('thing:/attributes/ward', 'READ')).toBe(true);
  });

  it('a revoke higher up beats a grant deeper down', () => {
    const p = new CompiledPolicy(
      parsePolicy({
        entries: {
          a: {
            subjects: ['s'],
            resources: { 'thing:/x': { revoke: ['READ'] }, 'thing:/x/y': { grant: ['READ', 'WRITE'] } },
          },
        },
      }),
    );
    expect(p.forSubjects(['s']).permissions('thing:/x/y')).toEqual(['WRITE']);
  });

  it('write does not imply read, and read does not imply write', () => {
    const d = compiled.viewFor(device);
    expect(d.has('thing:/features/vitals/properties/heartRate', 'WRITE')).toBe(true);
    expect(d.has('thing:/features/vitals/properties/heartRate', 'READ')).toBe(false);
    expect(compiled.viewFor(nurse).has('thing:/features/vitals', 'WRITE')).toBe(false);
  });

  it('a subject no entry names may do nothing; the tenant is part of the subject', () => {
    expect(compiled.viewFor(otherNurse).permissions('thing:/')).toEqual([]);
    expect(compiled.forSubjects(['anonymous']).permissions('thing:/')).toEqual([]);
  });

  it('combines every entry that names any of the principal’s subject ids', () => {
    const both = who('oidc:nina', 'icu', ['nurse', 'research']);
    const v = compiled.viewFor(both);
    expect(v.has('thing:/features/vitals/properties/heartRate', 'READ')).toBe(true);
    expect(v.has('thing:/attributes/identity', 'READ')).toBe(false);
  });

  it('rejects a malformed document with the path of the problem', () => {
    expect(() =>
      parsePolicy({
        entries: { a: { subjects: ['s'], resources: { 'thing:/': { grant: ['READ', 'DELETE'] } } } },
      }),
    ).toThrow(expect.objectContaining({ code: 'ARS_E_POLICY_INVALID' }));
    expect(() =>
      parsePolicy({ entries: { a: { subjects: ['s'], resources: { 'twin:/': { grant: ['READ'] } } } } }),
    ).toThrow(/policy\.entries\.a\.resources/);
    expect(() => parsePolicy({ entries: { a: { subjects: [], resources: {} } } })).toThrow(/subjects/);
  });
});

describe('reads are filtered to readable fields', () => {
  it('the nurse sees everything but the identity', () => {
    expect(compiled.viewFor(nurse).filter(thing)).toEqual({
      thingId: 'icu:bed-7',
      attributes: { ward: 'icu' },
      features: { vitals: { properties: { heartRate: 71, spo2: 97 } } },
    });
  });

  it('the researcher sees only the heart rate; the device and strangers see nothing', () => {
    expect(compiled.viewFor(researcher).filter(thing)).toEqual({
      features: { vitals: { properties: { heartRate: 71 } } },
    });
    expect(compiled.viewFor(device).filter(thing)).toBeUndefined();
    expect(compiled.viewFor(otherNurse).filter(thing)).toBeUndefined();
  });

  it('filters an event payload at its own path', () => {
    const event = { properties: { heartRate: 80, spo2: 95 } };
    expect(compiled.viewFor(researcher).filter(event, ['features', 'vitals'])).toEqual({
      properties: { heartRate: 80 },
    });
    expect(compiled.viewFor(nurse).filter({ name: 'x' }, ['attributes', 'identity'])).toBeUndefined();
  });

  it('no forbidden value appears anywhere in the filtered JSON', () => {
    const text = JSON.stringify(compiled.viewFor(nurse).filter(thing));
    expect(text).not.toContain('Jane Roe');
    expect(text).not.toContain('MRN-0042');
  });
});

describe('merge patches are checked whole', () => {
  it('the device may patch vitals', () => {
    expect(
      checkMergePatch(compiled.viewFor(device), { properties: { heartRate: 90 } }, ['features', 'vitals']),
    ).toEqual({
      ok: true,
    });
  });

  it('a patch touching one unwritable path is refused whole, naming it', () => {
    const patch = { features: { vitals: { properties: { heartRate: 90 } } }, attributes: { ward: 'x' } };
    expect(checkMergePatch(compiled.viewFor(device), patch)).toEqual({
      ok: false,
      paths: ['thing:/attributes/ward'],
    });
    expect(() => assertMergePatch(compiled.viewFor(device), patch)).toThrow(
      expect.objectContaining({ code: 'ARS_E_FORBIDDEN' }),
    );
  });

  it('deleting (null) or replacing a subtree needs WRITE on all of it', () => {
    const p = new CompiledPolicy(
      parsePolicy({
        entries: {
          a: {
            subjects: ['s'],
            resources: { 'thing:/': { grant: ['WRITE'] }, 'thing:/attributes/locked': { revoke: ['WRITE'] } },
          },
        },
      }),
    ).forSubjects(['s']);
    expect(checkMergePatch(p, { attributes: null }).ok).toBe(false);
    expect(checkMergePatch(p, { attributes: 'replaced' }).ok).toBe(false);
    expect(checkMergePatch(p, { attributes: { other: 1 } }).ok).toBe(true);
    expect(checkMergePatch(p, { attributes: { locked: { x: 1 } } }).ok).toBe(false);
  });

  it('a researcher whose WRITE is revoked on features cannot write there even with a grant elsewhere', () => {
    expect(checkMergePatch(compiled.viewFor(researcher), { features: { vitals: null } }).ok).toBe(false);
  });
});

describe('search cannot filter or sort on an unreadable field (no oracle)', () => {
  it('allows readable fields and refuses hidden ones, naming only the fields given', () => {
    const v = compiled.viewFor(nurse);
    expect(
      checkSearch(
        v,
        'and(eq(attributes/ward,"icu"),gt(features/vitals/properties/heartRate,60))',
        'sort(-thingId)',
      ).sort,
    ).toEqual([{ field: 'thingId', descending: true }]);
    expect(() => checkSearch(v, 'like(attributes/identity/name,"Jane*")', undefined)).toThrow(
      expect.objectContaining({ code: 'ARS_E_FORBIDDEN', detail: { fields: ['attributes/identity/name'] } }),
    );
    expect(() => checkSearch(v, undefined, 'sort(+attributes/identity/mrn)')).toThrow(
      expect.objectContaining({ code: 'ARS_E_FORBIDDEN' }),
    );
    // a filter on a parent of a hidden field would compare the hidden value too
    expect(() => checkSearch(v, 'exists(attributes)', undefined)).toThrow(
      expect.objectContaining({ code: 'ARS_E_FORBIDDEN' }),
    );
  });

  it('a field revoked after the fact is no longer searchable', () => {
    const before = new CompiledPolicy(hospital).viewFor(researcher);
    expect(() =>
      checkSearch(before, 'gt(features/vitals/properties/heartRate,100)', undefined),
    ).not.toThrow();
    const revoked = parsePolicy({
      entries: {
        ...Object.fromEntries(hospital.entries.map((e) => [e.label, toInput(e)])),
        stop: { subjects: ['role:research'], resources: { 'thing:/features/vitals': { revoke: ['READ'] } } },
      },
    });
    const after = new CompiledPolicy(revoked).viewFor(researcher);
    expect(() => checkSearch(after, 'gt(features/vitals/properties/heartRate,100)', undefined)).toThrow(
      expect.objectContaining({ code: 'ARS_E_FORBIDDEN' }),
    );
  });

  it('matches on the filtered view, so a hidden value never decides a match', () => {
    const q = checkSearch(compiled.viewFor(nurse), 'or(eq(attributes/ward,"icu"),exists(thingId))', undefined)
      .filter!;
    expect(matchRql(q, compiled.viewFor(nurse).filter(thing))).toBe(true);
  });

  it('refuses a filter that does not parse with its column', () => {
    expect(() => checkSearch(compiled.viewFor(nurse), 'eq(attributes/ward,', undefined)).toThrow(
      expect.objectContaining({ code: 'ARS_E_QUERY_INVALID' }),
    );
    expect(() => checkSearch(compiled.viewFor(nurse), 'drop(x)', undefined)).toThrow(/column 1/);
  });
});

describe('check-permissions', () => {
  it('answers per labelled question', () => {
    expect(
      checkPermissions(compiled.viewFor(device), {
        writeVitals: { resource: 'thing:/features/vitals/properties/heartRate', hasPermissions: ['WRITE'] },
        readVitals: { resource: 'thing:/features/vitals/properties/heartRate', hasPermissions: ['READ'] },
        both: { resource: 'thing:/features/vitals', hasPermissions: ['READ', 'WRITE'] },
        policy: { resource: 'policy:/', hasPermissions: ['WRITE'] },
      }),
    ).toEqual({ writeVitals: true, readVitals: false, both: false, policy: false });
  });

  it('refuses an unknown permission or resource type', () => {
    const v = compiled.viewFor(nurse);
    expect(() =>
      checkPermissions(v, { q: { resource: 'thing:/', hasPermissions: ['DELETE' as 'READ'] } }),
    ).toThrow(expect.objectContaining({ code: 'ARS_E_POLICY_INVALID' }));
    expect(() => checkPermissions(v, { q: { resource: 'twin:/', hasPermissions: ['READ'] } })).toThrow();
  });
});

describe('administrators cannot be locked out', () => {
  it('accepts a policy that keeps a manager and names it', () => {
    expect(policyManagers(hospital)).toEqual(['role:admin']);
    expect(() => assertKeepsAdministrators(hospital)).not.toThrow();
  });

  it('refuses removing the owner entry, or revoking its WRITE on policy:/ or below', () => {
    const without = { ...hospital, entries: hospital.entries.filter((e) => e.label !== 'owner') };
    expect(() => assertKeepsAdministrators(without)).toThrow(
      expect.objectContaining({ code: 'ARS_E_POLICY_INVALID' }),
    );
    const revoked = parsePolicy({
      entries: {
        owner: { subjects: ['role:admin'], resources: { 'policy:/': { grant: ['WRITE'] } } },
        lock: { subjects: ['role:admin'], resources: { 'policy:/entries': { revoke: ['WRITE'] } } },
      },
    });
    expect(() => assertKeepsAdministrators(revoked)).toThrow(
      expect.objectContaining({ code: 'ARS_E_POLICY_INVALID' }),
    );
  });
  it('the admin principal manages the policy through its role', () => {
    expect(compiled.viewFor(admin).has('policy:/entries/nurses', 'WRITE')).toBe(true);
  });
});

function toInput(e: PolicyDocument['entries'][number]) {
  return {
    subjects: [...e.subjects],
    resources: Object.fromEntries(
      e.resources.map((r) => [
        `${r.type}:/${r.path.join('/')}`,
        { grant: permissionsOf(r.grant), revoke: permissionsOf(r.revoke) },
      ]),
    ),
  };
}

// ---------------------------------------------------------------------------------------------------
// Differential property: the indexed evaluator and filter agree with a naive scan over the entries.

const SEGMENTS = ['a', 'b', 'c'];
const pathArb = fc.array(fc.constantFrom(...SEGMENTS), { maxLength: 3 });
const permsArb = fc.subarray(['READ', 'WRITE', 'EXECUTE'] as const);
const docArb = fc
  .array(
    fc.record({
      subjects: fc.subarray(['s1', 's2', 's3'], { minLength: 1 }),
      resources: fc.array(fc.record({ path: pathArb, grant: permsArb, revoke: permsArb }), { maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 4 },
  )
  .map((entries) =>
    parsePolicy({
      entries: Object.fromEntries(
        entries.map((e, i) => [
          `e${i}`,
          {
            subjects: e.subjects,
            resources: Object.fromEntries(
              e.resources.map((r) => [`thing:/${r.path.join('/')}`, { grant: r.grant, revoke: r.revoke }]),
            ),
          },
        ]),
      ),
    }),
  );

function naiveBits(doc: PolicyDocument, ids: readonly string[], path: readonly string[]): number {
  let g = 0;
  let r = 0;
  for (const e of doc.entries) {
    if (!e.subjects.some((s) => ids.includes(s))) continue;
    for (const rule of e.resources) {
      if (rule.type !== 'thing' || rule.path.length > path.length) continue;
      if (rule.path.every((seg, i) => path[i] === seg)) {
        g |= rule.grant;
        r |= rule.revoke;
      }
    }
  }
  return g & ~r;
}

type Tree = { [k: string]: Tree | number };
const treeArb: fc.Arbitrary<Tree> = fc.letrec((tie) => ({
  tree: fc.dictionary(fc.constantFrom(...SEGMENTS, 'd'), fc.oneof(fc.integer(), tie('tree')), { maxKeys: 4 }),
})).tree as fc.Arbitrary<Tree>;

function leaves(v: unknown, path: string[] = [], out: string[] = []): string[] {
  if (v !== null && typeof v === 'object' && Object.keys(v).length > 0) {
    for (const [k, c] of Object.entries(v as Record<string, unknown>)) leaves(c, [...path, k], out);
  } else if (v !== undefined) out.push(path.join('/'));
  return out;
}

describe('the indexed evaluator agrees with a naive scan (property)', () => {
  it('bits at every path', () => {
    fc.assert(
      fc.property(docArb, fc.subarray(['s1', 's2', 's3']), pathArb, (doc, ids, path) => {
        expect(new CompiledPolicy(doc).forSubjects(ids).bits('thing', path)).toBe(naiveBits(doc, ids, path));
      }),
      { numRuns: 500 },
    );
  });

  it('filter keeps exactly the leaves whose path is readable', () => {
    fc.assert(
      fc.property(docArb, fc.subarray(['s1', 's2', 's3']), treeArb, (doc, ids, tree) => {
        const view = new CompiledPolicy(doc).forSubjects(ids);
        const kept = leaves(view.filter(tree));
        const readable = leaves(tree).filter(
          (l) => (naiveBits(doc, ids, l === '' ? [] : l.split('/')) & BIT.READ) !== 0,
        );
        expect(kept.sort()).toEqual(readable.sort());
      }),
      { numRuns: 500 },
    );
  });

  it('a merge patch passes only if every leaf it writes, and all below, is writable', () => {
    fc.assert(
      fc.property(docArb, fc.subarray(['s1', 's2', 's3']), treeArb, (doc, ids, patch) => {
        const view = new CompiledPolicy(doc).forSubjects(ids);
        const ok = checkMergePatch(view, patch).ok;
        const writable = leaves(patch).every((l) => {
          const path = l === '' ? [] : l.split('/');
          if ((naiveBits(doc, ids, path) & BIT.WRITE) === 0) return false;
          // nothing below may revoke WRITE
          return doc.entries.every(
            (e) =>
              !e.subjects.some((s) => ids.includes(s)) ||
              e.resources.every(
                (r) =>
                  (r.revoke & BIT.WRITE) === 0 ||
                  r.path.length <= path.length ||
                  !path.every((seg, i) => r.path[i] === seg),
              ),
          );
        });
        expect(ok).toBe(writable);
      }),
      { numRuns: 500 },
    );
  });
});
