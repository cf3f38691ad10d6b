/**
 * The dashboard's browser code. It is served as `(dashboardApp)(uPlot, PALETTE)` by plugin.ts, through
 * `Function.prototype.toString`, so it must use nothing from outside its own body (the reports' colours
 * come in as an argument). It reads everything
 * through the public API (`/api/v1/...`) with the page's own credentials, so a signed-in subject sees only
 * what the API lets it see; it never reaches past the API.
 *
 * Live: it opens the event stream (`/api/v1/events`, WebSocket) and refreshes the panels a change touches
 * as events arrive; where the stream does not carry a figure (summaries, utilisation, twin ages) and when
 * the stream is not there, it polls the summary endpoints every `interval` milliseconds (`?interval=` in
 * the page address, default 1000).
 *
 * Every chart's element carries `data-chart` (its kind), `data-expected-series` and, once drawn,
 * `data-drawn="true"` and `data-updates` (how many times it was redrawn), which the browser test reads.
 * The types are loose on purpose: the project compiles without the DOM library.
 */

// biome-ignore lint/suspicious/noExplicitAny: the browser's globals and uPlot have no types here
type Any = any;

export function dashboardApp(uPlot: Any, PALETTE: readonly string[]): void {
  const g = globalThis as Any;
  const doc = g.document;
  const params = new g.URLSearchParams(g.location.search);
  const interval = Math.max(200, Number(params.get('interval')) || 1000);
  const MAX_POINTS = 600;
  const colour = (i: number): string => PALETTE[i % PALETTE.length] ?? '#888';
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id: string) => doc.getElementById(id);

  // ------------------------------------------------------------------ small DOM helpers (text only, no HTML)
  const el = (tag: string, attrs: Record<string, string> = {}, ...children: Any[]) => {
    const e = doc.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    for (const c of children) e.append(c instanceof g.Node ? c : String(c));
    return e;
  };
  const svgEl = (tag: string, attrs: Record<string, string | number> = {}) => {
    const e = doc.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  };
  /** an empty chart of `kind` drawing `series` series, `width` × `height` pixels */
  const chartSvg = (kind: string, width: number, height: number, series: number) =>
    svgEl('svg', {
      class: 'chart',
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: 'img',
      'data-chart': kind,
      'data-series': series,
    });
  const fmt = (x: number | null | undefined, digits = 3) => {
    if (x === null || x === undefined || !Number.isFinite(x)) return '–';
    if (x === 0) return '0';
    const a = Math.abs(x);
    if (a >= 1000) return String(Math.round(x));
    return String(Number(x.toPrecision(digits)));
  };
  /** A count the server may withhold from this subject (null: it spans other tenants). */
  const count = (x: number | null | undefined) => (x === null || x === undefined ? '–' : String(x));
  const pct = (x: number | null | undefined) =>
    x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(100 * x).toFixed(1)} %`;
  const setStatus = (text: string, kind: string) => {
    const s = $('status');
    s.textContent = text;
    s.setAttribute('data-state', kind);
  };

  // ------------------------------------------------------------------ API
  const errors = new Map<string, string>();
  const showErrors = () => {
    const box = $('errors');
    box.replaceChildren(...[...errors.values()].map((m) => el('div', {}, m)));
    box.hidden = errors.size === 0;
  };
  // ------------------------------------------------------------------ credentials
  // A server with authentication wants `Authorization: Bearer <API key or token>` on the API (and
  // `?access_token=` on the event stream's WebSocket, which cannot carry headers). The token is kept in
  // this tab's sessionStorage only, never in the page address.
  const TOKEN_KEY = 'ars-dashboard-token';
  const token = (): string => {
    try {
      return g.sessionStorage.getItem(TOKEN_KEY) ?? '';
    } catch {
      return '';
    }
  };
  function signIn() {
    const form = $('signin');
    const input = form.querySelector('[name=token]');
    const shown = () => {
      $('signin-state').textContent = token() ? 'signed in' : 'anonymous';
    };
    shown();
    form.addEventListener('submit', (e: Any) => {
      e.preventDefault();
      const t = String(input.value ?? '').trim();
      try {
        if (t) g.sessionStorage.setItem(TOKEN_KEY, t);
        else g.sessionStorage.removeItem(TOKEN_KEY);
      } catch {
        // storage refused (a private window): the token stays for this page only
      }
      input.value = '';
      shown();
      // everything shown so far was what the previous subject may see
      g.location.reload();
    });
  }

  async function api(path: string, init?: Any): Promise<Any> {
    const headers = { ...(init?.headers ?? {}), ...(token() ? { authorization: `Bearer ${token()}` } : {}) };
    const res = await g.fetch(path, { credentials: 'same-origin', ...(init ?? {}), headers });
    const text = await res.text();
    let body: Any = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = null;
    }
    if (!res.ok) {
      const e = body?.error ?? body ?? {};
      const code = e.code ?? `HTTP ${res.status}`;
      const message = e.message ?? e.detail ?? e.title ?? res.statusText;
      const hint = res.status === 401 ? ' (sign in: paste an API key or token in the field at the top)' : '';
      const err = new Error(`${code}: ${message}${hint}`) as Any;
      err.status = res.status;
      err.body = body;
      throw err;
    }
    return body;
  }

  // ------------------------------------------------------------------ line charts (uPlot)
  interface Line {
    el: Any;
    plot: Any;
    labels: string[];
    x: number[];
    ys: (number | null)[][];
    updates: number;
  }
  const lines = new Map<string, Line>();
  function lineChart(id: string, title: string, yLabel: string, labels: string[]): Line {
    const host = $(id);
    const old = lines.get(id);
    if (old && old.labels.join('\u0000') === labels.join('\u0000')) return old;
    old?.plot.destroy();
    host.replaceChildren();
    const width = Math.max(300, Math.min(1000, host.clientWidth || 480));
    const plot = new uPlot(
      {
        title,
        width,
        height: 220,
        scales: { x: { time: false } },
        axes: [{ label: 'service time (s)' }, { label: yLabel }],
        series: [
          { label: 't' },
          ...labels.map((l, i) => ({ label: l, stroke: colour(i), width: 2, spanGaps: true })),
        ],
      },
      [[], ...labels.map(() => [])],
      host,
    );
    const line: Line = { el: host, plot, labels, x: [], ys: labels.map(() => []), updates: 0 };
    host.setAttribute('data-expected-series', String(labels.length));
    lines.set(id, line);
    // a chart whose series changed starts again: the old points belong to other lines
    return line;
  }
  function push(line: Line, t: number, values: (number | null)[]) {
    if (line.x.length > 0 && t <= line.x[line.x.length - 1]!) return;
    line.x.push(t);
    values.forEach((v, i) => {
      line.ys[i]!.push(v === null || v === undefined || !Number.isFinite(v) ? null : v);
    });
    if (line.x.length > MAX_POINTS) {
      line.x.shift();
      for (const y of line.ys) y.shift();
    }
    line.plot.setData([line.x, ...line.ys]);
    line.updates++;
    line.el.setAttribute('data-drawn', 'true');
    line.el.setAttribute('data-series', String(line.labels.length));
    line.el.setAttribute('data-updates', String(line.updates));
  }

  // ------------------------------------------------------------------ SVG charts
  /**
   * Rows × columns of values, white to red. `dense`: narrow cells without numbers and a column label
   * every tenth column (a node × time strip); `max`: the value drawn reddest (default: the largest).
   */
  function heatmap(
    host: Any,
    rows: string[],
    cols: string[],
    cells: (number | null)[][],
    unit: string,
    options: { dense?: boolean; max?: number } = {},
  ) {
    const dense = options.dense === true;
    const left = 12 + 7 * Math.max(4, ...rows.map((r) => r.length));
    const top = dense ? 24 : 40;
    const cw = dense ? 9 : Math.max(48, Math.min(110, Math.floor(640 / Math.max(1, cols.length))));
    const ch = dense ? 16 : 26;
    const width = left + cw * cols.length + 40;
    const height = top + ch * rows.length + 8;
    const all = cells.flat().filter((v): v is number => v !== null);
    const hi = options.max ?? Math.max(1e-9, ...all);
    const svg = chartSvg('heatmap', width, height, rows.length);
    cols.forEach((c, j) => {
      if (dense && j % 10 !== 0) return;
      const t = svgEl('text', { x: left + j * cw + cw / 2, y: top - 8, 'text-anchor': 'middle' });
      t.textContent = c;
      svg.append(t);
    });
    rows.forEach((r, i) => {
      const row = svgEl('g', { class: 'series' });
      svg.append(row);
      const t = svgEl('text', { x: left - 6, y: top + i * ch + ch / 2 + 4, 'text-anchor': 'end' });
      t.textContent = r;
      row.append(t);
      cols.forEach((c, j) => {
        const v = cells[i]![j];
        const share = v === null || v === undefined ? 0 : Math.min(1, v / hi);
        // white (fresh) to red (stale)
        const fill =
          v === null || v === undefined
            ? '#f2f2f2'
            : `rgb(255, ${Math.round(245 - 180 * share)}, ${Math.round(235 - 200 * share)})`;
        const rect = svgEl('rect', {
          x: left + j * cw + 1,
          y: top + i * ch + 1,
          width: cw - 2,
          height: ch - 2,
          fill,
          'data-row': r,
          'data-col': c,
        });
        const tip = svgEl('title');
        tip.textContent = `${r} · ${c}: ${v === null || v === undefined ? 'no value' : `${fmt(v)} ${unit}`}`;
        rect.append(tip);
        row.append(rect);
        if (v !== null && v !== undefined && !dense) {
          const label = svgEl('text', {
            x: left + j * cw + cw / 2,
            y: top + i * ch + ch / 2 + 4,
            'text-anchor': 'middle',
            class: 'cell',
          });
          label.textContent = fmt(v, 2);
          row.append(label);
        }
      });
    });
    host.replaceChildren(svg);
    bump(host);
  }

  /** Horizontal bars: per row, one or more bars in [0, 1] (shares) or with whiskers (estimates). */
  function bars(
    host: Any,
    rows: { label: string; values: { value: number | null; ci?: number | null; colour: string }[] }[],
    legend: string[],
    scaleMax?: number,
  ) {
    const left = 12 + 7 * Math.max(4, ...rows.map((r) => r.label.length));
    const per = rows[0]?.values.length ?? 1;
    const bh = 12;
    const rh = per * bh + 8;
    const plot = 300;
    const top = legend.length > 0 ? 24 : 6;
    const width = left + plot + 90;
    const height = top + rh * rows.length + 6;
    let hi = scaleMax ?? 0;
    if (scaleMax === undefined)
      for (const r of rows) for (const v of r.values) hi = Math.max(hi, (v.value ?? 0) + (v.ci ?? 0));
    hi = hi || 1;
    const svg = chartSvg('bars', width, height, rows.length);
    legend.forEach((l, k) => {
      svg.append(svgEl('rect', { x: left + k * 120, y: 6, width: 10, height: 10, fill: colour(k) }));
      const t = svgEl('text', { x: left + k * 120 + 14, y: 15 });
      t.textContent = l;
      svg.append(t);
    });
    rows.forEach((r, i) => {
      const y0 = top + i * rh;
      const row = svgEl('g', { class: 'series' });
      svg.append(row);
      const t = svgEl('text', { x: left - 6, y: y0 + rh / 2 + 3, 'text-anchor': 'end' });
      t.textContent = r.label;
      row.append(t);
      r.values.forEach((v, k) => {
        const y = y0 + 4 + k * bh;
        const w = v.value === null ? 0 : Math.max(0, (v.value / hi) * plot);
        row.append(svgEl('rect', { x: left, y, width: plot, height: bh - 2, fill: '#f3f3f3' }));
        const bar = svgEl('rect', { x: left, y, width: Math.min(plot, w), height: bh - 2, fill: v.colour });
        bar.setAttribute('class', 'bar');
        row.append(bar);
        if (v.ci !== undefined && v.ci !== null && v.value !== null && Number.isFinite(v.ci)) {
          const lo = left + Math.max(0, ((v.value - v.ci) / hi) * plot);
          const up = left + Math.min(plot, ((v.value + v.ci) / hi) * plot);
          const mid = y + (bh - 2) / 2;
          row.append(
            svgEl('line', { x1: lo, x2: up, y1: mid, y2: mid, stroke: '#222', 'stroke-width': 1.2 }),
          );
          row.append(svgEl('line', { x1: lo, x2: lo, y1: y, y2: y + bh - 2, stroke: '#222' }));
          row.append(svgEl('line', { x1: up, x2: up, y1: y, y2: y + bh - 2, stroke: '#222' }));
        }
        const label = svgEl('text', { x: left + plot + 6, y: y + bh - 3 });
        label.textContent =
          scaleMax === 1
            ? pct(v.value)
            : `${fmt(v.value)}${v.ci !== undefined && v.ci !== null ? ` ± ${fmt(v.ci, 2)}` : ''}`;
        row.append(label);
      });
    });
    host.replaceChildren(svg);
    bump(host);
  }
  function bump(host: Any) {
    host.setAttribute('data-drawn', 'true');
    host.setAttribute('data-updates', String(Number(host.getAttribute('data-updates') ?? 0) + 1));
  }

  // ------------------------------------------------------------------ panels
  let policy = '';

  async function refreshSummary() {
    const s = await api('/api/v1/live/summary');
    policy = s.policy ?? policy;
    $('policy').textContent = policy;
    $('clock').textContent = `${fmt(s.time, 6)} s`;
    const r = s.requests ?? {};
    const inFlight = Math.max(0, (r.arrived ?? 0) - (r.completed ?? 0) - (r.failed ?? 0));
    const figures: [string, string, string][] = [
      ['arrived', String(r.arrived ?? 0), 'requests arrived'],
      ['completed', String(r.completed ?? 0), 'requests completed'],
      ['failed', String(r.failed ?? 0), 'requests failed'],
      ['in-flight', String(inFlight), 'requests arrived and not finished'],
      ['queue', count(s.queueLength), 'tasks and refreshes waiting for a node'],
      ['miss-rate', pct(r.deadlineMissRate), 'share of requests with a deadline that missed it'],
      ['p95', `${fmt(r.latency?.p95)} s`, 'latency p95 since start'],
      ['waoi', `${fmt(s.twins?.weightedAoI)} s`, 'criticality-weighted age of information, time average'],
      ['jain', fmt(s.jain), "Jain's fairness index over tenants' service"],
      ['decisions', count(s.decisions), 'scheduling decisions taken'],
    ];
    // aggregates over fewer than k twins are withheld by the server: say so instead of a value
    const withheld = (s.withheld ?? []) as Any[];
    if (withheld.length > 0 || (s.k ?? 1) > 1)
      figures.push([
        'withheld',
        `${withheld.length} group${withheld.length === 1 ? '' : 's'} (k=${s.k})`,
        withheld.length > 0
          ? `withheld: ${withheld.map((w) => `${w.group} (${w.reason})`).join(', ')}`
          : `every group has at least k=${s.k} twins`,
      ]);
    const note = $('withheld');
    note.hidden = withheld.length === 0;
    note.textContent =
      withheld.length === 0
        ? ''
        : `withheld: ${withheld.length} group${withheld.length === 1 ? '' : 's'} (k=${s.k}): ${withheld.map((w) => w.group).join(', ')}`;
    $('figures').replaceChildren(
      ...figures.map(([k, v, title]) =>
        el('div', { class: 'figure', 'data-figure': k, title }, el('b', {}, v), el('span', {}, k)),
      ),
    );
    push(lineChart('chart-latency', 'request latency (s)', 'seconds', ['p50', 'p95', 'p99']), s.time, [
      r.latency?.p50,
      r.latency?.p95,
      r.latency?.p99,
    ]);
    push(lineChart('chart-queue', 'queue and requests in flight', 'count', ['queue', 'in flight']), s.time, [
      s.queueLength ?? null, // null for a tenant: the queue is every tenant's
      inFlight,
    ]);
    push(
      lineChart('chart-misses', 'deadline misses (% of requests with a deadline, since start)', '%', [
        'missed',
      ]),
      s.time,
      [r.deadlineMissRate === null || r.deadlineMissRate === undefined ? null : 100 * r.deadlineMissRate],
    );
    return s;
  }

  /** Compute in use per node at each refresh: the last {@link NODE_HISTORY} of them. */
  const NODE_HISTORY = 60;
  const nodeTimes: number[] = [];
  const nodeUse = new Map<string, (number | null)[]>();

  async function refreshNodes(time: number) {
    const { nodes } = await api('/api/v1/nodes');
    const list = (nodes ?? []) as Any[];
    if (nodeTimes.length === 0 || time > nodeTimes[nodeTimes.length - 1]!) {
      nodeTimes.push(time);
      for (const n of list) {
        if (!nodeUse.has(n.id)) nodeUse.set(n.id, new Array(nodeTimes.length - 1).fill(null));
      }
      for (const [id, row] of nodeUse) {
        const n = list.find((x) => x.id === id);
        row.push(n?.up && n.compute.capacity > 0 ? n.compute.used / n.compute.capacity : null);
      }
      if (nodeTimes.length > NODE_HISTORY) {
        nodeTimes.shift();
        for (const row of nodeUse.values()) row.shift();
      }
      const ids = [...nodeUse.keys()];
      heatmap(
        $('chart-node-time'),
        ids,
        nodeTimes.map((t) => `${fmt(t, 4)} s`),
        ids.map((id) => nodeUse.get(id)!),
        'of compute in use',
        { dense: true, max: 1 },
      );
    }
    bars(
      $('chart-nodes'),
      list.map((n) => ({
        label: `${n.id}${n.up ? '' : ' (down)'}`,
        values: [
          { value: n.compute.capacity > 0 ? n.compute.used / n.compute.capacity : null, colour: colour(0) },
          {
            value: n.attention.capacity > 0 ? n.attention.used / n.attention.capacity : null,
            colour: colour(1),
          },
        ],
      })),
      ['compute in use', 'attention in use'],
      1,
    );
    // load over time, per tier: the share of the tier's capacity in use now
    const tiers = [...new Set(list.map((n) => String(n.tier)))].sort();
    const labels = tiers.flatMap((t) => [`${t} compute`, `${t} attention`]);
    const values = tiers.flatMap((t) => {
      const of = list.filter((n) => n.tier === t && n.up);
      const share = (k: string) => {
        const cap = of.reduce((a, n) => a + n[k].capacity, 0);
        return cap > 0 ? of.reduce((a, n) => a + n[k].used, 0) / cap : null;
      };
      return [share('compute'), share('attention')];
    });
    if (tiers.length > 0)
      push(lineChart('chart-load', 'load by tier (share in use)', 'share', labels), time, values);
  }

  async function refreshTwins(time: number, summary: Any) {
    const { twins } = await api('/api/v1/live/twins');
    const list = (twins ?? []) as Any[];
    // the aggregates come from the summary's groups, which the server releases only with at least k twins
    const groups: { tenant: string; criticality: number; twins: number; age: number }[] = (
      (summary?.groups ?? []) as Any[]
    ).map((x) => ({
      tenant: String(x.tenant),
      criticality: Number(x.criticality),
      twins: Number(x.twins),
      age: Number(x.ageNow?.mean),
    }));
    const tenants = [...new Set(groups.map((x) => x.tenant))].sort();
    const crits = [...new Set(groups.map((x) => x.criticality))].sort((a, b) => b - a);
    const cells = tenants.map((tn) =>
      crits.map((c) => groups.find((x) => x.tenant === tn && x.criticality === c)?.age ?? null),
    );
    heatmap(
      $('chart-freshness'),
      tenants,
      crits.map((c) => `criticality ${c}`),
      cells,
      's mean age',
    );
    const staleList = [...list].sort((a, b) => b.ageSeconds * b.criticality - a.ageSeconds * a.criticality);
    $('stalest').replaceChildren(
      ...staleList
        .slice(0, 8)
        .map((t) =>
          el(
            'li',
            {},
            el('code', {}, t.thingId),
            ` ${fmt(t.ageSeconds)} s old (criticality ${t.criticality}, ${t.pending} pending samples)`,
          ),
        ),
    );
    // mean age per criticality group over time
    const labels = crits.map((c) => `criticality ${c}`);
    const values = crits.map((c) => {
      const of = groups.filter((x) => x.criticality === c);
      const n = of.reduce((a, x) => a + x.twins, 0);
      return n > 0 ? of.reduce((a, x) => a + x.age * x.twins, 0) / n : null;
    });
    if (crits.length > 0)
      push(lineChart('chart-aoi', 'mean age of information (s)', 'seconds', labels), time, values);
  }

  async function refreshRequests() {
    const { requests } = await api('/api/v1/requests');
    const recent = ((requests ?? []) as Any[]).slice(-12).reverse();
    $('requests-body').replaceChildren(
      ...recent.map((r) =>
        el(
          'tr',
          { class: r.missedDeadline ? 'missed' : '' },
          el('td', {}, r.id),
          el('td', {}, r.workload),
          el('td', {}, r.tenant),
          el('td', {}, r.status),
          el('td', { class: 'n' }, r.latency === null ? '–' : `${fmt(r.latency)} s`),
          el('td', {}, r.missedDeadline === true ? 'missed' : r.missedDeadline === false ? 'met' : '–'),
        ),
      ),
    );
  }

  // ------------------------------------------------------------------ decisions and their explanations
  let selected = '';
  async function refreshDecisions() {
    // hundreds of decisions a second: the list holds still while the pointer or the keyboard is in it
    const box = $('decisions-list');
    const isHeld = () => box.matches(':hover') || box.matches(':focus-within');
    const held = isHeld();
    box.setAttribute('data-held', String(held));
    if (held) return;
    const { decisions } = await api('/api/v1/live/decisions?limit=40');
    // the pointer may have come in while the answer was on its way: the list still holds still
    if (isHeld()) {
      box.setAttribute('data-held', 'true');
      return;
    }
    const list = ((decisions ?? []) as Any[]).slice().reverse();
    $('decisions-list').replaceChildren(
      ...list.map((d) => {
        const key = `${d.time}|${d.kind}|${d.subject}`;
        const item = el(
          'li',
          {
            'data-subject': d.subject,
            'data-kind': d.kind,
            'data-chosen': d.chosen ?? '',
            tabindex: '0',
            class: key === selected ? 'selected' : '',
          },
          el('span', { class: 'time' }, `${fmt(d.time, 6)} s`),
          el('span', { class: 'kind' }, d.kind),
          el('span', { class: 'subject' }, d.subject),
          ' → ',
          el('span', { class: 'chosen' }, d.chosen ?? 'waits'),
        );
        const open = () => {
          selected = key;
          for (const li of $('decisions-list').children) li.classList.remove('selected');
          item.classList.add('selected');
          explain(d).catch((e: Error) => {
            $('explanation').replaceChildren(el('p', { class: 'error' }, e.message));
          });
        };
        item.addEventListener('click', open);
        item.addEventListener('keydown', (e: Any) => {
          if (e.key === 'Enter') open();
        });
        return item;
      }),
    );
  }

  function candidatesTable(d: Any) {
    const parts = [...new Set(((d.candidates ?? []) as Any[]).flatMap((c) => Object.keys(c.parts ?? {})))];
    return el(
      'table',
      { class: 'candidates' },
      el(
        'thead',
        {},
        el('tr', {}, el('th', {}, 'candidate'), el('th', {}, 'score'), ...parts.map((p) => el('th', {}, p))),
      ),
      el(
        'tbody',
        {},
        ...((d.candidates ?? []) as Any[]).map((c) =>
          el(
            'tr',
            { class: c.id === d.chosen ? 'chosen' : '' },
            el('td', {}, `${c.id}${c.id === d.chosen ? ' ✓' : c.id === d.runnerUp ? ' (runner-up)' : ''}`),
            el('td', { class: 'n' }, fmt(c.score, 4)),
            ...parts.map((p) => el('td', { class: 'n' }, fmt(c.parts?.[p], 3))),
          ),
        ),
      ),
    );
  }

  function describe(d: Any): string {
    const facts = [`${d.kind} of ${d.subject} at ${fmt(d.time, 6)} s`];
    if (d.chosen) facts.push(`chose ${d.chosen}`);
    else facts.push('no node could take it now: it waits');
    if (d.runnerUp) facts.push(`runner-up ${d.runnerUp}`);
    if (d.planned) facts.push(`planned on ${d.planned}`);
    if (d.waiting) facts.push(`waiting: ${d.waiting}`);
    if (d.age !== undefined) facts.push(`twin age ${fmt(d.age)} s`);
    if (d.unschedulable)
      facts.push(
        `unschedulable: ${Object.entries(d.unschedulable)
          .map(([k, v]) => `${v} × ${k}`)
          .join(', ')}`,
      );
    return facts.join('; ');
  }

  async function explain(d: Any) {
    const box = $('explanation');
    box.setAttribute('data-subject', d.subject);
    const parts: Any[] = [el('h3', {}, `Why: ${d.subject}`), el('p', { class: 'facts' }, describe(d))];
    if ((d.candidates ?? []).length > 0) parts.push(candidatesTable(d));
    // a task's subject is `<request>/<task>`: the request's whole story, as the API explains it
    const request = String(d.subject).includes('/') ? String(d.subject).split('/')[0] : undefined;
    if (request) {
      try {
        const ex = await api(`/api/v1/requests/${encodeURIComponent(request)}/explanation`);
        parts.push(
          el(
            'h4',
            {},
            `Request ${ex.id} (${ex.status}, policy ${ex.policy}): ${ex.decisions.length} decisions`,
          ),
          el('ol', { class: 'story' }, ...(ex.decisions as Any[]).map((x) => el('li', {}, describe(x)))),
        );
      } catch (e) {
        parts.push(el('p', { class: 'note' }, `request ${request}: ${(e as Error).message}`));
      }
    } else {
      const { decisions } = await api(
        `/api/v1/live/decisions?subject=${encodeURIComponent(d.subject)}&limit=10`,
      );
      if (decisions.length > 1)
        parts.push(
          el('h4', {}, `The last ${decisions.length} decisions about ${d.subject}`),
          el('ol', { class: 'story' }, ...(decisions as Any[]).map((x) => el('li', {}, describe(x)))),
        );
    }
    box.replaceChildren(...parts);
    box.setAttribute('data-explained', 'true');
  }

  // ------------------------------------------------------------------ what-if
  function whatIfForm() {
    const form = $('whatif-form');
    form.addEventListener('submit', async (e: Any) => {
      e.preventDefault();
      const out = $('whatif-result');
      const button = form.querySelector('button');
      const f = new g.FormData(form);
      const policies = String(f.get('policies') ?? '')
        .split(',')
        .map((p: string) => p.trim())
        .filter(Boolean);
      const body = {
        minutes: Number(f.get('minutes')),
        loadFactor: Number(f.get('loadFactor')),
        replications: Number(f.get('replications')),
        ...(policies.length > 0 ? { policies } : {}),
      };
      button.disabled = true;
      out.setAttribute('data-state', 'running');
      out.replaceChildren(el('p', {}, 'simulating from the live state…'));
      try {
        const a = await api('/api/v1/what-if', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const metrics: [string, string, boolean][] = [
          ['weightedAoI', 'weighted AoI (s)', false],
          ['latencyP95', 'latency p95 (s)', false],
          ['deadlineMissRate', 'deadline miss rate', true],
          ['computeUtilization', 'compute utilisation', true],
        ];
        const ci = (x: Any, share: boolean) =>
          x === null || x === undefined
            ? '–'
            : share
              ? `${pct(x.mean)} ± ${pct(x.ci95)}`
              : `${fmt(x.mean)} ± ${fmt(x.ci95, 2)}`;
        const chart = el('div', { class: 'whatif-chart', 'data-chart': 'bars' });
        out.replaceChildren(
          el(
            'p',
            {},
            `${a.scenario}: the next ${fmt(a.minutes)} min at ${fmt(a.loadFactor)}× load, ${a.replications} replications; ± is the 95 % confidence interval.`,
          ),
          ...((a.withheld ?? []) as Any[]).map((w) =>
            el(
              'p',
              { class: 'note', 'data-withheld': w.group },
              `withheld: ${w.group} (${w.reason}, k=${a.k})`,
            ),
          ),
          el(
            'table',
            { class: 'whatif' },
            el('thead', {}, el('tr', {}, el('th', {}, 'policy'), ...metrics.map(([, l]) => el('th', {}, l)))),
            el(
              'tbody',
              {},
              ...(a.results as Any[]).map((r) =>
                el(
                  'tr',
                  { 'data-policy': r.policy },
                  el('td', {}, r.policy),
                  ...metrics.map(([k, , share]) => el('td', { class: 'n' }, ci(r[k], share))),
                ),
              ),
            ),
          ),
          chart,
        );
        bars(
          chart,
          (a.results as Any[]).map((r, i) => ({
            label: r.policy,
            values: [
              { value: r.weightedAoI?.mean ?? null, ci: r.weightedAoI?.ci95 ?? null, colour: colour(i) },
            ],
          })),
          ['predicted weighted AoI (s), 95 % CI'],
        );
        out.setAttribute('data-state', 'done');
      } catch (err) {
        out.replaceChildren(el('p', { class: 'error' }, (err as Error).message));
        out.setAttribute('data-state', 'error');
      } finally {
        button.disabled = false;
      }
    });
  }

  // ------------------------------------------------------------------ the loop: stream + polling
  let busy = false;
  let pending = false;
  let round = 0;
  async function refresh() {
    if (busy) {
      pending = true;
      return;
    }
    busy = true;
    try {
      const s = await refreshSummary();
      const slow = round % 2 === 0;
      round++;
      const jobs: [string, () => Promise<unknown>][] = [
        ['nodes', () => refreshNodes(s.time)],
        ['decisions', () => refreshDecisions()],
      ];
      if (slow) jobs.push(['twins', () => refreshTwins(s.time, s)], ['requests', () => refreshRequests()]);
      const results = await Promise.allSettled(jobs.map(([, f]) => f()));
      errors.delete('summary');
      results.forEach((r, i) => {
        const name = jobs[i]![0];
        if (r.status === 'rejected') errors.set(name, `${name}: ${(r.reason as Error).message}`);
        else errors.delete(name);
      });
    } catch (err) {
      errors.set('summary', `summary: ${(err as Error).message}`);
    } finally {
      showErrors();
      busy = false;
      if (pending) {
        pending = false;
        g.setTimeout(refresh, 50);
      }
    }
  }

  let streamOpen = false;
  let eventsSeen = 0;
  let soon: Any;
  function openStream() {
    const proto = g.location.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws: Any;
    try {
      const auth = token() ? `&access_token=${encodeURIComponent(token())}` : '';
      ws = new g.WebSocket(`${proto}//${g.location.host}/api/v1/events?types=decision,request,twin${auth}`);
    } catch {
      setStatus('polling', 'polling');
      return;
    }
    ws.addEventListener('open', () => {
      streamOpen = true;
      setStatus('live: event stream', 'stream');
    });
    ws.addEventListener('message', () => {
      eventsSeen++;
      $('events').textContent = String(eventsSeen);
      // many events a second: one refresh per burst, at most two a second
      if (!soon)
        soon = g.setTimeout(() => {
          soon = undefined;
          void refresh();
        }, 500);
    });
    ws.addEventListener('close', () => {
      const was = streamOpen;
      streamOpen = false;
      setStatus(was ? 'stream closed: polling' : 'polling (no event stream)', 'polling');
      // the stream went away (a restart): try again later
      if (was) g.setTimeout(openStream, 5000);
    });
  }

  g.addEventListener('resize', () => {
    for (const line of lines.values())
      line.plot.setSize({ width: Math.max(300, Math.min(1000, line.el.clientWidth || 480)), height: 220 });
  });
  signIn();
  whatIfForm();
  $('whatif-form').querySelector('[name=policies]').placeholder = 'the live policy';
  setStatus('connecting…', 'connecting');
  // open the stream only where the server has one (a failed WebSocket would be a console error)
  api('/dashboard/config.json')
    .then((c: Any) => {
      if (c?.events) openStream();
      else setStatus('polling (this server has no event stream)', 'polling');
    })
    .catch(() => setStatus('polling', 'polling'));
  void refresh();
  g.setInterval(() => {
    void refresh();
  }, interval);
  doc.body.setAttribute('data-ready', 'true');
}
