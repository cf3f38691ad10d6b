/**
 * Who may store telemetry: the same rule for HTTP and MQTT. Every sample's thing must be of the
 * principal's tenant (another tenant's thing is "unknown", exactly as an absent one), and the principal
 * needs WRITE on each `features/<feature>/properties/<property>` it sends under the thing's policy. The
 * tenant's telemetry rate is charged for the whole batch (all or nothing).
 */
import { type Principal, SecurityError } from '../security/index.js';
import type { SampleInput, Store } from '../store/store.js';
import type { EventBus } from './events.js';
import { LOCAL_ADMIN, type ServerGuard } from './guard.js';

export type IngestVerdict =
  | { ok: true }
  | { ok: false; reason: 'unknown-thing'; index: number }
  | { ok: false; reason: 'forbidden'; index: number; path: string };

/** What ingest needs of a thing: its tenant and policy id, or null when it does not exist. */
type Governance = { tenant: string; policyId?: string | undefined } | null;

const CACHE_MAX = 100_000;

/**
 * Tenant and policy id of things, remembered between ingest batches so that a batch does not read every
 * thing it names from the store. An entry is dropped on every twin event of its thing (created, modified,
 * refreshed, deleted), so a changed `policyId` or a deleted thing is seen by the next batch.
 */
class GovernanceCache {
  readonly #known = new Map<string, Governance>();
  constructor(
    private readonly store: Store,
    events: EventBus,
  ) {
    events.subscribe({ types: ['twin'] }, (e) => {
      if (e.type === 'twin') this.#known.delete(e.thingId);
    });
  }

  async get(thingId: string): Promise<Governance> {
    const hit = this.#known.get(thingId);
    if (hit !== undefined) return hit;
    const t = await this.store.getThing(thingId);
    const g: Governance = t ? { tenant: t.tenant, policyId: t.policyId } : null;
    // absent things are not remembered: one may be created without this process seeing an event
    if (g !== null) {
      if (this.#known.size >= CACHE_MAX) this.#known.clear();
      this.#known.set(thingId, g);
    }
    return g;
  }
}

const caches = new WeakMap<Store, GovernanceCache>();

function governanceOf(store: Store, events: EventBus | undefined) {
  if (!events) return { get: async (id: string) => store.getThing(id).then((t) => t ?? null) };
  let c = caches.get(store);
  if (!c) caches.set(store, (c = new GovernanceCache(store, events)));
  return c;
}

export async function authorizeIngest(
  guard: ServerGuard,
  store: Store,
  p: Principal,
  samples: readonly SampleInput[],
  events?: EventBus,
): Promise<IngestVerdict> {
  if (p === LOCAL_ADMIN) return { ok: true };
  const governance = governanceOf(store, events);
  const things = new Map<string, Governance>();
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    let thing = things.get(s.thingId);
    if (thing === undefined) {
      thing = await governance.get(s.thingId);
      things.set(s.thingId, thing);
    }
    if (thing === null) return { ok: false, reason: 'unknown-thing', index: i };
    if (!guard.visible(p, thing.tenant)) return { ok: false, reason: 'unknown-thing', index: i };
    const view = guard.view(p, thing);
    for (const [feature, props] of Object.entries(s.features)) {
      for (const prop of Object.keys(props)) {
        if ((view.bits('thing', ['features', feature, 'properties', prop]) & 2) === 0)
          return {
            ok: false,
            reason: 'forbidden',
            index: i,
            path: `features/${feature}/properties/${prop}`,
          };
      }
    }
  }
  if (guard.limiter && p.tenant !== undefined) guard.limiter.samples(p.tenant, samples.length, guard.now());
  return { ok: true };
}

export function ingestRefusal(v: Exclude<IngestVerdict, { ok: true }>, thingId: string): SecurityError {
  return v.reason === 'forbidden'
    ? new SecurityError('ARS_E_FORBIDDEN', `not allowed to write ${v.path} of thing ${thingId}`, {
        index: v.index,
      })
    : new SecurityError('ARS_E_NOT_FOUND', `no thing ${thingId}; nothing of the batch was stored`, {
        index: v.index,
      });
}
