/**
 * The decisions the world itself traces, besides the runtime's placements and attention choices: a
 * planner's plan (per request or per batch), a pool's scaling step, a feedback window. One builder per
 * variant of the typed union (src/scheduler/decision.ts), so the rooms that decide (requests.ts, pools.ts,
 * accounting.ts) write the same fields in the same order (the JSON lines are compared byte for byte).
 */
import type { FeedbackDecision, PlanDecision, ScaleDecision } from '../scheduler/decision.js';
import type { MetricsWindow } from '../scheduler/plugins.js';

export function planDecision(
  time: number,
  subject: string,
  planner: string,
  assignment: Readonly<Record<string, string | null>>,
): PlanDecision {
  return { time, kind: 'plan', subject, chosen: planner, candidates: [], assignment };
}

export function scaleDecision(
  time: number,
  group: string,
  node: string,
  action: 'up' | 'down',
  desired: number,
): ScaleDecision {
  return { time, kind: 'scale', subject: group, chosen: node, candidates: [], action, desired };
}

export function feedbackDecision(
  time: number,
  controller: string,
  window: MetricsWindow,
  parameters: Readonly<Record<string, number>>,
): FeedbackDecision {
  return { time, kind: 'feedback', subject: controller, chosen: null, candidates: [], window, parameters };
}
