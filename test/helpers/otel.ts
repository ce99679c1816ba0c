/**
 * A real OpenTelemetry MeterProvider (sdk-metrics) with a pull reader, for asserting what a
 * MetricsHook recorded: sums of counters and up/down counters and histogram counts per attribute
 * filter, read through the SDK's own aggregation.
 */
import { DataPointType, MeterProvider, MetricReader, type MetricData, type MetricReaderOptions } from '@opentelemetry/sdk-metrics';

class PullReader extends MetricReader {
  constructor(options?: MetricReaderOptions) {
    super(options);
  }

  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

export type Filter = Record<string, string | number | boolean>;

export interface TestMetrics {
  readonly provider: MeterProvider;
  /** Every metric as the SDK aggregated it now. */
  collect(): Promise<MetricData[]>;
  /** The sum over data points matching `filter` (a counter, an up/down counter, or a gauge's values). */
  sum(name: string, filter?: Filter): Promise<number>;
  /** How many values a histogram recorded over data points matching `filter`. */
  count(name: string, filter?: Filter): Promise<number>;
  /** The attribute sets of a metric's data points. */
  attributes(name: string): Promise<Array<Record<string, unknown>>>;
  /**
   * Every metric as plain data to compare with another pipeline's: descriptors, types, attributes
   * and values, without the times, in a fixed order.
   */
  comparable(): Promise<ComparableMetric[]>;
  shutdown(): Promise<void>;
}

export interface ComparableMetric {
  descriptor: { name: string; description: string; unit: string; valueType: number };
  aggregationTemporality: number;
  dataPointType: number;
  isMonotonic: boolean | undefined;
  dataPoints: Array<{ attributes: Record<string, unknown>; value: unknown }>;
}

/**
 * A histogram value with its sum to 12 significant digits: sdk-metrics adds each collection's
 * delta to the running total, so from the second collection on its sum can differ in the last
 * bit from the same values summed in one run.
 */
function roundedSum(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || typeof (value as { sum?: unknown }).sum !== 'number') return value;
  const histogram = value as { sum: number };
  return { ...histogram, sum: Number(histogram.sum.toPrecision(12)) };
}

/** `metricProducers`: MetricProducers the reader collects besides the provider's own instruments. */
export function testMetrics(options: Pick<MetricReaderOptions, 'metricProducers'> = {}): TestMetrics {
  const reader = new PullReader(options);
  const provider = new MeterProvider({ readers: [reader] });
  const collect = async (): Promise<MetricData[]> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
    return resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
  };
  const points = async (name: string, filter: Filter = {}) => {
    const metric = (await collect()).find((m) => m.descriptor.name === name);
    if (metric === undefined) return { metric, points: [] };
    const matching = (metric.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>).filter((p) =>
      Object.entries(filter).every(([k, v]) => p.attributes[k] === v));
    return { metric, points: matching };
  };
  return {
    provider,
    collect,
    async sum(name, filter) {
      const { points: matching } = await points(name, filter);
      return matching.reduce((n, p) => n + (p.value as number), 0);
    },
    async count(name, filter) {
      const { metric, points: matching } = await points(name, filter);
      if (metric !== undefined && metric.dataPointType !== DataPointType.HISTOGRAM) throw new Error(`${name} is not a histogram`);
      return matching.reduce((n, p) => n + (p.value as { count: number }).count, 0);
    },
    async attributes(name) {
      const { points: matching } = await points(name);
      return matching.map((p) => p.attributes);
    },
    async comparable() {
      const order = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
      return (await collect())
        .map((m) => ({
          descriptor: { name: m.descriptor.name, description: m.descriptor.description, unit: m.descriptor.unit, valueType: m.descriptor.valueType },
          aggregationTemporality: m.aggregationTemporality,
          dataPointType: m.dataPointType,
          isMonotonic: 'isMonotonic' in m ? m.isMonotonic : undefined,
          dataPoints: (m.dataPoints as Array<{ attributes: Record<string, unknown>; value: unknown }>)
            .map((p) => ({ attributes: p.attributes, value: roundedSum(p.value) }))
            .sort((a, b) => order(JSON.stringify(a.attributes), JSON.stringify(b.attributes))),
        }))
        .sort((a, b) => order(a.descriptor.name, b.descriptor.name));
    },
    shutdown: () => provider.shutdown(),
  };
}
