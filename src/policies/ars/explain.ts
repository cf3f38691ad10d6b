/**
 * The story of one twin or one request, from a decision trace (`ars run --trace`): what it got, why it
 * waited, what it lost to. A streaming accumulator: feed every decision once, in trace order, then ask
 * for the story; memory is what concerns the subject, not the whole trace.
 */
import type { Decision } from '../../scheduler/scheduler.js';

export interface StoryEvent {
  readonly time: number;
  readonly kind: string;
  readonly text: string;
}

export interface Story {
  readonly subject: string;
  readonly kind: 'twin' | 'request' | 'unknown';
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

  /** Feeds one decision of the trace. */
  add(d: Decision): void {
    this.#decisions++;
    const s = this.subject;
    if (d.kind === 'attention') {
      const detail = (d.detail ?? {}) as Record<string, unknown>;
      const runnerUp = detail.runnerUp as { twin?: string; overdue?: number } | null | undefined;
      if (d.subject === s) {
        this.#isTwin = true;
        this.#note(d.time);
        this.#lastFeatures = d.features as Record<string, number> | undefined;
        this.#lastDetail = detail;
        if (d.chosen !== null) this.#refreshes.push(d.time);
        this.#events.push({
          time: d.time,
          kind: 'attention',
          text:
            `${d.chosen !== null ? `refreshed on ${d.chosen}` : 'chosen for attention but no node could take it'}` +
            ` at age ${round(d.age)} s (target period ${round(detail.targetPeriod)} s, overdue ×${round(detail.overdue)});` +
            ` share ${round(d.weight)}, score ${round(d.score)} [${topParts(d.features)}]` +
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
      return;
    }
    if (d.kind !== 'place') return;
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
    const kind = this.#isTwin ? 'twin' : this.#isRequest ? 'request' : 'unknown';
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
      if (this.#lastDetail)
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
