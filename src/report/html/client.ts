/**
 * The only code the report runs in the browser: it draws the line charts (uPlot) described in the
 * page's JSON data. It is inlined with `Function.prototype.toString`, so it must not use anything
 * from outside its own body. The types are loose on purpose: this project compiles without the DOM
 * library.
 */

export interface LineSeries {
  label: string;
  colour: string;
  values: (number | null)[];
  /** a thin dashed line (the ends of an interval), left out of the legend's count of policies */
  dash?: boolean;
}

export interface LineChart {
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  /** tick labels at the x values, when x stands for something else (factors, quantile levels) */
  xLabels?: string[];
  series: LineSeries[];
}

// biome-ignore lint/suspicious/noExplicitAny: the browser's globals and uPlot have no types here
export function drawCharts(uPlot: any): void {
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const doc = (globalThis as any).document;
  const data = JSON.parse(doc.getElementById('ars-data').textContent) as { charts: LineChart[] };
  for (const c of data.charts) {
    const el = doc.querySelector(`[data-chart-id="${c.id}"]`);
    if (!el) continue;
    const labels = c.xLabels;
    const axisX: Record<string, unknown> = { label: c.xLabel };
    if (labels) {
      axisX.splits = () => c.x;
      axisX.values = (_u: unknown, splits: number[]) =>
        splits.map((v) => labels[c.x.indexOf(v)] ?? String(v));
    }
    const opts = {
      title: c.title,
      width: Math.max(320, Math.min(900, el.clientWidth || 760)),
      height: 300,
      scales: { x: { time: false } },
      axes: [axisX, { label: c.yLabel }],
      series: [
        { label: c.xLabel },
        ...c.series.map((s) => ({
          label: s.label,
          stroke: s.colour,
          width: s.dash ? 1 : 2,
          ...(s.dash ? { dash: [4, 4] } : {}),
          points: { show: !s.dash },
        })),
      ],
    };
    new uPlot(opts, [c.x, ...c.series.map((s) => s.values)], el);
    el.setAttribute('data-series', String(c.series.length));
    el.setAttribute('data-drawn', 'true');
  }
}
