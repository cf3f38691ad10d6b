/**
 * A decision as one tenant's subject may read it, wherever it is served: the live routes
 * (`/live/decisions`, explanations) and the event stream (`/api/v1/events`). ARS's attention decisions about
 * one twin also name the runner-up twin (of any tenant) and the forecasters' switches of every group: the
 * runner-up stays only when it is the tenant's own twin, the switches always go. Other kinds are the tenant's
 * own facts (its subject, the platform's nodes) and pass as they are.
 */

/** The decision fields this cleanup reads: a `Decision` of the trace, or its JSON on the event bus. */
interface DecisionLike {
  readonly kind: string;
  readonly detail?: unknown;
}

/** The runner-up twin an attention decision names, if any. */
export function runnerUpTwin(d: DecisionLike): string | undefined {
  if (d.kind !== 'attention' || d.detail === null || typeof d.detail !== 'object') return undefined;
  const twin = ((d.detail as { runnerUp?: unknown }).runnerUp as { twin?: unknown } | null | undefined)?.twin;
  return typeof twin === 'string' ? twin : undefined;
}

/**
 * `d` without what `tenant` may not see; `ownerOf` names the tenant of a twin (undefined when unknown: the
 * runner-up is then dropped). Returns `d` itself when nothing is to be removed.
 */
export function decisionForTenant<D extends DecisionLike>(
  d: D,
  tenant: string,
  ownerOf: (twin: string) => string | undefined,
): D {
  if (d.kind !== 'attention' || d.detail === null || typeof d.detail !== 'object') return d;
  const { runnerUp, forecastSwitches: _platform, ...rest } = d.detail as Record<string, unknown>;
  const twin = runnerUpTwin(d);
  const own = twin !== undefined && ownerOf(twin) === tenant;
  return { ...d, detail: { ...rest, ...(own ? { runnerUp } : {}) } };
}
