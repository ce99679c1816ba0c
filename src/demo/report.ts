/**
 * The demo's HTML report: one self-contained file (no network, no external script or font) with
 * latency over time and every maintenance event marked on it, ops/s, connections per node, and the
 * summary table. The data is embedded as JSON; an inline script draws the charts as SVG, so the
 * file opens anywhere and can be mailed around.
 */
import type { CommandSample } from './load.js';
import type { StepRecord } from './rehearsal.js';
import type { DemoSummary } from './summary.js';
import { percentile } from './summary.js';
import type { TimelineEvent } from './telemetry.js';

export interface ReportInput {
  summary: DemoSummary;
  samples: Iterable<CommandSample>;
  steps: readonly StepRecord[];
  timeline: readonly TimelineEvent[];
  nodeSamples: ReadonlyArray<{ at: number; connections: Record<string, number> }>;
  /** When the run started (for the title). */
  startedAt: Date;
}

/** What the inline script draws: times in seconds since the run started, latencies in ms. */
export interface ReportData {
  bucketS: number;
  /** [t, p50, p99, max] per bucket with commands */
  latency: Array<[number, number, number, number]>;
  /** [t, commands per second] per bucket */
  ops: Array<[number, number]>;
  /** Errors per bucket (only buckets with errors) */
  errors: Array<[number, number]>;
  nodes: string[];
  /** [t, connections of nodes[0], connections of nodes[1], …] */
  connections: number[][];
  steps: Array<{ name: string; start: number; end: number; detail: string }>;
  /** Maintenance events, one marker per kind and label per 100 ms: [t, kind, label, count] */
  events: Array<[number, string, string, number]>;
}

const BUCKET_MS = 250;

export function reportData(input: ReportInput): ReportData {
  const buckets = new Map<number, { latencies: number[]; errors: number }>();
  for (const sample of input.samples) {
    const key = Math.floor(sample.at / BUCKET_MS);
    let bucket = buckets.get(key);
    if (bucket === undefined) buckets.set(key, (bucket = { latencies: [], errors: 0 }));
    bucket.latencies.push(sample.latency);
    if (sample.failed) bucket.errors++;
  }
  const keys = [...buckets.keys()].sort((a, b) => a - b);
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  const latency: ReportData['latency'] = [];
  const ops: ReportData['ops'] = [];
  const errors: ReportData['errors'] = [];
  for (const key of keys) {
    const { latencies, errors: failed } = buckets.get(key)!;
    const sorted = latencies.sort((a, b) => a - b);
    const t = round((key * BUCKET_MS) / 1000);
    latency.push([t, round(percentile(sorted, 50)!), round(percentile(sorted, 99)!), round(sorted[sorted.length - 1]!)]);
    ops.push([t, Math.round((sorted.length * 1000) / BUCKET_MS)]);
    if (failed > 0) errors.push([t, failed]);
  }
  const nodes = [...new Set(input.nodeSamples.flatMap((s) => Object.keys(s.connections)))].sort();
  const events = new Map<string, [number, string, string, number]>();
  for (const event of input.timeline) {
    const key = `${event.kind}|${event.label}|${Math.floor(event.at / 100)}`;
    const marker = events.get(key);
    if (marker === undefined) events.set(key, [round(event.at / 1000), event.kind, event.label, 1]);
    else marker[3]++;
  }
  return {
    bucketS: BUCKET_MS / 1000,
    latency,
    ops,
    errors,
    nodes,
    connections: input.nodeSamples.map((s) => [round(s.at / 1000), ...nodes.map((n) => s.connections[n] ?? 0)]),
    steps: input.steps.map((s) => ({ name: s.name, start: round(s.start / 1000), end: round(s.end / 1000), detail: s.detail })),
    events: [...events.values()],
  };
}

const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
/** JSON that cannot end the <script> element it sits in. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const ms = (value: number | null): string => (value === null ? '–' : value < 10 ? value.toFixed(2) : value.toFixed(0));

function summaryRows(summary: DemoSummary): Array<[string, string]> {
  const list = (record: Record<string, number>): string => Object.entries(record).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
  const { steady, maintenance } = summary.latency;
  return [
    ['verdict', summary.ok ? 'PASSED' : 'FAILED'],
    ['errors', String(summary.errors)],
    ['lost writes', String(summary.lostWrites)],
    ['lost messages (list + pub/sub)', String(summary.lostMessages)],
    ['duplicated messages', String(summary.duplicatedMessages)],
    ['commands', `${summary.commands} in ${summary.durationS.toFixed(1)} s (${summary.opsPerSecond.toFixed(0)} reads/writes per second)`],
    ['blocking list', `${summary.blocking.sent} pushed, ${summary.blocking.received} popped`],
    ['pub/sub', `${summary.pubsub.sent} published, ${summary.pubsub.received} received`],
    ['notifications', list(summary.notifications)],
    ['handoffs', list(summary.handoffs)],
    ['latency, steady (ms)', `p50 ${ms(steady.p50)}, p99 ${ms(steady.p99)}, max ${ms(steady.max)} (${steady.commands} commands)`],
    ['latency, maintenance (ms)', `p50 ${ms(maintenance.p50)}, p99 ${ms(maintenance.p99)}, max ${ms(maintenance.max)} (${maintenance.commands} commands)`],
    ['spans', list(summary.spans)],
    ['log records', list(summary.logs)],
    ['redis', `${summary.redis.address} (${summary.redis.source === 'started' ? 'started by the demo' : 'given'}, ${summary.redis.version})`],
  ];
}

/** The inline script: draws the three charts from `data` as SVG. Plain ES2017, no libraries. */
const DRAW = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('demo-data').textContent);
  var NS = 'http://www.w3.org/2000/svg';
  var COLORS = { MOVING: '#d9480f', MIGRATING: '#1971c2', MIGRATED: '#1971c2', FAILING_OVER: '#862e9c', FAILED_OVER: '#862e9c',
    SMIGRATING: '#2b8a3e', SMIGRATED: '#2b8a3e', handoff: '#e8590c', breaker: '#c92a2a', fallback: '#868e96' };
  var NODE_COLORS = ['#1971c2', '#e8590c', '#2b8a3e', '#862e9c'];
  var tMax = 0;
  data.latency.concat(data.connections).forEach(function (p) { if (p[0] > tMax) tMax = p[0]; });
  data.steps.forEach(function (s) { if (s.end > tMax) tMax = s.end; });
  tMax = Math.max(1, tMax + data.bucketS);
  var W = 960, H = 240, L = 56, R = 16, T = 12, B = 28;
  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(node);
    return node;
  }
  function x(t) { return L + (t / tMax) * (W - L - R); }
  function svg(id, title) {
    var box = document.getElementById(id);
    var root = el('svg', { viewBox: '0 0 ' + W + ' ' + H, width: '100%', role: 'img', 'aria-label': title });
    box.appendChild(root);
    return root;
  }
  function axes(root, yTicks, y, unit) {
    yTicks.forEach(function (v) {
      el('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: '#e9ecef' }, root);
      el('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#495057' }, root).textContent = v + unit;
    });
    var step = tMax > 120 ? 30 : tMax > 40 ? 10 : tMax > 15 ? 5 : 1;
    for (var t = 0; t <= tMax; t += step) {
      el('text', { x: x(t), y: H - 8, 'text-anchor': 'middle', 'font-size': 11, fill: '#495057' }, root).textContent = t + ' s';
    }
  }
  function windows(root, labels) {
    data.steps.forEach(function (s) {
      var rect = el('rect', { x: x(s.start), y: T, width: Math.max(1, x(s.end) - x(s.start)), height: H - T - B, fill: '#fff3bf', 'class': 'window' }, root);
      el('title', {}, rect).textContent = s.name + ': ' + s.detail;
      if (labels) el('text', { x: x(s.start) + 3, y: T + 11, 'font-size': 10, fill: '#5c3c00' }, root).textContent = s.name;
    });
  }
  function markers(root) {
    data.events.forEach(function (e) {
      var key = e[1] === 'notification' ? e[2] : e[1];
      var line = el('line', { x1: x(e[0]), x2: x(e[0]), y1: T, y2: H - B, stroke: COLORS[key] || '#495057', 'stroke-width': 1.5,
        'stroke-dasharray': e[1] === 'notification' ? '' : '3 2', 'class': 'event', 'data-label': e[2] }, root);
      el('title', {}, line).textContent = e[0].toFixed(2) + ' s: ' + e[2] + (e[3] > 1 ? ' ×' + e[3] : '');
    });
  }
  function path(root, points, y, color, width, cls) {
    var d = points.map(function (p, i) { return (i ? 'L' : 'M') + x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1); }).join('');
    return el('path', { d: d || 'M0,0', fill: 'none', stroke: color, 'stroke-width': width, 'class': cls, 'data-points': points.length }, root);
  }

  // Latency: p50, p99 and max per bucket, log scale.
  var lat = svg('latency-chart', 'command latency over time');
  var top = 1;
  data.latency.forEach(function (p) { if (p[3] > top) top = p[3]; });
  var lo = 0.05, hi = Math.pow(10, Math.ceil(Math.log10(top)));
  function yl(v) { var c = Math.min(hi, Math.max(lo, v)); return H - B - (Math.log10(c / lo) / Math.log10(hi / lo)) * (H - T - B); }
  windows(lat, true);
  var ticks = []; for (var v = 0.1; v <= hi; v *= 10) ticks.push(+v.toPrecision(1));
  axes(lat, ticks, yl, ' ms');
  markers(lat);
  path(lat, data.latency.map(function (p) { return [p[0], p[3]]; }), yl, '#ffa8a8', 1, 'series max');
  path(lat, data.latency.map(function (p) { return [p[0], p[2]]; }), yl, '#c92a2a', 1.5, 'series p99');
  path(lat, data.latency.map(function (p) { return [p[0], p[1]]; }), yl, '#1864ab', 1.5, 'series p50');
  data.errors.forEach(function (e) { el('circle', { cx: x(e[0]), cy: T + 6, r: 4, fill: '#c92a2a', 'class': 'error' }, lat); });

  // Throughput.
  var thr = svg('ops-chart', 'reads and writes per second');
  var opsTop = 10;
  data.ops.forEach(function (p) { if (p[1] > opsTop) opsTop = p[1]; });
  opsTop = Math.ceil(opsTop / 500) * 500;
  function yo(v) { return H - B - (v / opsTop) * (H - T - B); }
  windows(thr, false);
  axes(thr, [0, opsTop / 2, opsTop], yo, '');
  markers(thr);
  path(thr, data.ops, yo, '#2b8a3e', 1.5, 'series ops');

  // Connections per node.
  var con = svg('connections-chart', 'open connections per node');
  var cTop = 2;
  data.connections.forEach(function (p) { for (var i = 1; i < p.length; i++) if (p[i] > cTop) cTop = p[i]; });
  function yc(v) { return H - B - (v / cTop) * (H - T - B); }
  windows(con, false);
  axes(con, [0, Math.round(cTop / 2), cTop], yc, '');
  markers(con);
  var legend = document.getElementById('connections-legend');
  data.nodes.forEach(function (node, i) {
    var color = NODE_COLORS[i % NODE_COLORS.length];
    path(con, data.connections.map(function (p) { return [p[0], p[i + 1]]; }), yc, color, 2, 'series node-' + node);
    var item = document.createElement('span');
    item.innerHTML = '<i style="background:' + color + '"></i>node ' + node;
    legend.appendChild(item);
  });
  document.body.setAttribute('data-drawn', 'true');
})();
`;

export function renderReport(input: ReportInput): string {
  const data = reportData(input);
  const { summary } = input;
  const rows = summaryRows(summary).map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n');
  const steps = data.steps.map((s) => `<tr><td>${s.start.toFixed(1)}–${s.end.toFixed(1)} s</td><th>${escapeHtml(s.name)}</th><td>${escapeHtml(s.detail)}</td></tr>`).join('\n');
  const title = `hitless maintenance rehearsal, ${input.startedAt.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #212529; margin: 24px auto; max-width: 1000px; padding: 0 16px; }
  h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 6px; }
  .verdict { display: inline-block; padding: 2px 10px; border-radius: 4px; font-weight: 600; color: #fff; background: ${summary.ok ? '#2b8a3e' : '#c92a2a'}; }
  .muted { color: #868e96; } table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e9ecef; vertical-align: top; } th { white-space: nowrap; font-weight: 600; }
  .chart svg { display: block; background: #fff; border: 1px solid #dee2e6; border-radius: 4px; }
  .legend span { margin-right: 14px; font-size: 12px; } .legend i { display: inline-block; width: 12px; height: 3px; margin: 0 4px 3px 0; vertical-align: middle; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p><span class="verdict">${summary.ok ? 'PASSED' : 'FAILED'}</span>
  ${summary.errors} errors, ${summary.lostWrites} lost writes, ${summary.lostMessages} lost messages, ${summary.handoffs.succeeded ?? 0} handoffs;
  p99 ${ms(summary.latency.steady.p99)} ms steady, ${ms(summary.latency.maintenance.p99)} ms during maintenance.</p>

<h2>Latency (ms, log scale) with every maintenance event</h2>
<div class="legend"><span><i style="background:#1864ab"></i>p50</span><span><i style="background:#c92a2a"></i>p99</span><span><i style="background:#ffa8a8"></i>max</span>
  <span><i style="background:#fff3bf;height:10px"></i>maintenance step</span><span><i style="background:#d9480f"></i>MOVING</span>
  <span><i style="background:#1971c2"></i>MIGRATING / MIGRATED</span><span><i style="background:#862e9c"></i>FAILING_OVER / FAILED_OVER</span>
  <span><i style="background:#2b8a3e"></i>SMIGRATING / SMIGRATED</span><span><i style="background:#e8590c"></i>handoff (dashed)</span></div>
<div class="chart" id="latency-chart"></div>
<p class="muted">Per ${data.bucketS * 1000} ms of start time, over every read and write. Hover a marker or a shaded step for details.</p>

<h2>Reads and writes per second</h2>
<div class="chart" id="ops-chart"></div>

<h2>Open connections per node</h2>
<div class="legend" id="connections-legend"></div>
<div class="chart" id="connections-chart"></div>

<h2>Summary</h2>
<table>
${rows}
</table>

<h2>Steps</h2>
<table>
${steps}
</table>
<p class="muted">Generated by <code>hitless demo</code>. Self-contained: no network access, no external script.</p>
<script type="application/json" id="demo-data">${scriptJson(data)}</script>
<script>${DRAW}</script>
</body>
</html>
`;
}
