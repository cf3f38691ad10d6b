/**
 * The story of one twin or one request, from a decision trace (`ars run --trace`): what it got, why it
 * waited, what it lost to. A streaming accumulator: feed every decision once, in trace order, then ask
 * for the story; memory is what concerns the subject, not the whole trace.
 */

import type { AttentionDecision, Decision } from '../../scheduler/decision.js';
import { AHEAD_KNOBS } from './ahead.js';

export interface StoryEvent {
  readonly time: number;
  readonly kind: string;
  readonly text: string;
}

export interface Story {
  readonly subject: string;
  /** what the subject turned out to be: a twin, a request (or task), an elastic pool or one of its nodes, a feedback controller */
  readonly kind: 'twin' | 'request' | 'pool' | 'controller' | 'unknown';
  readonly summary: readonly string[];
  readonly events: readonly StoryEvent[];
}

const round = (x: unknown, digits = 3) =>
  typeof x === 'number' && Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;

function topParts(parts: unknown, k = 3): string {
  if (!parts || typeof parts !== 'object') return '';
  const entries = Object.entries(parts as Record<string, number>)
    .filter(([, v]) => typeof v === 'number')
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]))
    .slice(0, k);
  return entries.map(([n, v]) => `${n} ${v >= 0 ? '+' : ''}${round(v)}`).join(', ');
}

/** Collects what concerns `subject` (a twin id, a request id `workload#n`, or a task id `workload#n/task`). */
export class StoryBuilder {
  readonly subject: string;
  readonly #events: StoryEvent[] = [];
  #refreshes: number[] = [];
  #attempts = 0;
  #lostAsRunnerUp = new Map<string, number>();
  #reasons = new Map<string, number>();
  #isTwin = false;
  #isRequest = false;
  #isPool = false;
  #isController = false;
  #scaled = { up: 0, down: 0 };
  #windows = 0;
  #lastParameters: Readonly<Record<string, number>> | undefined;
  #lastFeatures: Record<string, number> | undefined;
  #lastDetail: Record<string, unknown> | undefined;
  #waitingSince = new Map<string, number>();
  #placedWhileWaiting = new Map<string, number>();
  #waiting = 0;
  #firstTime = Number.NaN;
  #lastTime = Number.NaN;
  #decisions = 0;

  constructor(subject: string) {
    this.subject = subject;
  }

  /** Feeds one decision of the trace: every kind of the union is handled. */
  add(d: Decision): void {
    this.#decisions++;
    switch (d.kind) {
      case 'attention':
        this.#attention(d);
        return;
      case 'plan':
        this.#plan(d.time, d.subject, d.chosen, d.assignment);
        return;
      case 'scale':
        if (d.subject !== this.subject && d.chosen !== this.subject) return;
        this.#isPool = true;
        this.#note(d.time);
        this.#scaled[d.action]++;
        this.#events.push({
          time: d.time,
          kind: 'scale',
          text: `${d.chosen} switched ${d.action === 'up' ? 'on' : 'off'} in pool ${d.subject} (the scaler asked for ${d.desired} nodes)`,
        });
        return;
      case 'feedback': {
        if (d.subject !== this.subject) return;
        this.#isController = true;
        this.#note(d.time);
        this.#windows++;
        this.#lastParameters = d.parameters;
        const w = d.window;
        this.#events.push({
          time: d.time,
          kind: 'feedback',
          text:
            `window ${round(w.start)}–${round(w.end)} s: ${w.completions} done, miss rate ${round(w.deadlineMissRate)},` +
            ` weighted AoI ${round(w.weightedAoI)} s, compute ${round(w.computeUtilization)}, attention ${round(w.attentionUtilization)};` +
            ` parameters ${topParts(d.parameters, 4)}${aheadStory(d.parameters)}`,
        });
        return;
      }
      case 'place':
        this.#place(d);
        return;
    }
  }

  #attention(d: AttentionDecision): void {
    const s = this.subject;
    const detail = (d.detail ?? {}) as Record<string, unknown>;
    const runnerUp = detail.runnerUp as { twin?: string; overdue?: number } | null | undefined;
    if (d.subject === s) {
      this.#isTwin = true;
      this.#note(d.time);
      this.#lastFeatures = d.features as Record<string, number> | undefined;
      this.#lastDetail = d.detail ? detail : undefined;
      if (d.chosen !== null) this.#refreshes.push(d.time);
      // each allocator explains what it knows: ARS a target period, a share and features; the baselines nothing
      const why: string[] = [];
      if (detail.targetPeriod !== undefined)
        why.push(`target period ${round(detail.targetPeriod)} s, overdue ×${round(detail.overdue)}`);
      const slot = detail.slot as { node?: string; factor?: number } | undefined;
      if (slot?.node !== undefined)
        why.push(
          `; for a free slot on ${slot.node}, ${slot.factor !== undefined && slot.factor >= 1 ? 'where its group refreshes best' : `where its group refreshes at ×${round(slot.factor)} of its best`}`,
        );
      const scored: string[] = [];
      if (d.weight !== undefined) scored.push(`share ${round(d.weight)}`);
      if (d.score !== undefined) scored.push(`score ${round(d.score)}`);
      const features = d.features ? ` [${topParts(d.features)}]` : '';
      this.#events.push({
        time: d.time,
        kind: 'attention',
        text:
          `${d.chosen !== null ? `refreshed on ${d.chosen}` : 'chosen for attention but no node could take it'}` +
          ` at age ${round(d.age)} s` +
          (why.length > 0 ? ` (${why.join('')})` : '') +
          (scored.length > 0 || features ? `; ${scored.join(', ')}${features}` : '') +
          (d.runnerUp ? `; node runner-up ${d.runnerUp}` : ''),
      });
    } else if (runnerUp?.twin === s) {
      this.#isTwin = true;
      this.#lostAsRunnerUp.set(d.subject, (this.#lostAsRunnerUp.get(d.subject) ?? 0) + 1);
      if ((this.#lostAsRunnerUp.get(d.subject) ?? 0) <= 1)
        this.#events.push({
          time: d.time,
          kind: 'lost',
          text: `next in line (overdue ×${round(runnerUp.overdue)}) when attention went to ${d.subject} (overdue ×${round(detail.overdue)})`,
        });
    }
  }

  /** A request's plan (assignment by task id) or a batch plan (by item id): the subject's share of it. */
  #plan(
    time: number,
    subject: string,
    planner: string,
    assignment: Readonly<Record<string, string | null>>,
  ): void {
    const s = this.subject;
    let mine: [string, string | null][];
    if (subject === s) mine = Object.entries(assignment);
    else {
      mine = Object.entries(assignment).filter(([id]) => id === s || id.startsWith(`${s}/`));
      if (mine.length === 0) return;
    }
    this.#isRequest = true;
    this.#note(time);
    const shown = mine.slice(0, 6).map(([id, node]) => `${id} → ${node ?? 'regular placement'}`);
    this.#events.push({
      time,
      kind: 'plan',
      text: `planned by ${planner}${subject === s ? '' : ` (${subject})`}: ${shown.join(', ')}${mine.length > 6 ? `, … ${mine.length - 6} more` : ''}`,
    });
  }

  #place(d: Extract<Decision, { kind: 'place' }>): void {
    const s = this.subject;
    const mine =
      d.subject === s ||
      d.subject.startsWith(`${s}/`) ||
      (d.subject === `refresh:${s}` && (this.#isTwin = true));
    if (!mine) {
      // what got placed while one of the subject's items waited
      if (this.#waiting > 0 && d.chosen !== null)
        this.#placedWhileWaiting.set(d.subject, (this.#placedWhileWaiting.get(d.subject) ?? 0) + 1);
      return;
    }
    if (!d.subject.startsWith('refresh:')) this.#isRequest = true;
    this.#note(d.time);
    this.#attempts++;
    if (d.chosen === null) {
      const why = (d.unschedulable ?? (d.waiting ? { [String(d.waiting)]: 1 } : {})) as Record<
        string,
        number
      >;
      for (const [r, n] of Object.entries(why)) this.#reasons.set(r, (this.#reasons.get(r) ?? 0) + n);
      if (!this.#waitingSince.has(d.subject)) {
        this.#waitingSince.set(d.subject, d.time);
        this.#waiting++;
        this.#events.push({
          time: d.time,
          kind: 'wait',
          text: `${d.subject} could not be placed: ${Object.entries(why)
            .map(([r, n]) => `${r} (${n} node${n === 1 ? '' : 's'})`)
            .join(', ')}`,
        });
      }
      return;
    }
    const since = this.#waitingSince.get(d.subject);
    if (since !== undefined) {
      this.#waitingSince.delete(d.subject);
      this.#waiting--;
    }
    const best = d.candidates[0];
    const second = d.candidates[1];
    this.#events.push({
      time: d.time,
      kind: 'place',
      text:
        `${d.subject} → ${d.chosen}${since !== undefined ? ` after waiting ${round(d.time - since)} s` : ''}` +
        (best ? ` (score ${round(best.score)} [${topParts(best.parts)}])` : '') +
        (second ? `; runner-up ${second.id} (score ${round(second.score)} [${topParts(second.parts)}])` : ''),
    });
  }

  #note(t: number): void {
    if (Number.isNaN(this.#firstTime)) this.#firstTime = t;
    this.#lastTime = t;
  }

  /** The story so far. */
  story(): Story {
    const kind = this.#isTwin
      ? 'twin'
      : this.#isRequest
        ? 'request'
        : this.#isPool
          ? 'pool'
          : this.#isController
            ? 'controller'
            : 'unknown';
    const summary: string[] = [];
    if (kind === 'unknown') {
      summary.push(`no decision about "${this.subject}" in ${this.#decisions} decisions`);
    }
    if (kind === 'twin') {
      const r = this.#refreshes;
      const gaps = r.slice(1).map((t, i) => t - r[i]!);
      const mean = gaps.length > 0 ? gaps.reduce((a, b) => a + b, 0) / gaps.length : Number.NaN;
      const longest = gaps.length > 0 ? Math.max(...gaps) : Number.NaN;
      summary.push(
        `refreshed ${r.length} time${r.length === 1 ? '' : 's'} by attention` +
          (gaps.length > 0 ? `, every ${round(mean)} s on average, longest wait ${round(longest)} s` : ''),
      );
      if (this.#lastDetail?.targetPeriod !== undefined)
        summary.push(
          `last target period ${round(this.#lastDetail.targetPeriod)} s from share ${round(this.#lastDetail.softmax)} of the softmax at temperature ${round(this.#lastDetail.temperature)}`,
        );
      if (this.#lastFeatures) summary.push(`what drives its score: ${topParts(this.#lastFeatures, 6)}`);
      const lost = [...this.#lostAsRunnerUp].sort((a, b) => b[1] - a[1]);
      const total = lost.reduce((a, [, n]) => a + n, 0);
      if (total > 0)
        summary.push(
          `next in line ${total} time${total === 1 ? '' : 's'} without being chosen; lost most to ${lost
            .slice(0, 3)
            .map(([t, n]) => `${t} (${n})`)
            .join(', ')}`,
        );
    }
    if (kind === 'pool')
      summary.push(`switched on ${this.#scaled.up} time(s), off ${this.#scaled.down} time(s)`);
    if (kind === 'controller') {
      summary.push(`${this.#windows} metrics window${this.#windows === 1 ? '' : 's'} observed`);
      if (this.#lastParameters) summary.push(`parameters at the end: ${topParts(this.#lastParameters, 8)}`);
    }
    if (kind === 'request' || this.#attempts > 0) {
      summary.push(`${this.#attempts} placement attempt${this.#attempts === 1 ? '' : 's'}`);
      if (this.#reasons.size > 0)
        summary.push(
          `why it waited: ${[...this.#reasons]
            .sort((a, b) => b[1] - a[1])
            .map(([r, n]) => `${r} ×${n}`)
            .join(', ')}`,
        );
      const others = [...this.#placedWhileWaiting].sort((a, b) => b[1] - a[1]);
      if (others.length > 0)
        summary.push(
          `placed ahead of it while it waited: ${others.length} item${others.length === 1 ? '' : 's'}, e.g. ${others
            .slice(0, 3)
            .map(([t]) => t)
            .join(', ')}`,
        );
    }
    if (!Number.isNaN(this.#firstTime))
      summary.push(`first seen at ${round(this.#firstTime, 6)} s, last at ${round(this.#lastTime, 6)} s`);
    return { subject: this.subject, kind, summary, events: this.#events };
  }
}

/** What the simulate-ahead controller (ars-ahead, ahead.ts) did at a window, from its parameters. */
function aheadStory(p: Readonly<Record<string, number>>): string {
  if (p.aheadForks === undefined || p.aheadKnob === undefined || p.aheadKnob < 0) return '';
  const knob = AHEAD_KNOBS[p.aheadKnob] ?? `knob ${p.aheadKnob}`;
  const gain = p.aheadGain ?? 0;
  return (
    `; simulated ahead (${p.aheadRollouts} rollouts so far): best alternative ${knob} = ${round(p.aheadValue)},` +
    ` objective ${gain >= 0 ? 'lower' : 'higher'} by ${round(Math.abs(gain))} than the current setting's —` +
    ` ${p.aheadApplied ? 'applied' : 'kept the current setting'}`
  );
}
