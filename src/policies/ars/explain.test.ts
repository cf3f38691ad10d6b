import { describe, expect, it } from 'vitest';
import { runScenario } from '../../experiment/run.js';
import { loadScenario } from '../../model/index.js';
import { parseTraceLine, traceLine } from '../../report/trace-file.js';
import { DECISION_KINDS, type Decision } from '../../scheduler/decision.js';
import { policyNames } from '../index.js';
import { StoryBuilder } from './explain.js';

const attention = (
  time: number,
  subject: string,
  runnerUp: string | null,
  chosen: string | null = 'edge-0',
): Decision => ({
  time,
  kind: 'attention',
  subject,
  chosen,
  runnerUp: 'edge-1',
  candidates: [{ id: 'edge-0', score: 1, parts: { 'ars-finish': 1 } }],
  score: 1.2,
  weight: 0.01,
  features: { criticality: 0.8, cost: 0.2, suspicion: 0, uncertainty: 0, demand: 0.1, fairness: 0 },
  detail: {
    targetPeriod: 3,
    overdue: 1.1,
    softmax: 0.02,
    temperature: 1,
    runnerUp: runnerUp ? { twin: runnerUp, overdue: 0.9 } : null,
  },
  age: 3.3,
});

const place = (time: number, subject: string, chosen: string | null): Decision => ({
  time,
  kind: 'place',
  subject,
  chosen,
  runnerUp: chosen ? 'fog-0' : null,
  candidates: chosen
    ? [
        { id: chosen, score: 1.5, parts: { 'ars-finish': 1, 'ars-reserve': 0.5 } },
        { id: 'fog-0', score: 1.2, parts: { 'ars-finish': 0.7, 'ars-reserve': 0.5 } },
      ]
    : [],
  ...(chosen ? {} : { unschedulable: { 'not enough free compute': 3 } }),
});

describe('ars explain', () => {
  it('tells a twin what it got and what it lost to', () => {
    const b = new StoryBuilder('press-1');
    b.add(attention(1, 'press-1', 'press-2'));
    b.add(attention(2, 'press-9', 'press-1'));
    b.add(attention(3, 'press-9', 'press-1'));
    b.add(attention(4, 'press-1', null));
    const s = b.story();
    expect(s.kind).toBe('twin');
    expect(s.summary.join('\n')).toMatch(/refreshed 2 times by attention, every 3 s on average/);
    expect(s.summary.join('\n')).toMatch(/lost most to press-9 \(2\)/);
    expect(s.events.filter((e) => e.kind === 'lost')).toHaveLength(1);
    expect(s.events[0]!.text).toMatch(/criticality \+0\.8/);
  });

  it('tells a request why its tasks waited and what went ahead of them', () => {
    const b = new StoryBuilder('query#7');
    b.add(place(1, 'query#7/fetch', null));
    b.add(place(1.5, 'other#3/run', 'edge-2'));
    b.add(place(2, 'query#7/fetch', null));
    b.add(place(2.5, 'query#7/fetch', 'edge-1'));
    b.add(place(3, 'query#70/fetch', 'edge-1'));
    const s = b.story();
    expect(s.kind).toBe('request');
    const text = s.summary.join('\n');
    expect(text).toMatch(/3 placement attempts/);
    expect(text).toMatch(/not enough free compute ×6/);
    expect(text).toMatch(/placed ahead of it while it waited: 1 item, e\.g\. other#3\/run/);
    expect(s.events.at(-1)!.text).toMatch(/after waiting 1\.5 s.*runner-up fog-0/);
  });

  it('says when the trace has nothing about the subject', () => {
    const b = new StoryBuilder('nobody');
    b.add(attention(1, 'press-1', null));
    expect(b.story().kind).toBe('unknown');
  });

  it('tells a request how a planner assigned it, on arrival or in a batch', () => {
    const b = new StoryBuilder('query#7');
    b.add({
      time: 1,
      kind: 'plan',
      subject: 'query#7',
      chosen: 'heft',
      candidates: [],
      assignment: { fetch: 'edge-1' },
    });
    b.add({
      time: 2,
      kind: 'plan',
      subject: 'batch of 2',
      chosen: 'minmin',
      candidates: [],
      assignment: { 'query#7/run': 'fog-0', 'other#1/run': null },
    });
    const s = b.story();
    expect(s.kind).toBe('request');
    expect(s.events.map((e) => e.text)).toEqual([
      'planned by heft: fetch → edge-1',
      'planned by minmin (batch of 2): query#7/run → fog-0',
    ]);
  });

  it('tells a pool how it scaled and a feedback controller what it saw and set', () => {
    const pool = new StoryBuilder('burst');
    pool.add({
      time: 5,
      kind: 'scale',
      subject: 'burst',
      chosen: 'burst-2',
      candidates: [],
      action: 'up',
      desired: 3,
    });
    expect(pool.story().kind).toBe('pool');
    expect(pool.story().events[0]!.text).toBe(
      'burst-2 switched on in pool burst (the scaler asked for 3 nodes)',
    );
    const fb = new StoryBuilder('ars-feedback');
    const window = {
      start: 0,
      end: 30,
      arrivals: 9,
      completions: 8,
      deadlineMisses: 1,
      deadlineMissRate: 0.125,
      weightedAoI: 2,
      computeUtilization: 0.5,
      attentionUtilization: 0.75,
      jain: 1,
      queueLength: 0,
    };
    fb.add({
      time: 30,
      kind: 'feedback',
      subject: 'ars-feedback',
      chosen: null,
      candidates: [],
      window,
      parameters: { temperature: 1.5 },
    });
    const story = fb.story();
    expect(story.kind).toBe('controller');
    expect(story.summary.join('\n')).toMatch(/parameters at the end: temperature \+1\.5/);
  });

  it('reads a trace of every policy on an example without an undefined anywhere in the story', () => {
    const scenario = loadScenario('examples/seed-case-study.yaml');
    for (const policy of policyNames()) {
      const lines: string[] = [];
      runScenario(scenario, { policy, horizon: 60, trace: { record: (d) => lines.push(traceLine(d)) } });
      const decisions = lines.map((l) => parseTraceLine(l.trimEnd()));
      for (const d of decisions) expect(typeof d, policy).toBe('object');
      const seen = new Set((decisions as Decision[]).map((d) => d.kind));
      for (const k of seen) expect(DECISION_KINDS).toContain(k);
      // up to three subjects of each kind: twins, requests, pools, controllers
      const byKind = new Map<string, Set<string>>();
      const note = (kind: string, subject: string) => {
        const set = byKind.get(kind) ?? new Set<string>();
        if (set.size < 3) set.add(subject);
        byKind.set(kind, set);
      };
      for (const d of decisions as Decision[]) {
        if (d.kind === 'place') {
          if (d.chosen !== null) note('place', d.subject.split('/')[0]!);
        } else note(d.kind, d.subject);
      }
      const subjects = [...byKind.values()].flatMap((set) => [...set]);
      for (const subject of subjects) {
        const b = new StoryBuilder(subject);
        for (const d of decisions as Decision[]) b.add(d);
        const story = b.story();
        expect(story.kind, `${policy} ${subject}`).not.toBe('unknown');
        expect(JSON.stringify(story), `${policy} ${subject}`).not.toMatch(/undefined|NaN/);
      }
    }
  }, 120_000);

  it('reads lines written before the format was versioned, and refuses another version', () => {
    const d: Decision = {
      time: 1,
      kind: 'scale',
      subject: 'g',
      chosen: 'n',
      candidates: [],
      action: 'up',
      desired: 2,
    };
    const line = traceLine(d);
    expect(line.startsWith('{"v":1,"time":1,')).toBe(true);
    expect(parseTraceLine(line)).toEqual(d);
    expect(parseTraceLine(JSON.stringify(d))).toEqual(d);
    expect(parseTraceLine(JSON.stringify({ ...d, v: 2 }))).toMatch(/version 2; this ars reads version 1/);
    expect(parseTraceLine(JSON.stringify({ ...d, kind: 'dance' }))).toMatch(/`kind` must be one of/);
    expect(parseTraceLine('{')).toBe('not a JSON line');
  });
});
