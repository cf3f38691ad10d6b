/**
 * Sensitive data stays where it may: when a scenario sets `privacy.sensitiveNodes`, refreshes of twins
 * with `sensitive` fields, tasks reading such twins and tasks marked `sensitive` run only on the nodes the
 * selector matches. It is one Filter added to every policy's profile (so every policy obeys it the same
 * way), plus a guard on planners' assignments so that a plan never parks such work on a node it may not
 * use. Scenarios without `privacy` get their profile back untouched: their runs do not change.
 */
import { describeSelector, nodeLabels, selects } from '../../model/privacy.js';
import type { Scenario } from '../../model/scenario.js';
import type { Filter, Planner, RequestPlanView } from '../../scheduler/plugins.js';
import { buildProfile, type Profile } from '../../scheduler/profile.js';
import { type NodeView, OK, type Status, type WorkItem } from '../../scheduler/types.js';

export const SENSITIVE_PLACEMENT = 'sensitive-placement';

/** What the filter knows, built once per run from the scenario. */
export interface SensitiveRule {
  readonly filter: Filter;
  /** true when the item carries sensitive data */
  sensitive(item: WorkItem): boolean;
  /** true when the node may process sensitive data */
  allowed(node: Pick<NodeView, 'index' | 'tier' | 'zone' | 'group'>): boolean;
  /** per workload id: which task positions carry sensitive data (planners see tasks by position) */
  readonly sensitiveTasks: ReadonlyMap<string, readonly boolean[]>;
}

export function sensitiveRule(scenario: Scenario): SensitiveRule | undefined {
  const privacy = scenario.privacy;
  if (!privacy) return undefined;
  const selector = privacy.sensitiveNodes;
  const groupLabels = new Map(scenario.nodeGroups.map((g) => [g.id, g.labels]));
  const sensitiveTwin = scenario.twins.map((t) => t.sensitive.length > 0);
  const sensitiveGroups = new Set(scenario.twins.filter((t) => t.sensitive.length > 0).map((t) => t.group));
  const sensitiveTasks = new Map(
    scenario.workloads.map((w) => [
      w.id,
      w.tasks.map((t) => t.sensitive === true || (t.twin !== undefined && sensitiveGroups.has(t.twin.group))),
    ]),
  );
  const anyMarkedTask = scenario.workloads.some((w) => w.tasks.some((t) => t.sensitive === true));
  // per node index: 1 allowed, 0 refused, -1 not yet known (nodes are stable for a run; cache them)
  const verdict = new Int8Array(scenario.nodes.length).fill(-1);
  const allowed = (node: Pick<NodeView, 'index' | 'tier' | 'zone' | 'group'>): boolean => {
    const cached = verdict[node.index];
    if (cached !== undefined && cached >= 0) return cached === 1;
    const ok = selects(selector, nodeLabels(node, groupLabels.get(node.group)));
    if (node.index < verdict.length) verdict[node.index] = ok ? 1 : 0;
    return ok;
  };
  const taskMarked = (item: WorkItem): boolean => {
    // a task's id is `<workload>#<request>/<task>`; ids contain neither # nor /
    const hash = item.id.indexOf('#');
    const slash = item.id.lastIndexOf('/');
    const tasks = scenario.workloads.find((w) => w.id === item.id.slice(0, hash))?.tasks;
    const id = item.id.slice(slash + 1);
    return tasks?.some((t) => t.id === id && t.sensitive === true) ?? false;
  };
  let lastUid = -1;
  let lastSensitive = false;
  const sensitive = (item: WorkItem): boolean => {
    if (item.uid === lastUid) return lastSensitive;
    lastUid = item.uid;
    lastSensitive =
      (item.twin >= 0 && sensitiveTwin[item.twin] === true) ||
      (anyMarkedTask && item.type === 'task' && taskMarked(item));
    return lastSensitive;
  };
  const refusal: Status = Object.freeze({
    ok: false as const,
    reason: `sensitive data may run only where ${describeSelector(selector)}`,
  });
  const filter: Filter = {
    name: SENSITIVE_PLACEMENT,
    explainRefusals: true,
    filter: (item, node) => (!sensitive(item) || allowed(node) ? OK : refusal),
  };
  return { filter, sensitive, allowed, sensitiveTasks };
}

/** A planner whose assignments of sensitive work to refused nodes are dropped to regular placement (-1). */
function guardPlanner(planner: Planner, rule: SensitiveRule): Planner {
  const guarded: { -readonly [K in keyof Planner]: Planner[K] } = { name: planner.name };
  if (planner.planRequest) {
    guarded.planRequest = (request: RequestPlanView, s) => {
      const plan = planner.planRequest!(request, s);
      const marks = rule.sensitiveTasks.get(request.id.slice(0, request.id.indexOf('#')));
      if (!marks) return plan;
      for (let i = 0; i < plan.length; i++) {
        const node = plan[i]! >= 0 ? s.nodes[plan[i]!] : undefined;
        if (marks[i] && node && !rule.allowed(node)) plan[i] = -1;
      }
      return plan;
    };
  }
  if (planner.planBatch) {
    guarded.planBatch = (items, s) => {
      const plan = planner.planBatch!(items, s);
      for (let i = 0; i < plan.length; i++) {
        const node = plan[i]! >= 0 ? s.nodes[plan[i]!] : undefined;
        if (node && !rule.filter.filter(items[i]!, node, s).ok) plan[i] = -1;
      }
      return plan;
    };
  }
  return guarded;
}

/**
 * The profile with sensitive placement enforced, or the same profile when the scenario has no `privacy`
 * section. Call it on a fresh profile (one per run), as the registry hands out.
 */
export function withSensitivePlacement(profile: Profile, scenario: Scenario): Profile {
  const rule = sensitiveRule(scenario);
  if (!rule) return profile;
  const planner = profile.planner ? guardPlanner(profile.planner, rule) : undefined;
  return buildProfile({
    name: profile.name,
    description: profile.description,
    queueSort: profile.queueSort,
    filters: [...profile.filters, rule.filter],
    scores: [...profile.scores],
    ...(planner ? { planner } : {}),
    attention: profile.attention,
    ...(profile.feedback ? { feedback: profile.feedback } : {}),
    ...(profile.scaler ? { scaler: profile.scaler } : {}),
    params: { ...profile.params },
  });
}
