/**
 * Sensitive fields at rest: a `Store` wrapper that seals (AES-256-GCM, `FieldCipher`) or drops every
 * sensitive field of a thing or a telemetry sample before the store sees it, and opens sealed values on the
 * way out. Everything above the wrapper (routes, events, the runtime) works with plain values; the database
 * file holds only envelopes `ars:enc:v1:<key id>:…` (or nothing, in drop mode).
 *
 * Contexts bind a ciphertext to its place (`thing:<id>/<path>`, `sample:<thing id>/<path>`), so a value
 * copied to another field or thing does not open. A search cannot match a sealed value (the database
 * compares ciphertexts), which is why a sensitive field is not searchable, whatever the policy.
 */
import { type AtRest, type FieldCipher, protect, reveal, type SensitiveFields } from '../security/index.js';
import type { Feature, JsonObject, Sample, SampleInput, Store, Thing, ThingInput } from '../store/store.js';

export interface SensitiveOptions {
  fields: SensitiveFields;
  atRest: AtRest;
  /** required in encrypt mode */
  cipher?: FieldCipher;
}

type SampleFeatures = SampleInput['features'];

/** Sample features `{ f: { p: v } }` in the thing's shape `{ features: { f: { properties: { p: v } } } }`. */
const asThing = (features: SampleFeatures) => ({
  features: Object.fromEntries(Object.entries(features).map(([f, props]) => [f, { properties: props }])),
});

const fromThing = (doc: unknown): SampleFeatures => {
  const features = (doc as { features?: Record<string, Feature> }).features ?? {};
  return Object.fromEntries(
    Object.entries(features).map(([f, v]) => [f, (v.properties ?? {}) as JsonObject]),
  ) as SampleFeatures;
};

/** Most opened values kept in memory (plaintext the server serves anyway); the cache empties when full. */
const OPEN_CACHE_MAX = 50_000;

/**
 * A cipher whose `open` remembers what it opened, keyed by context and envelope (a fresh IV per seal makes
 * every envelope unique, so a stale entry is impossible): reading an unchanged thing again costs no
 * AES-GCM. Values are kept as JSON text so that no caller can alias another's copy.
 */
function cachingOpen(cipher: FieldCipher): FieldCipher {
  const opened = new Map<string, string>();
  const open = (envelope: string, context: string): unknown => {
    const key = `${context}\u0000${envelope}`;
    const hit = opened.get(key);
    if (hit !== undefined) return JSON.parse(hit);
    const value = cipher.open(envelope, context);
    if (opened.size >= OPEN_CACHE_MAX) opened.clear();
    opened.set(key, JSON.stringify(value) ?? 'null');
    return value;
  };
  return { open } as unknown as FieldCipher;
}

export function protectStore(store: Store, options: SensitiveOptions): Store {
  const { fields, atRest } = options;
  if (fields.empty) return store;
  if (atRest === 'encrypt' && !options.cipher)
    throw new TypeError('protectStore: encrypt mode needs a FieldCipher');
  const cipher = options.cipher;
  const opener = cipher ? cachingOpen(cipher) : undefined;

  const sealThing = <T extends ThingInput>(t: T): T => {
    const { attributes, features } = protect(
      { attributes: t.attributes, features: t.features },
      fields,
      atRest,
      `thing:${t.thingId}`,
      cipher,
    ) as Pick<ThingInput, 'attributes' | 'features'>;
    return { ...t, attributes, features };
  };
  const openThing = <T extends Thing | undefined>(t: T): T => {
    if (t === undefined || !opener) return t;
    const { attributes, features } = reveal(
      { attributes: t.attributes, features: t.features },
      `thing:${t.thingId}`,
      opener,
    ) as Pick<ThingInput, 'attributes' | 'features'>;
    return { ...t, attributes, features };
  };
  const sealSample = (s: SampleInput): SampleInput => ({
    ...s,
    features: fromThing(protect(asThing(s.features), fields, atRest, `sample:${s.thingId}`, cipher)),
  });
  const openSample = (s: Sample): Sample =>
    opener ? { ...s, features: fromThing(reveal(asThing(s.features), `sample:${s.thingId}`, opener)) } : s;

  const overrides: Partial<Store> = {
    getThing: async (id) => openThing(await store.getThing(id)),
    putThing: async (input, condition) => {
      const w = await store.putThing(sealThing(input), condition);
      return w.ok ? { ...w, thing: openThing(w.thing) } : w;
    },
    updateThing: async (id, update, condition) => {
      const w = await store.updateThing(id, (current) => sealThing(update(openThing(current))), condition);
      return w.ok ? { ...w, thing: openThing(w.thing) } : w;
    },
    deleteThing: async (id, condition) => {
      const w = await store.deleteThing(id, condition);
      return w.ok ? { ...w, thing: openThing(w.thing) } : w;
    },
    listThings: async (query) => {
      const page = await store.listThings(query);
      return { ...page, items: page.items.map(openThing) };
    },
    appendSamples: (samples, opts) => store.appendSamples(samples.map(sealSample), opts),
    listSamples: async (query) => (await store.listSamples(query)).map(openSample),
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      const own = (overrides as Record<string | symbol, unknown>)[prop];
      if (own !== undefined) return own;
      const v = Reflect.get(target, prop, receiver);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
