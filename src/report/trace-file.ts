import { DECISION_KINDS, type Decision, TRACE_VERSION } from '../scheduler/decision.js';

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
  const { v: _version, ...decision } = r;
  const problem = decisionProblem(decision);
  return problem === undefined ? (decision as unknown as Decision) : `not a decision: ${problem}`;
}

const KINDS: ReadonlySet<string> = new Set(DECISION_KINDS);

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isNumberMap = (v: unknown) => isRecord(v) && Object.values(v).every((x) => typeof x === 'number');

/** What is wrong with `d` as a decision ("`time` must be a number"), or undefined when it is one. */
export function decisionProblem(d: unknown): string | undefined {
  if (!isRecord(d)) return 'not a decision object';
  if (typeof d.time !== 'number' || !Number.isFinite(d.time)) return '`time` must be a finite number';
  if (typeof d.kind !== 'string' || !KINDS.has(d.kind))
    return `\`kind\` must be one of ${[...KINDS].join(', ')}`;
  if (typeof d.subject !== 'string') return '`subject` must be a string';
  if (d.chosen !== null && typeof d.chosen !== 'string') return '`chosen` must be a string or null';
  if (d.runnerUp !== undefined && d.runnerUp !== null && typeof d.runnerUp !== 'string')
    return '`runnerUp` must be a string or null';
  if (!Array.isArray(d.candidates)) return '`candidates` must be a list';
  for (const [i, c] of d.candidates.entries()) {
    if (!isRecord(c) || typeof c.id !== 'string' || typeof c.score !== 'number' || !isNumberMap(c.parts))
      return `\`candidates[${i}]\` must be { id: string, score: number, parts: { name: number } }`;
  }
  for (const key of ['age', 'score', 'weight'])
    if (d[key] !== undefined && typeof d[key] !== 'number') return `\`${key}\` must be a number`;
  if (d.features !== undefined && !isNumberMap(d.features)) return '`features` must map names to numbers';
  if (d.detail !== undefined && !isRecord(d.detail)) return '`detail` must be an object';
  return undefined;
}
