import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { detectInput, planUtilisation, renderReport } from './report.js';

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

  it('draws the latency CDF of each policy through the quantiles its result keeps', () => {
    const html = renderReport({ kind: 'compare', doc: compareDoc });
    const svg = /<svg[^>]*data-chart="cdf"[\s\S]*?<\/svg>/.exec(html)?.[0];
    expect(svg).toContain('data-series="2"');
    const lines = [...svg!.matchAll(/<polyline points="([^"]+)"/g)].map((m) => m[1]!.split(' ').length);
    expect(lines).toEqual([4, 4]); // p50, p95, p99, max
    expect(svg).toContain('drf: 95 % at or below 3<');
  });

  it('shows a plan as a Gantt chart and as a processor × time utilisation heatmap', () => {
    const schedule = [
      { task: 1, processor: 'p1', start: 0, finish: 5 },
      { task: 2, processor: 'p2', start: 5, finish: 10 },
      { task: 3, processor: 'p1', start: 7.5, finish: 10 },
    ];
    const u = planUtilisation(schedule, 10, 4);
    expect(u.processors).toEqual(['p1', 'p2']);
    expect(u.edges).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(u.busy).toEqual([
      [1, 1, 0, 1],
      [0, 0, 1, 1],
    ]);
    const html = renderReport({ kind: 'plan', doc: { policy: 'heft', makespan: 10, schedule } });
    expect(html).toContain('data-chart="gantt" data-series="2"');
    expect(html).toMatch(
      /data-chart="heatmap" data-series="2" role="img" aria-label="busy share per processor/,
    );
  });

  it('draws the utilisation series of a run as a node kind × time heatmap, windows grouped to 40 columns', () => {
    const windows = 100;
    const run = {
      scenario: 's',
      policy: 'fifo',
      seed: 1,
      horizon: 100,
      warmup: 0,
      requests: {},
      series: {
        start: 0,
        window: 1,
        windows,
        series: {
          'utilization.compute.edge': {
            kind: 'level' as const,
            mean: Array.from({ length: windows }, (_, i) => i / 100),
          },
          'utilization.attention.edge': {
            kind: 'level' as const,
            mean: Array.from({ length: windows }, () => null),
          },
          'queue.length': { kind: 'level' as const, mean: Array.from({ length: windows }, () => 3) },
          misses: { kind: 'count' as const, count: Array.from({ length: windows }, () => 0) },
        },
      },
    };
    const html = renderReport({ kind: 'run', doc: run });
    const svg = /<svg[^>]*aria-label="utilisation per node kind and window"[\s\S]*?<\/svg>/.exec(html)?.[0];
    expect(svg).toBeDefined();
    expect(svg).toContain('data-series="2"'); // the two utilisation series, not the queue or the misses
    // 100 windows of 1 s in groups of 3: 34 columns, the first the mean of 0, 0.01 and 0.02
    expect(svg!.match(/<g class="series">/g)).toHaveLength(2);
    expect(svg!.match(/<rect /g)).toHaveLength(2 * 34);
    expect(svg).toContain('utilization.compute.edge · 0: 0.01<');
    // without series, no such section
    const { series: _, ...plain } = run;
    expect(renderReport({ kind: 'run', doc: plain })).not.toContain('utilisation per node kind');
  });
});
