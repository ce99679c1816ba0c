/**
 * The instrumentation the demo shows working: MetricsHook in a prom-client Registry served over
 * HTTP, TracingHook into an in-memory span exporter, LoggingHook into a logger that counts records
 * and passes warnings on, and a timeline hook that remembers when each maintenance event happened
 * (for the progress lines, the summary and the report). prom-client and the OTel SDK are
 * development dependencies of hitless, loaded here on demand with a clear message when missing.
 */
import type { Hook } from '../hooks/index.js';
import {
  LoggingHook, serveMetrics, TracingHook, createPrometheusMetrics, type LoggerLike, type MetricsHook, type MetricsServer, type RegistryLike,
} from '../../instrumentation/index.js';

export type TimelineKind = 'notification' | 'handoff' | 'breaker' | 'fallback';

export interface TimelineEvent {
  /** ms since the run started */
  readonly at: number;
  readonly kind: TimelineKind;
  /** MOVING, handoff succeeded, breaker open, … */
  readonly label: string;
}

export interface Telemetry {
  readonly hooks: Hook[];
  readonly metrics: MetricsHook;
  readonly server: MetricsServer;
  readonly timeline: TimelineEvent[];
  /** Notifications received, by type (every connection's copy counted). */
  readonly notifications: Record<string, number>;
  /** Handoff steps, by stage. */
  readonly handoffs: Record<string, number>;
  readonly logs: Record<string, number>;
  /** Finished spans, by name. */
  spans(): Record<string, number>;
  /** Fetches the served metrics once; true when they answered with the maintenance counters. */
  scrape(): Promise<{ answered: boolean; bytes: number }>;
  close(): Promise<void>;
}

export class MissingDependencyError extends Error {
  readonly code = 'ERR_MISSING_DEPENDENCY';
}

async function load<T>(name: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (error) {
    throw new MissingDependencyError(`the demo needs ${name} (a development dependency of hitless): run \`npm install\` in the repository, or \`npm install ${name}\``, { cause: error });
  }
}

interface PromClient {
  Registry: new () => { metrics(): Promise<string>; readonly contentType: string; registerMetric(metric: never): void };
}

interface SpanSdk {
  InMemorySpanExporter: new () => { getFinishedSpans(): Array<{ name: string }>; reset(): void };
  SimpleSpanProcessor: new (exporter: unknown) => unknown;
  BasicTracerProvider: new (config: { spanProcessors: unknown[] }) => { getTracer(name: string, version?: string): never; shutdown(): Promise<void> };
}

/** The port grafana/prometheus.yml scrapes. */
export const DEFAULT_METRICS_PORT = 9464;

/** Serves on `port`; with no port given, on 9464 (what grafana/ scrapes) when free, else on a free one. */
export async function serveDemoMetrics(registry: RegistryLike, port: number | undefined): Promise<MetricsServer> {
  if (port !== undefined) {
    try {
      return await serveMetrics({ registry, port });
    } catch (error) {
      throw new Error(`cannot serve the metrics on 127.0.0.1:${port}: ${(error as Error).message}`, { cause: error });
    }
  }
  try {
    return await serveMetrics({ registry, port: DEFAULT_METRICS_PORT });
  } catch {
    return serveMetrics({ registry, port: 0 });
  }
}

export async function startTelemetry(options: { now: () => number; metricsPort: number | undefined; onWarning: (line: string) => void }): Promise<Telemetry> {
  const { now } = options;
  const { Registry } = await load<PromClient>('prom-client');
  const sdk = await load<SpanSdk>('@opentelemetry/sdk-trace-base');
  const registry = new Registry();
  const metrics = createPrometheusMetrics({ registry });
  const exporter = new sdk.InMemorySpanExporter();
  const tracerProvider = new sdk.BasicTracerProvider({ spanProcessors: [new sdk.SimpleSpanProcessor(exporter)] });
  // Maintenance spans only: a span per command would cost the load most of its throughput.
  const tracing = new TracingHook({ tracerProvider, maintenanceOnly: true });
  const logs: Record<string, number> = {};
  const record = (level: string) => (fields: Record<string, unknown>, message: string): void => {
    logs[level] = (logs[level] ?? 0) + 1;
    if (level === 'warn' || level === 'error') options.onWarning(`log ${level}: ${message} ${JSON.stringify(fields)}`);
  };
  const logger: LoggerLike = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };
  const logging = new LoggingHook({ logger, level: 'info' });

  const timeline: TimelineEvent[] = [];
  const notifications: Record<string, number> = {};
  const handoffs: Record<string, number> = {};
  const mark = (kind: TimelineKind, label: string): void => void timeline.push({ at: now(), kind, label });
  const recorder: Hook = {
    name: 'DemoTimeline',
    onNotificationReceived: (e) => {
      notifications[e.type] = (notifications[e.type] ?? 0) + 1;
      mark('notification', e.type);
    },
    onHandoff: (e) => {
      handoffs[e.stage] = (handoffs[e.stage] ?? 0) + 1;
      mark('handoff', `handoff ${e.stage}`);
    },
    onCircuitBreakerStateChange: (e) => mark('breaker', `breaker ${e.endpoint} ${e.to}`),
    onMaintenanceFallback: (e) => mark('fallback', `fallback ${e.server.host}:${e.server.port}`),
  };

  const server = await serveDemoMetrics(registry, options.metricsPort);
  return {
    hooks: [metrics, tracing, logging, recorder],
    metrics,
    server,
    timeline,
    notifications,
    handoffs,
    logs,
    spans: () => {
      const out: Record<string, number> = {};
      for (const span of exporter.getFinishedSpans()) {
        const name = span.name.startsWith('redis.maintenance') ? 'redis.maintenance' : span.name;
        out[name] = (out[name] ?? 0) + 1;
      }
      return out;
    },
    scrape: async () => {
      try {
        const response = await fetch(server.url);
        const text = await response.text();
        return { answered: response.ok && text.includes('redis_client_maintenance_notifications_total'), bytes: text.length };
      } catch {
        return { answered: false, bytes: 0 };
      }
    },
    close: async () => {
      await server.close();
      await tracerProvider.shutdown();
    },
  };
}
