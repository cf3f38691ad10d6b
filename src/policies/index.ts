// The policy catalogue: every named policy that `ars run --policy` accepts.
// Filled in by the scheduler framework; the model layer only needs the names, to report unknown ones.

/** Names of every registered policy, sorted. */
export function policyNames(): string[] {
  return [];
}
