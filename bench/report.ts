/**
 * Markdown tables for the README from one or more `npm run bench -- --json FILE` results, side by
 * side (one column group per file, e.g. Node 20 and Node 26):
 *
 *   npx tsx bench/report.ts node20.json node26.json
 */
import { readFileSync } from 'node:fs';
import type { BenchResult } from './run.js';
import { bytes, opsPerSecond, percent, ratio } from './stats.js';

const files = process.argv.slice(2);
if (files.length === 0 || files.includes('--help')) {
  console.log('Usage: npx tsx bench/report.ts RESULT.json [RESULT.json ...]');
  process.exit(files.length === 0 ? 2 : 0);
}
const results = files.map((file) => JSON.parse(readFileSync(file, 'utf8')) as BenchResult);
const nodes = results.map((r) => `Node ${r.meta.node.replace(/^v/, '')}`);

function markdown(header: string[], rows: string[][]): string {
  return [header, header.map((_, i) => (i === 0 ? '---' : '---:')), ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

const out: string[] = [];
for (const workload of ['concurrent', 'latency', 'pipeline'] as const) {
  const first = results.find((r) => r.workloads[workload])?.workloads[workload];
  if (!first) continue;
  out.push(`**${first.title}** (ops/s, median of ${results[0]!.meta.options.rounds} rounds, min–max)\n`);
  const header = ['client', ...nodes.flatMap((n) => [`${n} ops/s`, `hitless ÷ client`])];
  const rows = Object.keys(first.clients).map((client) => [
    client,
    ...results.flatMap((r) => {
      const w = r.workloads[workload];
      const s = w?.clients[client];
      if (!w || !s) return ['–', '–'];
      return [
        `${opsPerSecond(s.median)} (${opsPerSecond(s.min)}–${opsPerSecond(s.max)})`,
        client === 'hitless' ? '' : ratio(w.clients.hitless!.median / s.median),
      ];
    }),
  ]);
  out.push(markdown(header, rows), '');
}

const hooked = results.find((r) => r.hooks);
if (hooked?.hooks) {
  out.push(`**Hook overhead**, workload (a) on hitless (median of ${hooked.meta.options.hookRounds} rounds; cost = 1 − median of per-round ratios to "no hooks" (node-redis + OTel: to plain node-redis), min–max of those ratios)\n`);
  const header = ['hooks', ...nodes.flatMap((n) => [`${n} ops/s`, 'cost'])];
  const rows = Object.keys(hooked.hooks.variants).map((name) => [
    name,
    ...results.flatMap((r) => {
      const v = r.hooks?.variants[name];
      if (!v) return ['–', '–'];
      const baseline = v.relativeTo === undefined ? name === 'no hooks' : v.relativeTo === name;
      const cost = baseline ? '' : `${percent(1 - v.pairedRatio.median)} (${v.pairedRatio.min.toFixed(2)}–${v.pairedRatio.max.toFixed(2)})`;
      return [`${opsPerSecond(v.opsPerSecond.median)} (${opsPerSecond(v.opsPerSecond.min)}–${opsPerSecond(v.opsPerSecond.max)})`, cost];
    }),
  ]);
  out.push(markdown(header, rows), '');
}

const measured = results.find((r) => r.memory);
if (measured?.memory) {
  const ops = measured.meta.options.memoryOps / 1e6;
  out.push(`**Memory** (heap after a full GC; pending = 100k GETs issued without awaiting, minus an array of 100k plain promises)\n`);
  const header = ['client', ...nodes.flatMap((n) => [`${n} B per pending cmd`, `heap Δ after ${ops}M cmds`])];
  const rows = Object.keys(measured.memory.pending).map((client) => [
    client,
    ...results.flatMap((r) => {
      const m = r.memory;
      const p = m?.pending[client];
      const s = m?.steady[client];
      if (!m || !p || !s) return ['–', '–'];
      return [
        (p.issuedPerCommand - m.baseline.issuedPerCommand).toFixed(0),
        `${s.delta >= 0 ? '+' : ''}${bytes(s.delta)} (${bytes(s.readings[0]!)} → ${bytes(s.readings[s.readings.length - 1]!)})`,
      ];
    }),
  ]);
  out.push(markdown(header, rows), '');
}

const meta = results.map((r) => `${r.meta.node} on ${r.meta.date.slice(0, 10)}, load average ${r.meta.loadAverage?.start.map((n) => n.toFixed(1)).join('/')} at start, ${r.durationSeconds} s`);
out.push(`_${results[0]!.meta.cpus} × ${results[0]!.meta.cpuModel}, ${results[0]!.meta.redis.split(' ').slice(0, 3).join(' ')}; ${meta.join('; ')}._`);
console.log(out.join('\n'));
