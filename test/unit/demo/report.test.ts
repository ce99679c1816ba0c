/** The demo report's data and markup: bucketing, and text from the run never breaking out of the page. */
import { describe, expect, it } from 'vitest';
import { renderReport, reportData, type ReportInput } from '../../../src/demo/report.js';
import { SampleLog } from '../../../src/demo/load.js';
import type { DemoSummary } from '../../../src/demo/summary.js';

const summary = (over: Partial<DemoSummary> = {}): DemoSummary => ({
  ok: true, durationS: 2, commands: 4, opsPerSecond: 2, errors: 0, errorExamples: [], lostWrites: 0, lostWriteExamples: [], lostMessages: 0,
  duplicatedMessages: 0, blocking: { sent: 1, received: 1, lost: 0, duplicated: 0 }, pubsub: { sent: 1, received: 1, lost: 0, duplicated: 0 },
  notifications: { MOVING: 2 }, handoffs: { succeeded: 2 }, latency: { steady: { commands: 2, p50: 1, p99: 2, max: 2 }, maintenance: { commands: 2, p50: 3, p99: 4, max: 4 } },
  steps: [], metrics: { url: 'http://127.0.0.1:1/metrics', answered: true }, spans: {}, logs: {}, redis: { source: 'started', address: '127.0.0.1:1', version: '7' }, ...over,
});

const input = (over: Partial<ReportInput> = {}): ReportInput => ({
  summary: summary(),
  samples: SampleLog.from([{ at: 10, latency: 1, failed: false }, { at: 20, latency: 3, failed: true }, { at: 300, latency: 2, failed: false }]),
  steps: [{ name: 'moving-ip', start: 100, end: 900, detail: 'A -> B' }],
  timeline: [{ at: 150, kind: 'notification', label: 'MOVING' }, { at: 160, kind: 'notification', label: 'MOVING' }, { at: 400, kind: 'handoff', label: 'handoff succeeded' }],
  nodeSamples: [{ at: 0, connections: { A: 3, B: 0 } }, { at: 250, connections: { A: 0, B: 3 } }],
  startedAt: new Date('2026-01-02T03:04:05Z'),
  ...over,
});

describe('reportData', () => {
  it('buckets latency and throughput per 250 ms, counts errors, merges markers of one kind within 100 ms', () => {
    const data = reportData(input());
    expect(data.latency).toEqual([[0, 1, 3, 3], [0.25, 2, 2, 2]]);
    expect(data.ops).toEqual([[0, 8], [0.25, 4]]);
    expect(data.errors).toEqual([[0, 1]]);
    expect(data.nodes).toEqual(['A', 'B']);
    expect(data.connections).toEqual([[0, 3, 0], [0.25, 0, 3]]);
    expect(data.events).toEqual([[0.15, 'notification', 'MOVING', 2], [0.4, 'handoff', 'handoff succeeded', 1]]);
    expect(data.steps).toEqual([{ name: 'moving-ip', start: 0.1, end: 0.9, detail: 'A -> B' }]);
  });
});

describe('SampleLog', () => {
  it('keeps every sample across chunk boundaries, in order', () => {
    const log = new SampleLog();
    const n = (1 << 16) + 5;
    for (let i = 0; i < n; i++) log.push(i, i % 7, i % 3 === 0);
    expect(log.length).toBe(n);
    for (const i of [0, 1, (1 << 16) - 1, 1 << 16, n - 1]) {
      expect([log.at(i), log.latency(i), log.failed(i)]).toEqual([i, i % 7, i % 3 === 0]);
    }
    let count = 0;
    for (const sample of log) if (sample.at === count++ && sample.failed !== (sample.at % 3 === 0)) throw new Error(`sample ${sample.at}`);
    expect(count).toBe(n);
  });
});

describe('renderReport', () => {
  it('escapes text from the run in the markup and in the embedded data', () => {
    const hostile = '</script><img src=x onerror=alert(1)>';
    const html = renderReport(input({
      summary: summary({ redis: { source: 'url', address: hostile, version: '7' } }),
      steps: [{ name: 'moving-ip', start: 0, end: 1, detail: hostile }],
    }));
    expect(html).not.toContain('<img');
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).toContain('&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('\\u003c/script>');
  });

  it('says FAILED, in red, when the run failed', () => {
    const html = renderReport(input({ summary: summary({ ok: false, errors: 3 }) }));
    expect(html).toContain('<span class="verdict">FAILED</span>');
    expect(html).toContain('background: #c92a2a');
  });
});
