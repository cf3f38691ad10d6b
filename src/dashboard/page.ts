/**
 * The dashboard's HTML and stylesheet. The page holds no data: client.ts fills it from the API. Scripts
 * and styles are separate files from the same origin (`/dashboard/...`), so the Content-Security-Policy
 * needs no inline script or style.
 */

export const DASHBOARD_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2329; margin: 0; background: #fafafa; }
header { display: flex; gap: 18px; align-items: baseline; padding: 10px 20px; background: #1d2329; color: #fff; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; } header .meta { color: #ccd; }
#status[data-state="stream"] { color: #8fd18f; } #status[data-state="polling"] { color: #f2c36b; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 14px; padding: 14px 20px 40px; }
section { background: #fff; border: 1px solid #e2e2e2; border-radius: 6px; padding: 8px 14px 12px; min-width: 0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size: 16px; margin: 4px 0 8px; } h3 { font-size: 15px; margin: 8px 0 4px; } h4 { font-size: 14px; margin: 10px 0 4px; }
.intro, .note { color: #555; margin: 0 0 6px; }
#figures { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 8px; }
.figure { border: 1px solid #e6e6e6; border-radius: 4px; padding: 3px 8px; min-width: 70px; }
.figure b { display: block; font-size: 16px; font-variant-numeric: tabular-nums; } .figure span { color: #666; font-size: 12px; }
.uplot-chart { min-height: 250px; width: 100%; }
svg.chart { font-size: 11px; max-width: 100%; height: auto; } svg.chart text.cell { font-size: 10px; fill: #333; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; } th, td { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } tr.missed td { color: #b3261e; } tr.chosen td { font-weight: 600; }
#decisions-list { list-style: none; padding: 0; margin: 0; max-height: 340px; overflow-y: auto; font-size: 13px; }
#decisions-list li { padding: 2px 6px; cursor: pointer; border-bottom: 1px solid #f0f0f0; }
#decisions-list li:hover, #decisions-list li.selected { background: #eef3fb; }
#decisions-list .time { color: #777; display: inline-block; min-width: 84px; font-variant-numeric: tabular-nums; }
#decisions-list .kind { display: inline-block; min-width: 72px; color: #4e79a7; } #decisions-list .chosen { font-weight: 600; }
.decisions { display: grid; grid-template-columns: minmax(300px, 1fr) minmax(300px, 1fr); gap: 14px; }
ol.story { padding-left: 20px; font-size: 13px; max-height: 240px; overflow-y: auto; }
form { display: flex; flex-wrap: wrap; gap: 10px; align-items: end; }
label { display: flex; flex-direction: column; font-size: 12px; color: #555; }
input { font: inherit; padding: 3px 6px; width: 110px; } input[name=policies] { width: 260px; }
button { font: inherit; padding: 4px 14px; }
form.signin { margin-left: auto; gap: 6px; align-items: center; } form.signin input { width: 180px; } form.signin button { padding: 2px 10px; }
.error, #errors { color: #b3261e; } #errors { padding: 4px 20px; background: #fdecea; }
code { background: #f4f4f4; padding: 0 3px; }
`;

export function dashboardHtml(assetBase: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ARS live</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetBase}/uPlot.min.css">
<link rel="stylesheet" href="${assetBase}/dashboard.css">
</head>
<body>
<header>
  <h1>ARS live</h1>
  <span class="meta">policy <b id="policy">…</b></span>
  <span class="meta">service time <b id="clock">…</b></span>
  <span class="meta">stream <b id="status">…</b> · events <b id="events">0</b></span>
  <form id="signin" class="signin" autocomplete="off"><span class="meta" id="signin-state"></span><input name="token" type="password" placeholder="API key or token" aria-label="API key or token"><button type="submit">Use</button></form>
</header>
<div id="errors" hidden></div>
<main>
<section id="freshness">
  <h2>Twin freshness</h2>
  <p class="intro">Mean age of the twins' state by tenant and criticality (red is stale), and the mean age per criticality group over time. Groups of fewer than k twins are withheld (k-anonymity) and named below the map.</p>
  <div id="chart-freshness" data-chart="heatmap"></div>
  <p id="withheld" class="note" hidden></p>
  <div id="chart-aoi" class="uplot-chart" data-chart="line"></div>
  <h4>Stalest twins (age × criticality)</h4>
  <ol id="stalest"></ol>
</section>
<section id="nodes">
  <h2>Nodes</h2>
  <p class="intro">Compute and attention in use on each node now, each node's compute in use over the last minute or so (node × time, red is busy), and the load of each tier over time.</p>
  <div id="chart-nodes" data-chart="bars"></div>
  <div id="chart-node-time" data-chart="heatmap"></div>
  <div id="chart-load" class="uplot-chart" data-chart="line"></div>
</section>
<section id="requests" class="wide">
  <h2>Requests</h2>
  <div id="figures"></div>
  <div class="decisions">
    <div id="chart-latency" class="uplot-chart" data-chart="line"></div>
    <div id="chart-queue" class="uplot-chart" data-chart="line"></div>
    <div id="chart-misses" class="uplot-chart" data-chart="line"></div>
  </div>
  <table><thead><tr><th>request</th><th>workload</th><th>tenant</th><th>status</th><th>latency</th><th>deadline</th></tr></thead><tbody id="requests-body"></tbody></table>
</section>
<section id="decisions" class="wide">
  <h2>Decisions</h2>
  <p class="intro">The newest scheduling decisions (the list holds still while the pointer is over it); click one for its explanation: every candidate's score and each plugin's part of it, and the story of its request or twin.</p>
  <div class="decisions">
    <ol id="decisions-list"></ol>
    <div id="explanation"><p class="note">Click a decision.</p></div>
  </div>
</section>
<section id="whatif" class="wide">
  <h2>What if</h2>
  <p class="intro">Simulates the next minutes from the live state (twins, queue, nodes) under the policies you name, with common random numbers.</p>
  <form id="whatif-form">
    <label>minutes <input name="minutes" type="number" min="0.1" max="1440" step="0.1" value="1" required></label>
    <label>load factor <input name="loadFactor" type="number" min="0.01" max="1000" step="0.01" value="1" required></label>
    <label>replications <input name="replications" type="number" min="2" max="50" step="1" value="3" required></label>
    <label>policies (comma-separated) <input name="policies" type="text"></label>
    <button type="submit">Predict</button>
  </form>
  <div id="whatif-result"></div>
</section>
</main>
<script src="${assetBase}/uPlot.iife.min.js"></script>
<script src="${assetBase}/dashboard.js"></script>
</body>
</html>
`;
}
