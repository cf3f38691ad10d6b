// The store wrapper that seals (or drops) sensitive fields before storage: what the database holds, what
// callers get back, merge-patch read-modify-write, samples, and a ciphertext moved to another thing.
import { describe, expect, it } from 'vitest';
import { FieldCipher, generateKey, parseKeyring, SensitiveFields } from '../security/index.js';
import { openSqliteStore } from '../store/sqlite.js';
import { protectStore } from './sensitive-store.js';

const cipher = new FieldCipher(parseKeyring(generateKey(), 'test'));
const fields = new SensitiveFields(['heartRate', 'attributes/identity']);
const doc = {
  thingId: 'icu:bed-1',
  tenant: 'icu',
  attributes: { ward: 'icu', identity: { name: 'Jane Roe' } },
  features: { vitals: { properties: { heartRate: 81, spo2: 97 } } },
};

describe('protectStore', () => {
  it('seals sensitive fields at rest and opens them for callers', async () => {
    const raw = openSqliteStore({ path: ':memory:' });
    const store = protectStore(raw, { fields, atRest: 'encrypt', cipher });
    const w = await store.putThing(doc);
    expect(w.ok && w.thing.features.vitals!.properties).toEqual({ heartRate: 81, spo2: 97 });
    const stored = (await raw.getThing('icu:bed-1'))!;
    expect(JSON.stringify(stored)).not.toContain('Jane Roe');
    expect(stored.features.vitals!.properties!.heartRate).toMatch(/^ars:enc:v1:/);
    expect(stored.attributes.identity).toMatch(/^ars:enc:v1:/);
    expect(stored.attributes.ward).toBe('icu');
    expect((await store.getThing('icu:bed-1'))!.attributes.identity).toEqual({ name: 'Jane Roe' });
    // a read-modify-write sees plain values and stores sealed ones
    const u = await store.updateThing('icu:bed-1', (t) => ({
      ...t,
      features: { vitals: { properties: { ...t.features.vitals!.properties, heartRate: 90 } } },
    }));
    expect(u.ok && u.thing.features.vitals!.properties!.heartRate).toBe(90);
    expect((await raw.getThing('icu:bed-1'))!.features.vitals!.properties!.heartRate).toMatch(/^ars:enc:v1:/);
    expect((await store.listThings({ limit: 10 })).items[0]!.attributes.identity).toEqual({
      name: 'Jane Roe',
    });
    // samples too
    const a = await store.appendSamples([
      { thingId: 'icu:bed-1', time: 1, features: { vitals: { heartRate: 77 } } },
    ]);
    expect(a.ok).toBe(true);
    expect(
      (await raw.listSamples({ thingId: 'icu:bed-1', limit: 5 }))[0]!.features.vitals!.heartRate,
    ).toMatch(/^ars:enc:v1:/);
    expect((await store.listSamples({ thingId: 'icu:bed-1', limit: 5 }))[0]!.features).toEqual({
      vitals: { heartRate: 77 },
    });
    await raw.close();
  });

  it('a ciphertext copied to another thing does not open', async () => {
    const raw = openSqliteStore({ path: ':memory:' });
    const store = protectStore(raw, { fields, atRest: 'encrypt', cipher });
    await store.putThing(doc);
    const sealed = (await raw.getThing('icu:bed-1'))!;
    await raw.putThing({ ...sealed, thingId: 'icu:bed-2' });
    await expect(store.getThing('icu:bed-2')).rejects.toMatchObject({ code: 'ARS_E_CRYPTO' });
    await raw.close();
  });

  it('drop mode never stores the fields', async () => {
    const raw = openSqliteStore({ path: ':memory:' });
    const store = protectStore(raw, { fields, atRest: 'drop' });
    const w = await store.putThing(doc);
    expect(w.ok && w.thing.attributes).toEqual({ ward: 'icu' });
    expect(w.ok && w.thing.features.vitals!.properties).toEqual({ spo2: 97 });
    await raw.close();
  });
});
