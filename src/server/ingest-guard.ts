/**
 * Who may store telemetry: the same rule for HTTP and MQTT. Every sample's thing must be of the
 * principal's tenant (another tenant's thing is "unknown", exactly as an absent one), and the principal
 * needs WRITE on each `features/<feature>/properties/<property>` it sends under the thing's policy. The
 * tenant's telemetry rate is charged for the whole batch (all or nothing).
 */
import { type Principal, SecurityError } from '../security/index.js';
import type { SampleInput, Store } from '../store/store.js';
import { LOCAL_ADMIN, type ServerGuard } from './guard.js';

export type IngestVerdict =
  | { ok: true }
  | { ok: false; reason: 'unknown-thing'; index: number }
  | { ok: false; reason: 'forbidden'; index: number; path: string };

export async function authorizeIngest(
  guard: ServerGuard,
  store: Store,
  p: Principal,
  samples: readonly SampleInput[],
): Promise<IngestVerdict> {
  if (p === LOCAL_ADMIN) return { ok: true };
  const things = new Map<string, Awaited<ReturnType<Store['getThing']>>>();
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    let thing = things.get(s.thingId);
    if (thing === undefined && !things.has(s.thingId)) {
      thing = await store.getThing(s.thingId);
      things.set(s.thingId, thing);
    }
    if (thing === undefined) return { ok: false, reason: 'unknown-thing', index: i };
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
