/**
 * MetricsHook: the client's hook events as OpenTelemetry instruments, named and attributed as the
 * Redis client observability spec v0.2 and the OTel database conventions say, plus the
 * maintenance measures the spec lacks (under `redis.client.*`), plus an in-process snapshot.
 *
 *   const client = createClient({ hooks: [new MetricsHook()] });              // the global MeterProvider
 *   new MetricsHook({ meterProvider, enabledMetricGroups: ['command', 'resiliency'] });
 *
 * Durations are recorded in seconds (events carry milliseconds). Every data point carries
 * `db.system.name = redis` and `redis.client.library = hitless:<version>`. The connection pool
 * name (`db.client.connection.pool.name`) is the endpoint a connection is connected to,
 * `host:port`. Members of disabled groups are not defined at all, so the hook chain never calls
 * them.
 */
import { CLIENT_LIBRARY, type Hook } from '../src/hooks/index.js';
import type {
  BatchEvent, CircuitBreakerEvent, CircuitBreakerState, CommandEvent, ConnectionAcquireEvent, ConnectionClosedEvent, ConnectionStateEvent,
  DialEvent, Endpoint, HandoffEvent, HandshakeEvent, NotificationHandledEvent, NotificationReceivedEvent, TimeoutRelaxedEvent, TimeoutUnrelaxedEvent,
} from '../src/hooks/events.js';
import { NOTIFICATION_TYPES } from '../src/maintnotifications/notification.js';
import { describeError } from './errors.js';
import { INSTRUMENTS, otelBackend, type MetricsBackend } from './instruments.js';
import { OperationCache } from './operation-cache.js';
import { globalMeterProvider, type Attributes, type CounterLike, type HistogramLike, type MeterProviderLike, type ObservableResultLike } from './otel.js';
import * as semconv from './semconv.js';
import { DurationStats, type MetricsSnapshot } from './snapshot.js';

/** The spec's groups, and `maintenance` for ours. */
export const METRIC_GROUPS = ['command', 'connection-basic', 'connection-advanced', 'resiliency', 'maintenance'] as const;
export type MetricGroup = (typeof METRIC_GROUPS)[number];

/** The OTel conventions' advisory buckets for operation durations, in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

export interface MetricsHookOptions {
  /** Where the instruments come from. Default: the global one of @opentelemetry/api. */
  meterProvider?: MeterProviderLike;
  /**
   * Another home for the same instruments (e.g. prom-client, see createPrometheusMetrics);
   * replaces `meterProvider`.
   */
  backend?: MetricsBackend;
  /** Default: every group. */
  enabledMetricGroups?: readonly MetricGroup[];
  /** Record operation durations only for these commands (upper case, e.g. `GET`). */
  includeCommands?: readonly string[];
  /** Never record operation durations for these commands. */
  excludeCommands?: readonly string[];
  /** Histogram bucket boundaries in seconds, for every duration histogram. Default DEFAULT_BUCKETS. */
  histogramBuckets?: readonly number[];
}

const HANDOFF_OUTCOMES: ReadonlySet<string> = new Set(['succeeded', 'failed', 'retried', 'refused']);
const BREAKER_STATES: readonly CircuitBreakerState[] = ['closed', 'open', 'half-open'];

interface Instruments {
  operationDuration: HistogramLike;
  connectionCount: CounterLike;
  createTime: HistogramLike;
  relaxedTimeout: CounterLike;
  handoff: CounterLike;
  waitTime: HistogramLike;
  closed: CounterLike;
  errors: CounterLike;
  notifications: CounterLike;
  notificationDuration: HistogramLike;
  handoffDuration: HistogramLike;
  handoffOutcomes: CounterLike;
}

export class MetricsHook implements Hook {
  readonly name = 'MetricsHook';
  readonly groups: ReadonlySet<MetricGroup>;
  // Members, defined in the constructor only for the enabled groups.
  readonly onCommandStart?: (event: CommandEvent) => undefined;
  readonly onCommandEnd?: (event: CommandEvent) => void;
  readonly onBatchEnd?: (event: BatchEvent) => void;
  readonly onDial?: (event: DialEvent) => void;
  readonly onHandshake?: (event: HandshakeEvent) => void;
  readonly onConnectionStateChange?: (event: ConnectionStateEvent) => void;
  readonly onConnectionClosed?: (event: ConnectionClosedEvent) => void;
  readonly onConnectionAcquire?: (event: ConnectionAcquireEvent) => void;
  readonly onNotificationReceived?: (event: NotificationReceivedEvent) => void;
  readonly onNotificationHandled?: (event: NotificationHandledEvent) => void;
  readonly onTimeoutRelaxed?: (event: TimeoutRelaxedEvent) => void;
  readonly onTimeoutUnrelaxed?: (event: TimeoutUnrelaxedEvent) => void;
  readonly onHandoff?: (event: HandoffEvent) => void;
  readonly onCircuitBreakerStateChange?: (event: CircuitBreakerEvent) => void;

  readonly #i: Instruments;
  readonly #include: ReadonlySet<string> | undefined;
  readonly #exclude: ReadonlySet<string>;
  // The groups the command path asks about, as fields (a Set lookup per command costs more).
  readonly #commandGroup: boolean;
  readonly #resiliencyGroup: boolean;
  /**
   * Commands started and ended: pending_requests is their difference, observed at collection
   * time, so a command costs two increments here instead of two up/down counter updates.
   */
  #started = 0;
  #ended = 0;
  /** Where successful operations are recorded, per server, db and command (made once, reused). */
  readonly #recorders = new OperationCache((server, db, name) => this.#recorder(server, db, name));
  /** Each open connection's reported state and the attributes it was counted with. */
  readonly #connections = new Map<number, { state: string; attributes: Attributes }>();
  readonly #dialTimes = new Map<number, number>();
  /** Servers whose rare-event counters exist (see #seed). */
  readonly #seeded = new Set<string>();
  readonly #breakers = new Map<string, CircuitBreakerState>();
  /** The handoff queue and dials as the latest handoff event reported them (one client per hook). */
  #handoffQueue = 0;
  #handoffActive = 0;
  // The snapshot.
  readonly #notificationCounts = new Map<string, number>();
  readonly #processingTimes = new Map<string, DurationStats>();
  readonly #errorCounts = new Map<string, number>();
  readonly #handoffCounts = { succeeded: 0, failed: 0, retried: 0, refused: 0 };

  constructor(options: MetricsHookOptions = {}) {
    this.groups = new Set(validGroups(options.enabledMetricGroups));
    const buckets = validBuckets(options.histogramBuckets);
    this.#include = options.includeCommands === undefined ? undefined : new Set(options.includeCommands.map((c) => c.toUpperCase()));
    this.#exclude = new Set((options.excludeCommands ?? []).map((c) => c.toUpperCase()));
    const backend = options.backend ?? otelBackend(options.meterProvider ?? globalMeterProvider(), CLIENT_LIBRARY.slice(CLIENT_LIBRARY.indexOf(':') + 1));
    const histogram = (spec: (typeof INSTRUMENTS)[keyof typeof INSTRUMENTS]): HistogramLike => backend.histogram(spec, buckets);
    this.#i = {
      operationDuration: histogram(INSTRUMENTS.operationDuration),
      connectionCount: backend.upDownCounter(INSTRUMENTS.connectionCount),
      createTime: histogram(INSTRUMENTS.createTime),
      relaxedTimeout: backend.upDownCounter(INSTRUMENTS.relaxedTimeout),
      handoff: backend.counter(INSTRUMENTS.handoff),
      waitTime: histogram(INSTRUMENTS.waitTime),
      closed: backend.counter(INSTRUMENTS.closed),
      errors: backend.counter(INSTRUMENTS.errors),
      notifications: backend.counter(INSTRUMENTS.notifications),
      notificationDuration: histogram(INSTRUMENTS.notificationDuration),
      handoffDuration: histogram(INSTRUMENTS.handoffDuration),
      handoffOutcomes: backend.counter(INSTRUMENTS.handoffOutcomes),
    };
    const on = (group: MetricGroup): boolean => this.groups.has(group);
    this.#commandGroup = on('command');
    this.#resiliencyGroup = on('resiliency');
    if (on('command') || on('resiliency')) {
      this.onCommandEnd = (event) => this.#commandEnded(event);
      this.onBatchEnd = (event) => this.#batchEnded(event);
    }
    if (on('connection-advanced')) {
      this.onCommandStart = () => {
        this.#started++;
        return undefined;
      };
      backend.observableUpDownCounter(INSTRUMENTS.pendingRequests, (result) => result.observe(this.#started - this.#ended, COMMON));
    }
    if (on('connection-basic') || on('resiliency')) this.onDial = (event) => this.#dialed(event);
    if (on('connection-basic') || on('resiliency') || on('maintenance')) this.onHandshake = (event) => this.#handshaken(event);
    if (on('connection-basic')) {
      this.onConnectionStateChange = (event) => this.#stateChanged(event);
      this.onTimeoutRelaxed = (event) => this.#i.relaxedTimeout.add(1, this.#relaxation(event.server, event.reason));
      this.onTimeoutUnrelaxed = (event) => this.#i.relaxedTimeout.add(-1, this.#relaxation(event.server, event.reason));
    }
    if (on('connection-basic') || on('connection-advanced')) this.onConnectionClosed = (event) => this.#connectionClosed(event);
    if (on('connection-advanced')) this.onConnectionAcquire = (event) => this.#acquired(event);
    if (on('resiliency') || on('maintenance')) {
      this.onNotificationReceived = (event) => this.#notificationReceived(event);
      this.onNotificationHandled = (event) => this.#notificationHandled(event);
    }
    if (on('connection-basic') || on('maintenance')) this.onHandoff = (event) => this.#handoff(event);
    if (on('maintenance')) {
      this.onCircuitBreakerStateChange = (event) => void this.#breakers.set(event.endpoint, event.to);
      backend.observableGauge(INSTRUMENTS.breakerState, (result) => this.#observeBreakers(result));
      backend.observableGauge(INSTRUMENTS.handoffQueue, (result) => result.observe(this.#handoffQueue, COMMON));
      backend.observableGauge(INSTRUMENTS.handoffActive, (result) => result.observe(this.#handoffActive, COMMON));
    }
  }

  /** The in-process snapshot: notification counts, processing times, error counts, handoff counts. */
  getMetrics(): MetricsSnapshot {
    return {
      notification_counts: Object.fromEntries(this.#notificationCounts),
      processing_times: Object.fromEntries([...this.#processingTimes].map(([type, stats]) => [type, stats.summary()])),
      error_counts: Object.fromEntries(this.#errorCounts),
      handoff_counts: { ...this.#handoffCounts },
    };
  }

  // ---- commands ------------------------------------------------------------------------------

  /** The hot path: every command ends here. */
  #commandEnded(event: CommandEvent): void {
    this.#ended++;
    const error = event.error;
    if (error !== undefined) return this.#commandFailed(event, error);
    if (!this.#commandGroup) return;
    if (event.retries !== 0) return this.#retriedCommand(event);
    this.#recorders.get(event.server, event.db, event.name)(event.duration / 1000);
  }

  #commandFailed(event: CommandEvent, error: Error): void {
    if (this.#resiliencyGroup) this.#i.errors.add(1, this.#errorAttributes(error, event.server, event.retries));
    if (this.#commandGroup && this.#measured(event.name)) {
      this.#i.operationDuration.record(event.duration / 1000, this.#failedOperation(event, error));
    }
  }

  /** A command that was moved to another connection before it was written: rare, so not cached. */
  #retriedCommand(event: CommandEvent): void {
    if (!this.#measured(event.name)) return;
    this.#i.operationDuration.record(event.duration / 1000, operationAttributes(event.server, event.db, event.name, event.retries));
  }

  #batchEnded(event: BatchEvent): void {
    const name = event.kind === 'transaction' ? 'MULTI' : 'PIPELINE';
    if (event.error !== undefined && this.#resiliencyGroup) this.#i.errors.add(1, this.#errorAttributes(event.error, event.server, 0));
    if (!this.#commandGroup || !this.#measured(name)) return;
    const attributes: Record<string, string | number | boolean> = { ...operationAttributes(event.server, event.db, name, 0), [semconv.ATTR_DB_OPERATION_BATCH_SIZE]: event.size };
    if (event.error !== undefined) Object.assign(attributes, this.#errorFields(event.error));
    this.#i.operationDuration.record(event.duration / 1000, attributes);
  }

  #measured(name: string): boolean {
    return (this.#include === undefined || this.#include.has(name)) && !this.#exclude.has(name);
  }

  /** Records one successful operation of a kind, into one attributes object; a no-op for an unmeasured command. */
  #recorder(server: Endpoint, db: number, name: string): (seconds: number) => void {
    if (!this.#measured(name)) return () => {};
    const attributes = operationAttributes(server, db, name, 0);
    const histogram = this.#i.operationDuration;
    return histogram.bind?.(attributes) ?? ((seconds) => histogram.record(seconds, attributes));
  }

  #failedOperation(event: CommandEvent, error: Error): Attributes {
    return { ...operationAttributes(event.server, event.db, event.name, event.retries), ...this.#errorFields(error) };
  }

  #errorFields(error: Error): Attributes {
    const description = describeError(error);
    const fields: Record<string, string> = {
      [semconv.ATTR_ERROR_TYPE]: description.type, [semconv.ATTR_REDIS_CLIENT_ERRORS_CATEGORY]: description.category,
    };
    if (description.statusCode !== undefined) fields[semconv.ATTR_DB_RESPONSE_STATUS_CODE] = description.statusCode;
    return fields;
  }

  #errorAttributes(error: Error, server: Endpoint | undefined, retries: number): Attributes {
    const description = describeError(error);
    return {
      ...common(),
      ...(server === undefined ? {} : serverAttributes(server)),
      ...this.#errorFields(error),
      [semconv.ATTR_REDIS_CLIENT_ERRORS_INTERNAL]: description.internal,
      [semconv.ATTR_REDIS_CLIENT_OPERATION_RETRY_ATTEMPTS]: retries,
    };
  }

  // ---- connections ---------------------------------------------------------------------------

  #dialed(event: DialEvent): void {
    if (event.error !== undefined) {
      if (this.groups.has('resiliency')) this.#i.errors.add(1, this.#errorAttributes(event.error, event.server, 0));
      return;
    }
    this.#dialTimes.set(event.connectionId, event.duration);
  }

  #handshaken(event: HandshakeEvent): void {
    const dial = this.#dialTimes.get(event.connectionId);
    this.#dialTimes.delete(event.connectionId);
    if (event.error !== undefined) {
      if (this.groups.has('resiliency')) this.#i.errors.add(1, this.#errorAttributes(event.error, event.server, 0));
      return;
    }
    if (this.groups.has('connection-basic')) this.#i.createTime.record(((dial ?? 0) + event.duration) / 1000, poolAttributes(event.server));
    this.#seed(event.server);
  }

  /**
   * Creates the rare-event counters of a server at 0 when its first connection is up. Prometheus
   * cannot see the first increment of a series that appears already at 1 (`increase()` of it is
   * 0), so without this the first notification of each type, the first handoff and the first
   * failed one would show on no dashboard and fire no alert.
   */
  #seed(server: Endpoint): void {
    const key = `${server.host}:${server.port}`;
    if (this.#seeded.has(key)) return;
    this.#seeded.add(key);
    if (this.groups.has('resiliency')) {
      for (const type of NOTIFICATION_TYPES) {
        this.#i.notifications.add(0, { ...common(), ...serverAttributes(server), [semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION]: type });
      }
    }
    if (this.groups.has('connection-basic')) this.#i.handoff.add(0, poolAttributes(server));
    if (this.groups.has('maintenance')) {
      for (const outcome of HANDOFF_OUTCOMES) this.#i.handoffOutcomes.add(0, { ...poolAttributes(server), [semconv.ATTR_REDIS_CLIENT_HANDOFF_OUTCOME]: outcome });
    }
  }

  #stateChanged(event: ConnectionStateEvent): void {
    const known = this.#connections.get(event.connectionId);
    if (known?.state === event.state) return;
    if (known !== undefined) this.#i.connectionCount.add(-1, known.attributes);
    const attributes: Attributes = {
      ...poolAttributes(event.server),
      [semconv.ATTR_DB_CLIENT_CONNECTION_STATE]: event.state,
      [semconv.ATTR_REDIS_CLIENT_CONNECTION_PUBSUB]: event.role === 'pubsub',
    };
    this.#connections.set(event.connectionId, { state: event.state, attributes });
    this.#i.connectionCount.add(1, attributes);
  }

  #connectionClosed(event: ConnectionClosedEvent): void {
    const known = this.#connections.get(event.connectionId);
    if (known !== undefined) {
      this.#connections.delete(event.connectionId);
      this.#i.connectionCount.add(-1, known.attributes);
    }
    if (!this.groups.has('connection-advanced')) return;
    const attributes: Record<string, string | number | boolean> = {
      ...poolAttributes(event.server), [semconv.ATTR_REDIS_CLIENT_CONNECTION_CLOSE_REASON]: event.reason,
    };
    if (event.error !== undefined) Object.assign(attributes, this.#errorFields(event.error));
    this.#i.closed.add(1, attributes);
  }

  #acquired(event: ConnectionAcquireEvent): void {
    this.#i.waitTime.record(event.duration / 1000, event.server === undefined ? COMMON : poolAttributes(event.server));
    if (event.error !== undefined && this.groups.has('resiliency')) this.#i.errors.add(1, this.#errorAttributes(event.error, undefined, 0));
  }

  // ---- maintenance ---------------------------------------------------------------------------

  #notificationReceived(event: NotificationReceivedEvent): void {
    this.#notificationCounts.set(event.type, (this.#notificationCounts.get(event.type) ?? 0) + 1);
    if (!this.groups.has('resiliency')) return;
    this.#i.notifications.add(1, { ...common(), ...serverAttributes(event.server), [semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION]: event.type });
  }

  #notificationHandled(event: NotificationHandledEvent): void {
    let stats = this.#processingTimes.get(event.type);
    if (stats === undefined) this.#processingTimes.set(event.type, (stats = new DurationStats()));
    stats.add(event.duration);
    if (event.outcome === 'invalid' || event.outcome === 'failed') this.#errorCounts.set(event.type, (this.#errorCounts.get(event.type) ?? 0) + 1);
    if (!this.groups.has('maintenance')) return;
    this.#i.notificationDuration.record(event.duration / 1000, {
      ...common(), ...serverAttributes(event.server),
      [semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION]: event.type, [semconv.ATTR_REDIS_CLIENT_MAINTENANCE_OUTCOME]: event.outcome,
    });
  }

  #relaxation(server: Endpoint, reason: string): Attributes {
    return { ...poolAttributes(server), [semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION]: reason };
  }

  #handoff(event: HandoffEvent): void {
    this.#handoffQueue = event.queued;
    this.#handoffActive = event.active;
    if (!HANDOFF_OUTCOMES.has(event.stage)) return;
    const outcome = event.stage as keyof MetricsSnapshot['handoff_counts'];
    this.#handoffCounts[outcome]++;
    if (outcome === 'succeeded' && this.groups.has('connection-basic')) this.#i.handoff.add(1, poolAttributes(event.from));
    if (!this.groups.has('maintenance')) return;
    const attributes = { ...poolAttributes(event.from), [semconv.ATTR_REDIS_CLIENT_HANDOFF_OUTCOME]: outcome };
    this.#i.handoffOutcomes.add(1, attributes);
    if (outcome === 'succeeded' || outcome === 'failed') this.#i.handoffDuration.record(event.duration / 1000, attributes);
  }

  #observeBreakers(result: ObservableResultLike): void {
    for (const [endpoint, current] of this.#breakers) {
      for (const state of BREAKER_STATES) {
        result.observe(state === current ? 1 : 0, {
          ...common(), [semconv.ATTR_REDIS_CLIENT_CIRCUIT_BREAKER_ENDPOINT]: endpoint, [semconv.ATTR_REDIS_CLIENT_CIRCUIT_BREAKER_STATE]: state,
        });
      }
    }
  }
}

/** What every data point carries. */
const COMMON: Attributes = Object.freeze({ [semconv.ATTR_DB_SYSTEM_NAME]: semconv.DB_SYSTEM_NAME_VALUE_REDIS, [semconv.ATTR_REDIS_CLIENT_LIBRARY]: CLIENT_LIBRARY });

function common(): Attributes {
  return COMMON;
}

function serverAttributes(server: Endpoint): Attributes {
  return { [semconv.ATTR_SERVER_ADDRESS]: server.host, [semconv.ATTR_SERVER_PORT]: server.port };
}

function poolAttributes(server: Endpoint): Attributes {
  return { ...COMMON, ...serverAttributes(server), [semconv.ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: `${server.host}:${server.port}` };
}

function operationAttributes(server: Endpoint, db: number, name: string, retries: number): Attributes {
  return {
    ...COMMON, ...serverAttributes(server),
    [semconv.ATTR_DB_OPERATION_NAME]: name, [semconv.ATTR_DB_NAMESPACE]: String(db), [semconv.ATTR_REDIS_CLIENT_OPERATION_RETRY_ATTEMPTS]: retries,
  };
}

function validGroups(groups: readonly MetricGroup[] | undefined): readonly MetricGroup[] {
  if (groups === undefined) return METRIC_GROUPS;
  if (!Array.isArray(groups)) throw new TypeError(`MetricsHook: enabledMetricGroups must be an array of ${METRIC_GROUPS.join(', ')}`);
  for (const group of groups) {
    if (!(METRIC_GROUPS as readonly string[]).includes(group)) {
      throw new TypeError(`MetricsHook: unknown metric group ${JSON.stringify(group)} (expected one of ${METRIC_GROUPS.join(', ')})`);
    }
  }
  return groups;
}

function validBuckets(buckets: readonly number[] | undefined): readonly number[] {
  if (buckets === undefined) return DEFAULT_BUCKETS;
  const ok = Array.isArray(buckets) && buckets.length > 0 && buckets.every((b, i) => Number.isFinite(b) && b > 0 && (i === 0 || b > buckets[i - 1]!));
  if (!ok) throw new TypeError(`MetricsHook: histogramBuckets must be increasing positive seconds, got ${JSON.stringify(buckets)}`);
  return buckets;
}
