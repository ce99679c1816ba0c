/**
 * The demo's verdict: what ran, what failed, what was lost, and latency during maintenance
 * compared with steady traffic. One plain object (printed as JSON with --json, embedded in the
 * report) and its text form.
 */
import type { CommandSample, SequenceCheck } from './load.js';
import type { StepRecord } from './rehearsal.js';

export interface LatencyStats {
  /** Commands that started in these periods. */
  commands: number;
  /** ms; null when no command started in these periods. */
  p50: number | null;
  p99: number | null;
  max: number | null;
}

export interface DemoSummary {
  /** Zero errors and zero lost writes (the exit code is 0 only then). */
  ok: boolean;
  durationS: number;
  commands: number;
  opsPerSecond: number;
  errors: number;
  errorExamples: string[];
  lostWrites: number;
  lostWriteExamples: string[];
  /** List items and pub/sub messages never received. */
  lostMessages: number;
  duplicatedMessages: number;
  blocking: SequenceCheck;
  pubsub: SequenceCheck;
  notifications: Record<string, number>;
  handoffs: Record<string, number>;
  latency: { steady: LatencyStats; maintenance: LatencyStats };
  steps: Array<{ name: string; startS: number; endS: number; detail: string }>;
  metrics: { url: string; answered: boolean };
  spans: Record<string, number>;
  logs: Record<string, number>;
  redis: { source: 'started' | 'url'; address: string; version: string };
}

/** A command belongs to a maintenance window from its step's start until 500 ms after its end. */
export const WINDOW_TAIL_MS = 500;

export function inWindow(at: number, steps: readonly StepRecord[]): boolean {
  return steps.some((s) => at >= s.start && at <= s.end + WINDOW_TAIL_MS);
}

/** Nearest-rank percentile of ascending values. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function latencyStats(latencies: number[]): LatencyStats {
  const sorted = [...latencies].sort((a, b) => a - b);
  return { commands: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.length === 0 ? null : sorted[sorted.length - 1]! };
}

/** Latency of commands started inside maintenance windows vs outside them. */
export function splitLatency(samples: Iterable<CommandSample>, steps: readonly StepRecord[]): DemoSummary['latency'] {
  const steady: number[] = [];
  const maintenance: number[] = [];
  for (const sample of samples) (inWindow(sample.at, steps) ? maintenance : steady).push(sample.latency);
  return { steady: latencyStats(steady), maintenance: latencyStats(maintenance) };
}

const ms = (value: number | null): string => (value === null ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(0));
const counts = (record: Record<string, number>): string =>
  Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';

export function formatSummary(summary: DemoSummary): string {
  const { latency } = summary;
  const lines = [
    '',
    `${summary.ok ? 'PASSED' : 'FAILED'}: ${summary.errors} errors, ${summary.lostWrites} lost writes, ${summary.lostMessages} lost messages`,
    `  commands          ${summary.commands} in ${summary.durationS.toFixed(1)} s (${summary.opsPerSecond.toFixed(0)} ops/s)`,
    `  blocking list     ${summary.blocking.sent} pushed, ${summary.blocking.received} popped, ${summary.blocking.lost} lost, ${summary.blocking.duplicated} duplicated`,
    `  pub/sub           ${summary.pubsub.sent} published, ${summary.pubsub.received} received, ${summary.pubsub.lost} lost, ${summary.pubsub.duplicated} duplicated`,
    `  notifications     ${counts(summary.notifications)}`,
    `  handoffs          ${counts(summary.handoffs)}`,
    `  latency (ms)      steady p50 ${ms(latency.steady.p50)} p99 ${ms(latency.steady.p99)} max ${ms(latency.steady.max)}` +
      ` | maintenance p50 ${ms(latency.maintenance.p50)} p99 ${ms(latency.maintenance.p99)} max ${ms(latency.maintenance.max)}`,
    `  spans             ${counts(summary.spans)}`,
    `  log records       ${counts(summary.logs)}`,
    `  metrics           ${summary.metrics.url} ${summary.metrics.answered ? 'answered' : 'DID NOT ANSWER'}`,
  ];
  for (const example of summary.errorExamples) lines.push(`  error: ${example}`);
  for (const example of summary.lostWriteExamples) lines.push(`  lost write: ${example}`);
  return lines.join('\n');
}
