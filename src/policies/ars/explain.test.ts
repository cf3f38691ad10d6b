import { describe, expect, it } from 'vitest';
import type { Decision } from '../../scheduler/scheduler.js';
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
});
