/**
 * The in-process view of `MetricsHook#getMetrics()`: what go-redis's MetricsHook promises
 * (`notification_counts`, `processing_times`, `error_counts`), with the processing times actually
 * filled, plus handoff counts. Durations are milliseconds.
 */

export interface DurationSummary {
  readonly count: number;
  readonly mean: number;
  /** Over the most recent RESERVOIR samples. */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface MetricsSnapshot {
  /** Notifications received, by type (`MOVING`, …). */
  readonly notification_counts: Record<string, number>;
  /** How long handling took, by type. */
  readonly processing_times: Record<string, DurationSummary>;
  /** Notifications that were invalid or whose handling failed, by type. */
  readonly error_counts: Record<string, number>;
  readonly handoff_counts: { readonly succeeded: number; readonly failed: number; readonly retried: number; readonly refused: number };
}

/** Samples kept per type for the percentiles; count, mean and max cover every sample. */
export const RESERVOIR = 1024;

export class DurationStats {
  #count = 0;
  #sum = 0;
  #max = 0;
  readonly #recent: number[] = [];
  #next = 0;

  add(ms: number): void {
    this.#count++;
    this.#sum += ms;
    if (ms > this.#max) this.#max = ms;
    if (this.#recent.length < RESERVOIR) this.#recent.push(ms);
    else this.#recent[this.#next] = ms;
    this.#next = (this.#next + 1) % RESERVOIR;
  }

  summary(): DurationSummary {
    const sorted = [...this.#recent].sort((a, b) => a - b);
    const at = (q: number): number => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
    return { count: this.#count, mean: this.#count === 0 ? 0 : this.#sum / this.#count, p50: at(0.5), p99: at(0.99), max: this.#max };
  }
}
