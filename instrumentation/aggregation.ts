/**
 * MetricsHook's instruments aggregated in the hook itself, for backends that read totals when
 * they are collected (prom-client's registry at a scrape, an OpenTelemetry reader through a
 * MetricProducer) instead of being handed every value. A command then costs a bucket search and a
 * few additions on a series found once per attribute set: no backend validates or hashes the
 * attributes per value.
 */
import type { InstrumentSpec, MetricsBackend } from './instruments.js';
import type { Attributes, CounterLike, HistogramLike, ObservableResultLike } from './otel.js';

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** A series' attributes as a key that does not depend on their order. */
function keyOf(attributes: Attributes): string {
  return JSON.stringify(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The series of one instrument: found by the attributes object first (MetricsHook reuses one per
 * command name, server and db), by the attributes' content for a new object with the same ones,
 * so one attribute set is always one series.
 */
export class Series<T> {
  readonly #byObject = new WeakMap<Attributes, { attributes: Attributes; value: T }>();
  readonly #byContent = new Map<string, { attributes: Attributes; value: T }>();
  readonly #create: () => T;

  constructor(create: () => T) {
    this.#create = create;
  }

  of(attributes: Attributes = NO_ATTRIBUTES): T {
    const known = this.#byObject.get(attributes);
    if (known !== undefined) return known.value;
    const key = keyOf(attributes);
    let entry = this.#byContent.get(key);
    if (entry === undefined) this.#byContent.set(key, (entry = { attributes: { ...attributes }, value: this.#create() }));
    this.#byObject.set(attributes, entry);
    return entry.value;
  }

  entries(): IterableIterator<{ readonly attributes: Attributes; readonly value: T }> {
    return this.#byContent.values();
  }
}

export interface Total {
  total: number;
}

export interface HistogramTotals {
  /** Per bucket, not cumulative: counts[i] holds values in (bounds[i-1], bounds[i]]; the last one above every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
  min: number;
  max: number;
}

/**
 * An instrument as the hook aggregates it: totals per series, or a callback that observes values
 * at collection time. `spec.kind` tells a counter from an up/down counter and a gauge.
 */
export type Aggregated =
  | { readonly kind: 'sum'; readonly spec: InstrumentSpec; readonly series: Series<Total> }
  | { readonly kind: 'histogram'; readonly spec: InstrumentSpec; readonly bounds: readonly number[]; readonly series: Series<HistogramTotals> }
  | { readonly kind: 'observed'; readonly spec: InstrumentSpec; readonly observe: (result: ObservableResultLike) => void };

function histogramTotals(buckets: number): HistogramTotals {
  return { counts: new Float64Array(buckets + 1), sum: 0, count: 0, min: Infinity, max: -Infinity };
}

/** Adds one value: the bucket is the first whose upper bound is ≥ value (the OTel and Prometheus rule). */
function record(h: HistogramTotals, bounds: readonly number[], value: number): void {
  let i = 0;
  while (i < bounds.length && value > bounds[i]!) i++;
  h.counts[i]!++;
  h.sum += value;
  h.count++;
  if (value < h.min) h.min = value;
  if (value > h.max) h.max = value;
}

/** A MetricsBackend that aggregates in place and hands each instrument, once made, to `made`. */
export function aggregatingBackend(made: (instrument: Aggregated) => void): MetricsBackend {
  const sum = (spec: InstrumentSpec): CounterLike => {
    const series = new Series<Total>(() => ({ total: 0 }));
    made({ kind: 'sum', spec, series });
    return { add: (value, attributes) => void (series.of(attributes).total += value) };
  };
  const observed = (spec: InstrumentSpec, observe: (result: ObservableResultLike) => void): void => made({ kind: 'observed', spec, observe });
  return {
    counter: sum,
    upDownCounter: sum,
    histogram(spec, buckets): HistogramLike {
      const bounds = [...buckets];
      const series = new Series(() => histogramTotals(bounds.length));
      made({ kind: 'histogram', spec, bounds, series });
      return {
        record: (value, attributes) => record(series.of(attributes), bounds, value),
        bind(attributes) {
          const h = series.of(attributes);
          return (value) => record(h, bounds, value);
        },
      };
    },
    observableGauge: observed,
    observableUpDownCounter: observed,
  };
}

/** What an observable instrument's callback reports now, as attribute sets and values. */
export function observeNow(observe: (result: ObservableResultLike) => void): Array<{ value: number; attributes: Attributes }> {
  const observed: Array<{ value: number; attributes: Attributes }> = [];
  observe({ observe: (value, attributes = NO_ATTRIBUTES) => void observed.push({ value, attributes }) });
  return observed;
}
