import { describe, expect, it } from 'vitest';
import type { Principal } from '../principal.js';
import { PolicySet } from './policy-set.js';

const owner = { subjects: ['role:admin'], resources: { 'policy:/': { grant: ['READ', 'WRITE'] } } };
const nurse: Principal = { kind: 'user', subject: 'oidc:nina', tenant: 'icu', roles: ['nurse'] };

describe('policy set', () => {
  it('a change takes effect on the next event of an open stream', () => {
    const set = new PolicySet();
    set.put('bed-7', {
      entries: {
        owner,
        nurses: { subjects: ['tenant:icu/role:nurse'], resources: { 'thing:/': { grant: ['READ'] } } },
      },
    });
    // an open stream filters each event with the view current at that moment
    const delivered: unknown[] = [];
    const push = (event: unknown) => {
      const v = set.viewFor('bed-7', nurse).filter(event, ['features', 'vitals']);
      if (v !== undefined) delivered.push(v);
    };
    const changes: number[] = [];
    set.onChange((v) => changes.push(v.version));
    push({ properties: { heartRate: 70 } });
    set.put('bed-7', {
      entries: {
        owner,
        nurses: {
          subjects: ['tenant:icu/role:nurse'],
          resources: {
            'thing:/': { grant: ['READ'] },
            'thing:/features/vitals/properties/heartRate': { revoke: ['READ'] },
          },
        },
      },
    });
    push({ properties: { heartRate: 71, spo2: 97 } });
    push({ properties: { heartRate: 72 } });
    expect(delivered).toEqual([{ properties: { heartRate: 70 } }, { properties: { spo2: 97 } }]);
    expect(changes).toEqual([2]);
  });

  it('refuses a change that would lock administrators out and keeps the current version', () => {
    const set = new PolicySet();
    set.put('p', { entries: { owner } });
    expect(() =>
      set.put('p', {
        entries: { other: { subjects: ['x'], resources: { 'thing:/': { grant: ['READ'] } } } },
      }),
    ).toThrow(expect.objectContaining({ code: 'ARS_E_POLICY_INVALID' }));
    expect(set.get('p')!.version).toBe(1);
    expect(() => set.viewFor('missing', nurse)).toThrow(expect.objectContaining({ code: 'ARS_E_NOT_FOUND' }));
  });
});
