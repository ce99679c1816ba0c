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
 * The values are aggregated in the hook (aggregation.ts), not by prom-client (which validates and
 * hashes the labels on every observation); the registry reads the totals when it is scraped.
 * prom-client (an optional peer dependency) is loaded only for its global registry, when no
 * `registry` is given.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { aggregatingBackend, observeNow, type Aggregated } from './aggregation.js';
import type { InstrumentSpec, MetricsBackend } from './instruments.js';
import { MetricsHook, type MetricsHookOptions } from './metrics-hook.js';
import type { Attributes } from './otel.js';

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

function labelsOf(attributes: Attributes): Labels {
  const labels: Labels = {};
  for (const [key, value] of Object.entries(attributes)) labels[prometheusLabel(key)] = String(value);
  return labels;
}

const TYPES = { counter: 'counter', updown: 'gauge', gauge: 'gauge', histogram: 'histogram' } as const;

/** The samples of one aggregated instrument as the registry formats them. */
function samples(instrument: Aggregated, name: string): Sample[] {
  switch (instrument.kind) {
    case 'sum':
      return [...instrument.series.entries()].map(({ attributes, value }) => ({ labels: labelsOf(attributes), value: value.total }));
    case 'observed':
      return observeNow(instrument.observe).map(({ attributes, value }) => ({ labels: labelsOf(attributes), value }));
    case 'histogram': {
      const { bounds } = instrument;
      return [...instrument.series.entries()].flatMap(({ attributes, value }) => {
        const labels = labelsOf(attributes);
        const out: Sample[] = [];
        let cumulative = 0;
        for (let i = 0; i <= bounds.length; i++) {
          cumulative += value.counts[i]!;
          out.push({ metricName: `${name}_bucket`, labels: { ...labels, le: i < bounds.length ? String(bounds[i]) : '+Inf' }, value: cumulative });
        }
        out.push({ metricName: `${name}_sum`, labels, value: value.sum }, { metricName: `${name}_count`, labels, value: value.count });
        return out;
      });
    }
  }
}

/** MetricsHook's instruments aggregated in the hook (aggregation.ts) and read by `registry` at each scrape. */
export function prometheusBackend(registry: RegistryLike): MetricsBackend {
  return aggregatingBackend((instrument) => {
    const { spec } = instrument;
    const name = prometheusName(spec);
    const type = TYPES[spec.kind];
    const metric: RegisteredMetric = {
      name, help: spec.description, type, aggregator: 'sum',
      get: () => ({ name, help: spec.description, type, values: samples(instrument, name), aggregator: 'sum' }),
    };
    (registry.registerMetric as (metric: RegisteredMetric) => void).call(registry, metric);
  });
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
