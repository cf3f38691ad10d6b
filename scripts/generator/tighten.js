// The tighter-deadline variant of a scenario: every workload's deadline multiplied by one factor, nothing else
// changed (the same transformation for every scenario, nothing chosen per example). Where a read that finds
// its twin stale often cannot wait for an on-demand refresh, the freshness floors show what they buy: the
// evaluation's tighter-deadline study (scripts/evaluate.js) and the defaults' training
// (learn-defaults.js, `--tighten`) both use it.

/** the factor both use unless told otherwise */
export const TIGHTER = 2 / 3;

/** Whether any of the scenario's workloads has a deadline (else tightening changes nothing). */
export function hasDeadlines(scenario) {
  return scenario.workloads.some((w) => w.deadline !== undefined);
}

/** The scenario with every workload's deadline × `factor`. */
export function tightened(scenario, factor = TIGHTER) {
  return {
    ...scenario,
    workloads: scenario.workloads.map((w) =>
      w.deadline === undefined ? w : { ...w, deadline: w.deadline * factor },
    ),
  };
}
