/**
 * MetricsHook's instruments as Prometheus metrics in a prom-client Registry, named as an
 * OpenTelemetry Collector's Prometheus exporter names the OTel ones (dots to underscores,
 * `_seconds` for second units, `_total` on counters, brace units dropped, up/down counters as
 * gauges), so one dashboard serves both pipelines.
 *
 *   const registry = new Registry();
 *   const client = createClient({ hooks: [createPrometheusMetrics({ registry })] });
 *   const server = await serveMetrics({ registry, port: 9464 });     // GET /metrics
 *
 * The values are aggregated here, not by prom-client (which validates and hashes the labels on
 * every observation): each series is found by the attributes object MetricsHook hands over (one
 * per command name, server and db), so a command costs a map lookup, a bucket search and two
 * additions; the registry reads the totals when it is scraped. prom-client (an optional peer
 * dependency) is loaded only for its global registry, when no `registry` is given.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { InstrumentSpec, MetricsBackend } from './instruments.js';
import { MetricsHook, type MetricsHookOptions } from './metrics-hook.js';
import type { Attributes, CounterLike, HistogramLike, ObservableResultLike } from './otel.js';

type Labels = Record<string, string>;

/** A sample as prom-client's Registry formats it. */
interface Sample {
  value: number;
  labels: Labels;
  metricName?: string;
}

/** What a prom-client Registry calls on a registered metric. */
interface RegisteredMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly aggregator: 'sum';
  get(): { name: string; help: string; type: string; values: Sample[]; aggregator: 'sum' };
}

/** A prom-client Registry (or anything with the same three members). */
export interface RegistryLike {
  metrics(): Promise<string>;
  readonly contentType: string;
  /**
   * Typed `never` so that prom-client's own signature (which names its metric classes) fits;
   * what is registered is a RegisteredMetric, which its Registry reads through `get()` alone.
   */
  registerMetric(metric: never): void;
}

function globalRegistry(): RegistryLike {
  try {
    return (createRequire(import.meta.url)('prom-client') as { register: RegistryLike }).register;
  } catch (error) {
    throw new Error('createPrometheusMetrics without a `registry` uses prom-client\'s global one, and prom-client is not installed: `npm install prom-client` (an optional peer dependency of hitless)', { cause: error });
  }
}

/**
 * The Prometheus name an OTel Collector gives this instrument, with one exception: Prometheus
 * reserves `_count` for histograms and summaries (promtool rejects a gauge named so), so a
 * non-histogram `…_count` becomes plural: `db.client.connection.count` → `db_client_connections`.
 */
export function prometheusName(spec: Pick<InstrumentSpec, 'name' | 'kind' | 'unit'>): string {
  let base = spec.name.replace(/[^a-zA-Z0-9_:]/g, '_');
  if (spec.kind !== 'histogram' && base.endsWith('_count')) base = `${base.slice(0, -'_count'.length)}s`;
  const unit = spec.unit === 's' ? 'seconds' : spec.unit === 'By' ? 'bytes' : spec.unit === '1' && spec.kind === 'gauge' ? 'ratio' : '';
  const named = unit !== '' && !base.endsWith(`_${unit}`) ? `${base}_${unit}` : base;
  return spec.kind === 'counter' ? `${named}_total` : named;
}

/** The Prometheus label an OTel attribute becomes. */
export function prometheusLabel(attribute: string): string {
  return attribute.replace(/[^a-zA-Z0-9_]/g, '_');
}

function labelsOf(attributes: Attributes | undefined): Labels {
  const labels: Labels = {};
  if (attributes !== undefined) for (const [key, value] of Object.entries(attributes)) labels[prometheusLabel(key)] = String(value);
  return labels;
}

const NO_ATTRIBUTES: Attributes = Object.freeze({});

/**
 * The series of one metric: found by the attributes object first (the reused ones MetricsHook
 * passes for every command), by the labels' text for a new object with the same labels, so one
 * label set is always one series.
 */
class Series<T> {
  readonly #byObject = new WeakMap<Attributes, { labels: Labels; value: T }>();
  readonly #byLabels = new Map<string, { labels: Labels; value: T }>();
  readonly #create: () => T;

  constructor(create: () => T) {
    this.#create = create;
  }

  of(attributes: Attributes = NO_ATTRIBUTES): T {
    const known = this.#byObject.get(attributes);
    if (known !== undefined) return known.value;
    const labels = labelsOf(attributes);
    const key = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    let entry = this.#byLabels.get(key);
    if (entry === undefined) this.#byLabels.set(key, (entry = { labels, value: this.#create() }));
    this.#byObject.set(attributes, entry);
    return entry.value;
  }

  entries(): IterableIterator<{ labels: Labels; value: T }> {
    return this.#byLabels.values();
  }
}

interface HistogramValue {
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

function register(registry: RegistryLike, spec: InstrumentSpec, type: RegisteredMetric['type'], values: () => Sample[]): void {
  const name = prometheusName(spec);
  const metric: RegisteredMetric = {
    name, help: spec.description, type, aggregator: 'sum',
    get: () => ({ name, help: spec.description, type, values: values(), aggregator: 'sum' }),
  };
  (registry.registerMetric as (metric: RegisteredMetric) => void).call(registry, metric);
}

export function prometheusBackend(registry: RegistryLike): MetricsBackend {
  const scalar = (spec: InstrumentSpec, type: 'counter' | 'gauge'): CounterLike => {
    const series = new Series(() => ({ total: 0 }));
    register(registry, spec, type, () => [...series.entries()].map(({ labels, value }) => ({ labels, value: value.total })));
    return { add: (value, attributes) => void (series.of(attributes).total += value) };
  };
  return {
    counter: (spec) => scalar(spec, 'counter'),
    upDownCounter: (spec) => scalar(spec, 'gauge'),
    histogram(spec, buckets): HistogramLike {
      const bounds = [...buckets];
      const series = new Series<HistogramValue>(() => ({ counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 }));
      const name = prometheusName(spec);
      register(registry, spec, 'histogram', () => [...series.entries()].flatMap(({ labels, value }) => {
        const samples: Sample[] = [];
        let cumulative = 0;
        for (let i = 0; i <= bounds.length; i++) {
          cumulative += value.counts[i]!;
          samples.push({ metricName: `${name}_bucket`, labels: { ...labels, le: i < bounds.length ? String(bounds[i]) : '+Inf' }, value: cumulative });
        }
        samples.push({ metricName: `${name}_sum`, labels, value: value.sum }, { metricName: `${name}_count`, labels, value: value.count });
        return samples;
      }));
      const observe = (h: HistogramValue, value: number): void => {
        let i = 0;
        while (i < bounds.length && value > bounds[i]!) i++;
        h.counts[i]!++;
        h.sum += value;
        h.count++;
      };
      return {
        record: (value, attributes) => observe(series.of(attributes), value),
        bind(attributes) {
          const h = series.of(attributes);
          return (value) => observe(h, value);
        },
      };
    },
    observableGauge(spec, callback) {
      register(registry, spec, 'gauge', () => {
        const samples: Sample[] = [];
        const result: ObservableResultLike = { observe: (value, attributes) => void samples.push({ value, labels: labelsOf(attributes) }) };
        callback(result);
        return samples;
      });
    },
  };
}

export interface PrometheusMetricsOptions extends Omit<MetricsHookOptions, 'meterProvider' | 'backend'> {
  /** Default: prom-client's global registry. */
  registry?: RegistryLike;
}

/** A MetricsHook whose metrics live in `registry` (one hook per registry: the names are registered once). */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): MetricsHook {
  const { registry = globalRegistry(), ...rest } = options;
  return new MetricsHook({ ...rest, backend: prometheusBackend(registry) });
}

export interface MetricsServer {
  /** `http://host:port/metrics` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves `registry`'s exposition at `path` (default `/metrics`); port 0 picks a free one. */
export async function serveMetrics(options: { registry: RegistryLike; port?: number; host?: string; path?: string }): Promise<MetricsServer> {
  const { registry, port = 0, host = '127.0.0.1', path = '/metrics' } = options;
  const server = http.createServer((request, response) => {
    if (request.method !== 'GET' || request.url?.split('?')[0] !== path) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: the metrics are at ${path}\n`);
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`collecting the metrics failed: ${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}${path}`,
    port: bound,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
