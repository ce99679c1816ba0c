/**
 * `hitless/instrumentation`: hooks that turn the client's events into metrics, spans and logs.
 * MetricsHook (for OpenTelemetry, also as a MetricProducer, or prom-client), TracingHook and LoggingHook. It also
 * exports the hook contract they are built on.
 */
export { CLIENT_LIBRARY, HOOK_MEMBERS, REDACTED, type Hook, type HookMember } from '../src/hooks/index.js';
export type * from '../src/hooks/events.js';
export { describeError, type ErrorCategory, type ErrorDescription } from './errors.js';
export { LOG_LEVELS, LoggingHook, type LoggerLike, type LoggingHookOptions, type LogLevel } from './logging-hook.js';
export { DEFAULT_BUCKETS, METRIC_GROUPS, MetricsHook, type MetricGroup, type MetricsHookOptions } from './metrics-hook.js';
export { INSTRUMENTS, otelBackend, type InstrumentKind, type InstrumentSpec, type MetricsBackend } from './instruments.js';
export type { Attributes, MeterLike, MeterProviderLike } from './otel.js';
export {
  createMetricProducer, MetricProducerHook, type CollectionResultLike, type MetricDataLike, type MetricProducerOptions,
} from './otel-producer.js';
export {
  createPrometheusMetrics, prometheusBackend, prometheusLabel, prometheusName, serveMetrics, type MetricsServer, type PrometheusMetricsOptions,
  type RegistryLike,
} from './prometheus.js';
export * as semconv from './semconv.js';
export type { DurationSummary, MetricsSnapshot } from './snapshot.js';
export {
  ATTR_DB_QUERY_TEXT, sanitise, TracingHook, type SpanLike, type TracerLike, type TracerProviderLike, type TracingHookOptions,
} from './tracing-hook.js';
