/**
 * The instruments MetricsHook records into, described once (name, kind, unit, every attribute
 * key a data point may carry), and the backends that make them: OpenTelemetry here, prom-client in
 * prometheus.ts. Prometheus needs the attribute keys up front (label names); OTel ignores them.
 */
import type { Attributes, CounterLike, HistogramLike, MeterProviderLike, ObservableResultLike } from './otel.js';
import * as semconv from './semconv.js';

export type InstrumentKind = 'counter' | 'updown' | 'histogram' | 'gauge';

export interface InstrumentSpec {
  readonly name: string;
  readonly kind: InstrumentKind;
  /** UCUM as OTel writes it: `s`, `1`, `{connection}`. */
  readonly unit: string;
  readonly description: string;
  readonly attributes: readonly string[];
}

/** Makes the instruments; `buckets` are seconds. */
export interface MetricsBackend {
  counter(spec: InstrumentSpec): CounterLike;
  upDownCounter(spec: InstrumentSpec): CounterLike;
  histogram(spec: InstrumentSpec, buckets: readonly number[]): HistogramLike;
  observableGauge(spec: InstrumentSpec, callback: (result: ObservableResultLike) => void): void;
  /** An up/down counter whose value `callback` reports at collection time (counted by the hook, not per change). */
  observableUpDownCounter(spec: InstrumentSpec, callback: (result: ObservableResultLike) => void): void;
}

const COMMON = [semconv.ATTR_DB_SYSTEM_NAME, semconv.ATTR_REDIS_CLIENT_LIBRARY];
const SERVER = [semconv.ATTR_SERVER_ADDRESS, semconv.ATTR_SERVER_PORT];
const POOL = [...COMMON, ...SERVER, semconv.ATTR_DB_CLIENT_CONNECTION_POOL_NAME];
const ERROR = [semconv.ATTR_ERROR_TYPE, semconv.ATTR_REDIS_CLIENT_ERRORS_CATEGORY, semconv.ATTR_DB_RESPONSE_STATUS_CODE];

const spec = (name: string, kind: InstrumentKind, unit: string, description: string, attributes: readonly string[]): InstrumentSpec =>
  ({ name, kind, unit, description, attributes });

/** Every instrument, by the key MetricsHook uses for it. */
export const INSTRUMENTS = {
  operationDuration: spec(semconv.METRIC_DB_CLIENT_OPERATION_DURATION, 'histogram', 's', 'Duration of database client operations', [
    ...COMMON, ...SERVER, semconv.ATTR_DB_OPERATION_NAME, semconv.ATTR_DB_NAMESPACE, semconv.ATTR_REDIS_CLIENT_OPERATION_RETRY_ATTEMPTS,
    semconv.ATTR_DB_OPERATION_BATCH_SIZE, ...ERROR,
  ]),
  connectionCount: spec(semconv.METRIC_DB_CLIENT_CONNECTION_COUNT, 'updown', '{connection}', 'Connections open, by state', [
    ...POOL, semconv.ATTR_DB_CLIENT_CONNECTION_STATE, semconv.ATTR_REDIS_CLIENT_CONNECTION_PUBSUB,
  ]),
  createTime: spec(semconv.METRIC_DB_CLIENT_CONNECTION_CREATE_TIME, 'histogram', 's', 'Time it took to create a connection (dial and handshake)', POOL),
  relaxedTimeout: spec(semconv.METRIC_REDIS_CLIENT_CONNECTION_RELAXED_TIMEOUT, 'updown', '{relaxation}',
    'Connections whose timeouts are relaxed now (+1 relaxed, -1 restored), after a maintenance notification', [...POOL, semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION]),
  handoff: spec(semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF, 'counter', '1', 'Connections handed off to another endpoint after MOVING', POOL),
  pendingRequests: spec(semconv.METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS, 'updown', '{request}', 'Commands issued and not answered yet', COMMON),
  waitTime: spec(semconv.METRIC_DB_CLIENT_CONNECTION_WAIT_TIME, 'histogram', 's', 'Time it took to obtain a connection for exclusive use (a lease)', POOL),
  closed: spec(semconv.METRIC_REDIS_CLIENT_CONNECTION_CLOSED, 'counter', '{connection}', 'Connections closed, by reason', [
    ...POOL, semconv.ATTR_REDIS_CLIENT_CONNECTION_CLOSE_REASON, ...ERROR,
  ]),
  errors: spec(semconv.METRIC_REDIS_CLIENT_ERRORS, 'counter', '{error}', 'Errors seen by the client', [
    ...COMMON, ...SERVER, ...ERROR, semconv.ATTR_REDIS_CLIENT_ERRORS_INTERNAL, semconv.ATTR_REDIS_CLIENT_OPERATION_RETRY_ATTEMPTS,
  ]),
  notifications: spec(semconv.METRIC_REDIS_CLIENT_MAINTENANCE_NOTIFICATIONS, 'counter', '{notification}', 'Maintenance notifications received', [
    ...COMMON, ...SERVER, semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION,
  ]),
  notificationDuration: spec(semconv.METRIC_REDIS_CLIENT_MAINTENANCE_NOTIFICATION_DURATION, 'histogram', 's',
    'Time it took to handle a maintenance notification, policies included', [
      ...COMMON, ...SERVER, semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION, semconv.ATTR_REDIS_CLIENT_MAINTENANCE_OUTCOME,
    ]),
  handoffDuration: spec(semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_DURATION, 'histogram', 's', 'Time from a MOVING to the end of its handoff', [
    ...POOL, semconv.ATTR_REDIS_CLIENT_HANDOFF_OUTCOME,
  ]),
  handoffOutcomes: spec(semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_OUTCOMES, 'counter', '{handoff}', 'Handoff outcomes: succeeded, failed, retried, refused', [
    ...POOL, semconv.ATTR_REDIS_CLIENT_HANDOFF_OUTCOME,
  ]),
  handoffQueue: spec(semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_QUEUE, 'gauge', '{handoff}', 'Handoffs waiting for a worker', COMMON),
  handoffActive: spec(semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_ACTIVE, 'gauge', '{handoff}', 'Handoffs dialling or handshaking now', COMMON),
  breakerState: spec(semconv.METRIC_REDIS_CLIENT_CIRCUIT_BREAKER_STATE, 'gauge', '{state}',
    'Handoff circuit breakers: 1 for the state each endpoint is in, 0 for the others', [
      ...COMMON, semconv.ATTR_REDIS_CLIENT_CIRCUIT_BREAKER_ENDPOINT, semconv.ATTR_REDIS_CLIENT_CIRCUIT_BREAKER_STATE,
    ]),
} as const satisfies Record<string, InstrumentSpec>;

/** OpenTelemetry instruments from a MeterProvider. */
export function otelBackend(provider: MeterProviderLike, version: string): MetricsBackend {
  const meter = provider.getMeter('hitless', version);
  return {
    counter: (s) => meter.createCounter(s.name, { description: s.description, unit: s.unit }),
    upDownCounter: (s) => meter.createUpDownCounter(s.name, { description: s.description, unit: s.unit }),
    histogram: (s, buckets) => meter.createHistogram(s.name, { description: s.description, unit: s.unit, advice: { explicitBucketBoundaries: [...buckets] } }),
    observableGauge: (s, callback) => meter.createObservableGauge(s.name, { description: s.description, unit: s.unit }).addCallback(callback),
    observableUpDownCounter: (s, callback) => meter.createObservableUpDownCounter(s.name, { description: s.description, unit: s.unit }).addCallback(callback),
  };
}

export type { Attributes };
