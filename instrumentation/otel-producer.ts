/**
 * The fast path to OpenTelemetry: a MetricsHook that aggregates in the hook and is itself a
 * MetricProducer (the sdk-metrics interface a MetricReader accepts in `metricProducers`), so the
 * reader collects the totals instead of the SDK aggregating every command.
 *
 *   const metrics = createMetricProducer();                     // MetricsHook's options
 *   const reader = new PeriodicExportingMetricReader({ exporter, metricProducers: [metrics] });
 *   new MeterProvider({ readers: [reader] });
 *   createClient({ hooks: [metrics] });
 *
 * Why: an SDK histogram hashes the attribute set again on every `record()` (sorting the keys and
 * serialising them), several times what the hook itself costs per command, and the
 * @opentelemetry/api has no way to hand it a pre-aggregated value (no observable histogram). The
 * price: the SDK's Views, cardinality limits and exemplars do not apply to these metrics (set
 * buckets with `histogramBuckets`); the data is always cumulative, whatever temporality the
 * reader's exporter prefers; and the reader must be given the producer when it is made.
 *
 * The data is what the SDK itself would report for the same instruments: same names,
 * descriptions, units, attributes, bucket counts, sums, minimums and maximums, scope `hitless`.
 * The types are structural (no SDK import); they fit sdk-metrics 2.x's MetricProducer.
 */
import { CLIENT_LIBRARY } from '../src/hooks/index.js';
import { aggregatingBackend, observeNow, type Aggregated } from './aggregation.js';
import { MetricsHook, type MetricsHookOptions } from './metrics-hook.js';
import type { Attributes } from './otel.js';

/** Seconds and nanoseconds, OTel's HrTime. */
export type HrTimeLike = [number, number];

export interface MetricDescriptorLike {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  /** ValueType.DOUBLE, as the SDK reports instruments made without a value type. */
  readonly valueType: typeof VALUE_TYPE_DOUBLE;
}

export interface DataPointLike<T> {
  readonly startTime: HrTimeLike;
  readonly endTime: HrTimeLike;
  readonly attributes: Attributes;
  readonly value: T;
}

export interface HistogramValueLike {
  buckets: { boundaries: number[]; counts: number[] };
  sum?: number;
  count: number;
  min?: number;
  max?: number;
}

interface MetricDataBase {
  readonly descriptor: MetricDescriptorLike;
  /** AggregationTemporality.CUMULATIVE. */
  readonly aggregationTemporality: typeof TEMPORALITY_CUMULATIVE;
}

/** DataPointType: HISTOGRAM 0, GAUGE 2, SUM 3 (sdk-metrics' numbering). */
export type MetricDataLike =
  | (MetricDataBase & { readonly dataPointType: 0; readonly dataPoints: DataPointLike<HistogramValueLike>[] })
  | (MetricDataBase & { readonly dataPointType: 2; readonly dataPoints: DataPointLike<number>[] })
  | (MetricDataBase & { readonly dataPointType: 3; readonly dataPoints: DataPointLike<number>[]; readonly isMonotonic: boolean });

export interface CollectionResultLike {
  resourceMetrics: {
    /**
     * A MetricReader keeps its MeterProvider's resource and ignores a producer's, so there is
     * none here; typed `never` so that this fits the SDK's type without naming its Resource.
     */
    resource: never;
    scopeMetrics: Array<{ scope: { name: string; version?: string }; metrics: MetricDataLike[] }>;
  };
  errors: unknown[];
}

const VALUE_TYPE_DOUBLE = 1;
const TEMPORALITY_CUMULATIVE = 1;
const HISTOGRAM = 0;
const GAUGE = 2;
const SUM = 3;

function hrTime(ms = performance.timeOrigin + performance.now()): HrTimeLike {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

function metricData(instrument: Aggregated, start: HrTimeLike, now: HrTimeLike): MetricDataLike | undefined {
  const { spec } = instrument;
  const base: MetricDataBase = {
    descriptor: { name: spec.name, description: spec.description, unit: spec.unit, valueType: VALUE_TYPE_DOUBLE },
    aggregationTemporality: TEMPORALITY_CUMULATIVE,
  };
  const point = <T>(attributes: Attributes, value: T): DataPointLike<T> => ({ attributes, startTime: start, endTime: now, value });
  switch (instrument.kind) {
    case 'sum': {
      const dataPoints = [...instrument.series.entries()].map(({ attributes, value }) => point(attributes, value.total));
      return dataPoints.length === 0 ? undefined : { ...base, dataPointType: SUM, dataPoints, isMonotonic: spec.kind === 'counter' };
    }
    case 'observed': {
      const dataPoints = observeNow(instrument.observe).map(({ attributes, value }) => point(attributes, value));
      if (dataPoints.length === 0) return undefined;
      return spec.kind === 'gauge' ? { ...base, dataPointType: GAUGE, dataPoints } : { ...base, dataPointType: SUM, dataPoints, isMonotonic: false };
    }
    case 'histogram': {
      const dataPoints = [...instrument.series.entries()].map(({ attributes, value }) => point(attributes, {
        buckets: { boundaries: [...instrument.bounds], counts: Array.from(value.counts) },
        sum: value.sum, count: value.count,
        min: value.count === 0 ? undefined : value.min, max: value.count === 0 ? undefined : value.max,
      }));
      return dataPoints.length === 0 ? undefined : { ...base, dataPointType: HISTOGRAM, dataPoints };
    }
  }
}

export type MetricProducerOptions = Omit<MetricsHookOptions, 'meterProvider' | 'backend'>;

/** A MetricsHook whose instruments live in the hook, collected by an OTel MetricReader through `collect()`. */
export class MetricProducerHook extends MetricsHook {
  readonly #instruments: readonly Aggregated[];
  readonly #start = hrTime();

  constructor(options: MetricProducerOptions = {}) {
    const instruments: Aggregated[] = [];
    super({ ...options, backend: aggregatingBackend((instrument) => instruments.push(instrument)) });
    this.#instruments = instruments;
  }

  /** What sdk-metrics' MetricReader calls on each of its `metricProducers` when it collects. */
  async collect(): Promise<CollectionResultLike> {
    const now = hrTime();
    const metrics: MetricDataLike[] = [];
    const errors: unknown[] = [];
    for (const instrument of this.#instruments) {
      try {
        const data = metricData(instrument, this.#start, now);
        if (data !== undefined) metrics.push(data);
      } catch (error) {
        errors.push(error);
      }
    }
    const scope = { name: 'hitless', version: CLIENT_LIBRARY.slice(CLIENT_LIBRARY.indexOf(':') + 1) };
    return { resourceMetrics: { resource: undefined as never, scopeMetrics: metrics.length === 0 ? [] : [{ scope, metrics }] }, errors };
  }
}

/** `new MetricProducerHook(options)`: hand it to the hooks of the client and to a reader's `metricProducers`. */
export function createMetricProducer(options: MetricProducerOptions = {}): MetricProducerHook {
  return new MetricProducerHook(options);
}
