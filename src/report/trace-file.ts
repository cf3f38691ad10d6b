import { closeSync, openSync, writeSync } from 'node:fs';
import { DECISION_KINDS, type Decision, type DecisionSink, TRACE_VERSION } from '../scheduler/decision.js';

/** The line of one decision: the format version first, then the decision's own fields in their order. */
export function traceLine(d: Decision): string {
  return `{"v":${TRACE_VERSION},${JSON.stringify(d).slice(1)}\n`;
}

/**
 * What a line of a trace file holds, or why it is not a decision this version can read. Lines without `v`
 * (written before the format was versioned) are read as version 1, which has the same fields.
 */
export function parseTraceLine(line: string): Decision | string {
  let d: unknown;
  try {
    d = JSON.parse(line);
  } catch {
    return 'not a JSON line';
  }
  if (d === null || typeof d !== 'object' || Array.isArray(d))
    return 'not a decision (expected a JSON object)';
  const r = d as Record<string, unknown>;
  if (r.v !== undefined && r.v !== TRACE_VERSION)
    return `trace format version ${JSON.stringify(r.v)}; this ars reads version ${TRACE_VERSION}`;
  if (typeof r.kind !== 'string' || !(DECISION_KINDS as readonly string[]).includes(r.kind))
    return `not a decision (kind must be one of ${DECISION_KINDS.join(', ')}, got ${JSON.stringify(r.kind)})`;
  if (typeof r.subject !== 'string' || typeof r.time !== 'number')
    return 'not a decision (needs a numeric time and a string subject)';
  if (!Array.isArray(r.candidates)) return 'not a decision (needs candidates, a list)';
  const { v: _version, ...decision } = r;
  return decision as unknown as Decision;
}
