/**
 * A real OpenTelemetry MeterProvider (sdk-metrics) with a pull reader, for asserting what a
 * MetricsHook recorded: sums of counters and up/down counters and histogram counts per attribute
 * filter, read through the SDK's own aggregation.
 */
import { DataPointType, MeterProvider, MetricReader, type MetricData } from '@opentelemetry/sdk-metrics';

class PullReader extends MetricReader {
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
  shutdown(): Promise<void>;
}

export function testMetrics(): TestMetrics {
  const reader = new PullReader();
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
    shutdown: () => provider.shutdown(),
  };
}
