/**
 * Request submission: by the name of a scenario workload (with parameters) or ad hoc (tasks with compute and
 * attention demand, the twins they read, a deadline). Checked with zod; every problem is reported with a
 * JSON Pointer to the field, as the HTTP API promises.
 */
import { z } from 'zod';
import type { Scenario } from '../model/scenario.js';
import { tierSchema } from '../model/schema.js';
import type { LiveTaskSpec } from './model.js';

const taskId = z.string().min(1).max(128);

export const adHocTaskSchema = z.strictObject({
  id: taskId,
  kind: z.string().min(1).default('generic'),
  /** the agent handler to run; default: the kind when it names a handler, else `work` */
  handler: z.string().min(1).optional(),
  work: z.number().positive(),
  compute: z.number().positive().default(1),
  attention: z.number().nonnegative().default(0),
  tier: tierSchema.optional(),
  /** thing ids (`tenant:name`) or twin ids the task reads */
  twins: z.array(z.string().min(1)).default([]),
  /** the oldest twin state the task accepts (seconds); older twins are refreshed first */
  maxAge: z.number().positive().optional(),
  after: z.array(taskId).default([]),
});

export const submitSchema = z
  .strictObject({
    /** a workload of the served scenario */
    workload: z.string().min(1).optional(),
    tenant: z.string().min(1).optional(),
    priority: z.number().int().optional(),
    /** seconds after submission */
    deadline: z.number().positive().optional(),
    tasks: z.array(adHocTaskSchema).min(1).max(1000).optional(),
    params: z.record(z.string(), z.unknown()).default({}),
  })
  .refine((r) => (r.workload === undefined) !== (r.tasks === undefined), {
    message: 'give either `workload` (a scenario workload name) or `tasks` (an ad hoc DAG), not both',
  });
export type SubmitBody = z.output<typeof submitSchema>;

/** A located problem in a request body: RFC 6901 JSON Pointer, what was wrong. */
export interface BodyIssue {
  readonly pointer: string;
  readonly message: string;
}

export function pointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${String(p).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export function zodIssues(error: z.ZodError): BodyIssue[] {
  return error.issues.map((i) => ({ pointer: pointer(i.path), message: i.message }));
}

export interface PlannedRequest {
  readonly workload: string;
  readonly tenant: string;
  readonly priority: number;
  readonly deadline: number | undefined;
  readonly tasks: LiveTaskSpec[];
}

/** Resolves twins by thing id or twin id; picks a random member for a scenario task's asset group. */
export interface TwinResolver {
  byName(name: string): number | undefined;
  pickFromGroup(group: string): number | undefined;
  handlerFor(kind: string): string;
}

/**
 * Builds the task list of a submission. Returns issues instead of throwing: an unknown workload, twin, tenant
 * or task reference is the caller's error (HTTP 400/404), each with its pointer.
 *
 * `scope`, when the caller acts for a tenant: another tenant's workloads and twins are unknown to it, with the
 * very answer an absent one gets (the list of known workloads names its own only), so that nothing of
 * another tenant can be probed.
 */
export function planRequest(
  body: SubmitBody,
  scenario: Scenario | undefined,
  tenants: ReadonlySet<string>,
  twins: TwinResolver,
  scope?: { readonly tenant: string; readonly tenantOf: (twin: number) => string },
): { ok: true; request: PlannedRequest } | { ok: false; status: number; issues: BodyIssue[] } {
  const caller = scope?.tenant;
  if (scope) twins = ownTwins(twins, scope.tenant, scope.tenantOf);
  if (body.workload !== undefined) {
    const known = (scenario?.workloads ?? []).filter((x) => caller === undefined || x.tenant === caller);
    const w = known.find((x) => x.id === body.workload);
    if (!w)
      return {
        ok: false,
        status: 404,
        issues: [
          {
            pointer: '/workload',
            message: `unknown workload "${body.workload}"; known: ${known.map((x) => x.id).join(', ') || (scenario ? 'none' : 'none (no scenario served)')}`,
          },
        ],
      };
    const tasks: LiveTaskSpec[] = [];
    // tasks reading the same asset group share one twin, as in the simulator
    const chosen = new Map<string, number>();
    for (const t of w.tasks) {
      let twinList: number[] = [];
      if (t.twin) {
        let pick = chosen.get(t.twin.group);
        if (pick === undefined) {
          pick = twins.pickFromGroup(t.twin.group);
          if (pick !== undefined) chosen.set(t.twin.group, pick);
        }
        twinList = pick === undefined ? [] : [pick];
      }
      tasks.push({
        id: t.id,
        kind: t.kind,
        handler: twins.handlerFor(t.kind),
        work: t.work,
        compute: t.compute,
        attention: t.attention,
        tier: t.tier,
        twins: twinList,
        maxAge: t.twin?.maxAge,
        after: t.inEdges.map((e) => w.edges[e]!.from),
      });
    }
    return {
      ok: true,
      request: {
        workload: w.id,
        tenant: body.tenant ?? w.tenant,
        priority: body.priority ?? w.priority,
        deadline: body.deadline ?? w.deadline,
        tasks,
      },
    };
  }
  const issues: BodyIssue[] = [];
  const tenant = body.tenant ?? (tenants.has('default') ? 'default' : [...tenants][0]!);
  if (!tenants.has(tenant))
    issues.push({
      pointer: '/tenant',
      message: `unknown tenant "${tenant}"; known: ${[...tenants].join(', ')}`,
    });
  const specs = body.tasks!;
  const index = new Map<string, number>();
  specs.forEach((t, i) => {
    if (index.has(t.id)) issues.push({ pointer: `/tasks/${i}/id`, message: `duplicate task id "${t.id}"` });
    index.set(t.id, i);
  });
  const tasks: LiveTaskSpec[] = specs.map((t, i) => {
    const after: number[] = [];
    t.after.forEach((a, k) => {
      const j = index.get(a);
      if (j === undefined) issues.push({ pointer: `/tasks/${i}/after/${k}`, message: `unknown task "${a}"` });
      else after.push(j);
    });
    const twinList: number[] = [];
    t.twins.forEach((name, k) => {
      const x = twins.byName(name);
      if (x === undefined)
        issues.push({ pointer: `/tasks/${i}/twins/${k}`, message: `unknown twin "${name}"` });
      else twinList.push(x);
    });
    return {
      id: t.id,
      kind: t.kind,
      handler: t.handler ?? twins.handlerFor(t.kind),
      work: t.work,
      compute: t.compute,
      attention: t.attention,
      tier: t.tier,
      twins: twinList,
      maxAge: t.maxAge,
      after,
    };
  });
  if (issues.length === 0 && hasCycle(tasks))
    issues.push({ pointer: '/tasks', message: "the tasks' `after` lists form a cycle" });
  if (issues.length > 0) return { ok: false, status: 400, issues };
  return {
    ok: true,
    request: { workload: 'ad-hoc', tenant, priority: body.priority ?? 0, deadline: body.deadline, tasks },
  };
}

/** A resolver that knows one tenant's twins only (a scenario workload of the tenant reads its own groups). */
function ownTwins(twins: TwinResolver, tenant: string, tenantOf: (twin: number) => string): TwinResolver {
  const mine = (i: number | undefined) => (i !== undefined && tenantOf(i) === tenant ? i : undefined);
  return {
    byName: (name) => mine(twins.byName(name)),
    pickFromGroup: (group) => mine(twins.pickFromGroup(group)),
    handlerFor: (kind) => twins.handlerFor(kind),
  };
}

function hasCycle(tasks: readonly LiveTaskSpec[]): boolean {
  const state = new Uint8Array(tasks.length); // 0 new, 1 on the path, 2 done
  const visit = (i: number): boolean => {
    if (state[i] === 1) return true;
    if (state[i] === 2) return false;
    state[i] = 1;
    for (const j of tasks[i]!.after) if (visit(j)) return true;
    state[i] = 2;
    return false;
  };
  return tasks.some((_, i) => visit(i));
}
