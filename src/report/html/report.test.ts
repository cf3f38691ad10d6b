import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { detectInput, renderReport } from './report.js';

const estimate = (mean: number, ci95: number | null = 0.1) => ({ mean, ci95 });
const compareDoc = {
  scenario: 'demo</script><script>alert(1)</script>',
  replications: 2,
  seeds: [1, 2],
  results: ['fifo', 'drf'].map((policy, i) => ({
    policy,
    metrics: {
      requests: {
        completed: estimate(10),
        latency: {
          mean: estimate(1 + i),
          p50: estimate(1),
          p95: estimate(2 + i),
          p99: estimate(3),
          max: estimate(4),
        },
      },
      twins: { weightedAoI: estimate(5 - i) },
      fairness: {
        jain: estimate(0.9),
        tenants: { a: { service: estimate(0.8) }, b: { service: estimate(0.6) } },
      },
    },
  })),
};

describe('ars report', () => {
  it('tells documents apart by their shape', () => {
    expect(detectInput(compareDoc)?.kind).toBe('compare');
    expect(detectInput({ scenario: 's', policy: 'fifo', seed: 1, horizon: 10, requests: {} })?.kind).toBe(
      'run',
    );
    expect(detectInput({ policy: 'heft', makespan: 3, schedule: [] })?.kind).toBe('plan');
    expect(detectInput({ points: [], parameters: [], policies: [] })?.kind).toBe('sweep');
    expect(detectInput({ factory: { ars: { wAoI: { values: [1], mean: 1, ci95: 0 } } } })?.kind).toBe(
      'evaluation',
    );
    expect(detectInput({ hello: 1 })).toBeUndefined();
    expect(detectInput([1, 2])).toBeUndefined();
  });

  it('writes one page that fetches nothing, with a policy that allows exactly its own scripts and style', () => {
    const html = renderReport({ kind: 'compare', doc: compareDoc });
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|(src|href)="https?:/);
    const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)![1]!;
    const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(2);
    for (const s of scripts) expect(csp).toContain(createHash('sha256').update(s).digest('base64'));
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(csp).toContain(createHash('sha256').update(style).digest('base64'));
    // a hostile scenario name ends neither the data block nor a script
    expect(html).not.toContain('<script>alert(1)');
    const data = /<script type="application\/json" id="ars-data">([\s\S]*?)<\/script>/.exec(html)![1]!;
    expect(JSON.parse(data).charts[0].series.map((s: { label: string }) => s.label)).toEqual(['fifo', 'drf']);
  });

  it('draws a bar per policy for each metric, and marks the best only where a direction exists', () => {
    const html = renderReport({ kind: 'compare', doc: compareDoc });
    const bars = [...html.matchAll(/data-chart="bars" data-series="(\d+)" role="img" aria-label="([^"]+)"/g)];
    expect(bars.map((b) => b[2])).toEqual([
      'requests completed',
      'latency mean (s)',
      'latency p95 (s)',
      'latency p99 (s)',
      'weighted AoI (s)',
      'Jain&#39;s index',
    ]);
    expect(bars.every((b) => b[1] === '2')).toBe(true);
    expect(html.match(/ ★<\/text>/g)).toHaveLength(3); // latency mean, p95 and weighted AoI; not the equal ones
  });
});
