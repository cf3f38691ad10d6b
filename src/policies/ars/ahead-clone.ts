/**
 * A deep copy of an object graph of plain records and class instances (prototypes kept), for copying the
 * demand forecasts into a rollout. Arrays, typed arrays, Maps and Sets are copied; shared references and
 * cycles stay shared within the copy; functions are kept as they are (they are the copy's callbacks too).
 * Classes with `#private` fields cannot be copied this way (their fields are not own properties); the
 * forecasters (src/forecast) have none.
 */
export function cloneGraph<T>(x: T): T {
  return copy(x, new Map()) as T;
}

function copy(x: unknown, seen: Map<object, unknown>): unknown {
  if (x === null || typeof x !== 'object') return x;
  const done = seen.get(x);
  if (done !== undefined) return done;
  if (ArrayBuffer.isView(x)) {
    const t = (x as unknown as { slice(): unknown }).slice();
    seen.set(x, t);
    return t;
  }
  if (Array.isArray(x)) {
    const a: unknown[] = [];
    seen.set(x, a);
    for (const v of x) a.push(copy(v, seen));
    return a;
  }
  if (x instanceof Map) {
    const m = new Map();
    seen.set(x, m);
    for (const [k, v] of x) m.set(copy(k, seen), copy(v, seen));
    return m;
  }
  if (x instanceof Set) {
    const s = new Set();
    seen.set(x, s);
    for (const v of x) s.add(copy(v, seen));
    return s;
  }
  const o = Object.create(Object.getPrototypeOf(x)) as Record<string, unknown>;
  seen.set(x, o);
  for (const k of Object.keys(x)) o[k] = copy((x as Record<string, unknown>)[k], seen);
  return o;
}
