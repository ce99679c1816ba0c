/**
 * TracingHook: OpenTelemetry spans for commands and for maintenance.
 *
 *   createClient({ hooks: [new TracingHook()] });                 // the global TracerProvider
 *   new TracingHook({ tracerProvider, queryText: true, maintenanceOnly: false });
 *
 * - One CLIENT span per command, named by the command (`GET`), under the caller's active context,
 *   with `db.system.name`, `db.operation.name`, `db.namespace`, `server.address`, `server.port`,
 *   `network.peer.address` and `network.peer.port` (the socket's remote end that served it, set at
 *   the end: after a handoff, the new node), and on failure status ERROR, `error.type` and
 *   `db.response.status_code`. A pipeline or a
 *   transaction is one span (`PIPELINE`, `MULTI`) with `db.operation.batch.size`. `db.query.text`
 *   only with `queryText: true`, and sanitised: the command, its first argument (usually the key;
 *   credentials are already `<redacted>`) and `?` for every other argument.
 * - One span per maintenance notification (`redis.maintenance MOVING`, with seq, the frame's
 *   time and endpoint, the outcome), with span events when it relaxes or restores timeouts; one
 *   span per handoff (from MOVING to its end: endpoint, attempts, outcome) linked to the
 *   notification that caused it. `maintenanceOnly: true` keeps only these.
 *
 * The sampler decides as usual: a span that is not recording costs the hook one startSpan call.
 * @opentelemetry/api (an optional peer dependency) is loaded for the active context.
 */
import { createRequire } from 'node:module';
import type { Hook } from '../src/hooks/index.js';
import type {
  BatchEvent, CommandEvent, Endpoint, HandoffEvent, NotificationHandledEvent, NotificationReceivedEvent, PeerAddress,
  TimeoutRelaxedEvent, TimeoutUnrelaxedEvent,
} from '../src/hooks/events.js';
import { describeError } from './errors.js';
import { OperationCache } from './operation-cache.js';
import type { Attributes } from './otel.js';
import * as semconv from './semconv.js';

// ---- the slice of the tracing API used, as structural types ----------------------------------

export interface SpanContextLike {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceFlags: number;
}

export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setAttributes(attributes: Attributes): unknown;
  addEvent(name: string, attributes?: Attributes): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
  spanContext(): SpanContextLike;
}

export interface SpanOptionsLike {
  kind?: number;
  attributes?: Attributes;
  links?: Array<{ context: SpanContextLike }>;
}

export interface TracerLike {
  startSpan(name: string, options?: SpanOptionsLike, context?: unknown): SpanLike;
}

export interface TracerProviderLike {
  getTracer(name: string, version?: string): TracerLike;
}

interface TraceApi {
  trace: { getTracerProvider(): TracerProviderLike };
  context: { active(): unknown };
  ROOT_CONTEXT: unknown;
}

const SPAN_KIND_INTERNAL = 0;
const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

export interface TracingHookOptions {
  /** Default: the global one of @opentelemetry/api. */
  tracerProvider?: TracerProviderLike;
  /** Record `db.query.text` (sanitised). Default false. */
  queryText?: boolean;
  /** Only maintenance spans (notifications, handoffs), no command spans. Default false. */
  maintenanceOnly?: boolean;
}

function loadApi(): TraceApi {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as TraceApi;
  } catch (error) {
    throw new Error('TracingHook uses @opentelemetry/api, which is not installed: `npm install @opentelemetry/api` (an optional peer dependency of hitless)', { cause: error });
  }
}

export class TracingHook implements Hook {
  readonly name = 'TracingHook';
  readonly onCommandStart?: (event: CommandEvent) => SpanLike;
  readonly onCommandEnd?: (event: CommandEvent, span: unknown) => void;
  readonly onBatchStart?: (event: BatchEvent) => SpanLike;
  readonly onBatchEnd?: (event: BatchEvent, span: unknown) => void;
  readonly #api: TraceApi;
  readonly #tracer: TracerLike;
  readonly #queryText: boolean;
  /** Notification spans between received and handled, by their frame. */
  readonly #notifications = new Map<readonly unknown[], SpanLike>();
  /** The notification span each connection is being handled under (for relax / unrelax events). */
  readonly #handling = new Map<number, SpanLike>();
  /** MOVING spans by `connectionId:seq`, for the handoff spans to link to. */
  readonly #movings = new Map<string, SpanContextLike>();
  readonly #handoffs = new Map<string, SpanLike>();

  constructor(options: TracingHookOptions = {}) {
    this.#api = loadApi();
    const provider = options.tracerProvider ?? this.#api.trace.getTracerProvider();
    this.#tracer = provider.getTracer('hitless');
    this.#queryText = options.queryText === true;
    if (options.maintenanceOnly === true) return;
    this.onCommandStart = this.#queryText ? (event) => this.#startWithQueryText(event) : commandStart(this.#tracer, this.#api.context);
    this.onCommandEnd = (event, span) => endOperation(span as SpanLike, event.peer, event.error);
    this.onBatchStart = (event) => this.#startBatch(event);
    this.onBatchEnd = (event, span) => endOperation(span as SpanLike, event.peer, event.error);
  }

  #startWithQueryText(event: CommandEvent): SpanLike {
    // Made per command: the text differs.
    const name = event.name;
    const attributes = { ...commandAttributes(event.server, event.db, name), [ATTR_DB_QUERY_TEXT]: sanitise(name, event.args) };
    return this.#tracer.startSpan(name, { kind: SPAN_KIND_CLIENT, attributes }, this.#api.context.active());
  }

  #startBatch(event: BatchEvent): SpanLike {
    const name = event.kind === 'transaction' ? 'MULTI' : 'PIPELINE';
    const attributes = { ...commandAttributes(event.server, event.db, name), [semconv.ATTR_DB_OPERATION_BATCH_SIZE]: event.size };
    return this.#tracer.startSpan(name, { kind: SPAN_KIND_CLIENT, attributes }, this.#api.context.active());
  }

  // ---- maintenance -----------------------------------------------------------------------------

  onNotificationReceived(event: NotificationReceivedEvent): void {
    const attributes: Record<string, string | number | boolean> = {
      ...base(event.server), ...peerAttributes(event.peer),
      [semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION]: event.type, [ATTR_CONNECTION_ID]: event.connectionId,
    };
    if (event.seq !== undefined) attributes[ATTR_MAINTENANCE_SEQ] = event.seq;
    if (event.type === 'MOVING') {
      const [, , time, endpoint] = event.frame;
      if (typeof time === 'number') attributes[ATTR_MAINTENANCE_TIME] = time;
      if (typeof endpoint === 'string' || Buffer.isBuffer(endpoint)) attributes[ATTR_MAINTENANCE_ENDPOINT] = endpoint.toString();
    }
    // Maintenance is the server's doing, not the caller's: a root span of its own.
    const span = this.#tracer.startSpan(`redis.maintenance ${event.type}`, { kind: SPAN_KIND_INTERNAL, attributes }, this.#api.ROOT_CONTEXT);
    this.#notifications.set(event.frame, span);
    this.#handling.set(event.connectionId, span);
  }

  onNotificationHandled(event: NotificationHandledEvent): void {
    const span = this.#notifications.get(event.frame);
    if (span === undefined) return;
    this.#notifications.delete(event.frame);
    if (this.#handling.get(event.connectionId) === span) this.#handling.delete(event.connectionId);
    span.setAttribute(ATTR_MAINTENANCE_OUTCOME, event.outcome);
    if (event.detail !== undefined) span.setAttribute(ATTR_MAINTENANCE_DETAIL, event.detail);
    if (event.type === 'MOVING' && event.seq !== undefined) {
      this.#movings.set(`${event.connectionId}:${event.seq}`, span.spanContext());
      this.#trimMovings();
    }
    endWith(span, event.outcome === 'invalid' || event.outcome === 'failed' ? event.error : undefined);
  }

  onTimeoutRelaxed(event: TimeoutRelaxedEvent): void {
    this.#handling.get(event.connectionId)?.addEvent('timeouts relaxed', {
      [semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION]: event.reason, 'redis.client.relaxed_timeout_ms': event.timeout,
    });
  }

  onTimeoutUnrelaxed(event: TimeoutUnrelaxedEvent): void {
    this.#handling.get(event.connectionId)?.addEvent('timeouts restored', {
      [semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION]: event.reason, 'redis.client.relaxation.cause': event.cause,
    });
  }

  onHandoff(event: HandoffEvent): void {
    const key = `${event.connectionId}:${event.seq}`;
    let span = this.#handoffs.get(key);
    if (span === undefined) {
      // Queued while its MOVING is still being handled (the usual case), or later (a delayed one).
      const moving = this.#movings.get(key) ?? this.#handling.get(event.connectionId)?.spanContext();
      span = this.#tracer.startSpan('redis.handoff', {
        kind: SPAN_KIND_INTERNAL,
        attributes: {
          ...base(event.from), [ATTR_CONNECTION_ID]: event.connectionId, [ATTR_MAINTENANCE_SEQ]: event.seq,
          [ATTR_HANDOFF_TO]: address(event.to), 'redis.client.connection.role': event.role,
        },
        links: moving === undefined ? [] : [{ context: moving }],
      }, this.#api.ROOT_CONTEXT);
      this.#handoffs.set(key, span);
    }
    span.addEvent(event.stage, { 'redis.client.handoff.attempt': event.attempt });
    if (event.stage !== 'succeeded' && event.stage !== 'failed' && event.stage !== 'refused') return;
    this.#handoffs.delete(key);
    span.setAttributes({ [semconv.ATTR_REDIS_CLIENT_HANDOFF_OUTCOME]: event.stage, 'redis.client.handoff.attempts': event.attempt });
    if (event.replacementId !== undefined) span.setAttribute('redis.client.handoff.replacement_id', event.replacementId);
    endWith(span, event.stage === 'succeeded' ? undefined : event.error);
  }

  /** MOVING span contexts are only needed until their handoff starts: keep a bounded number. */
  #trimMovings(): void {
    if (this.#movings.size <= 1024) return;
    const oldest = this.#movings.keys().next().value;
    if (oldest !== undefined) this.#movings.delete(oldest);
  }
}

export const ATTR_DB_QUERY_TEXT = 'db.query.text';
const ATTR_CONNECTION_ID = 'redis.client.connection.id';
const ATTR_MAINTENANCE_SEQ = 'redis.client.maintenance.seq';
const ATTR_MAINTENANCE_TIME = 'redis.client.maintenance.time_s';
const ATTR_MAINTENANCE_ENDPOINT = 'redis.client.maintenance.endpoint';
const ATTR_MAINTENANCE_OUTCOME = 'redis.client.maintenance.outcome';
const ATTR_MAINTENANCE_DETAIL = 'redis.client.maintenance.detail';
const ATTR_HANDOFF_TO = 'redis.client.handoff.to';

/**
 * The start of a command span without `db.query.text`: the span options of every command of one
 * kind (server, db, name) are made once, since tracers copy the attributes they are given
 * (sdk-trace sanitises them into a new object before anything else), so one object serves every
 * span of its kind. The tracer, the cache and the context API are captured here rather than read
 * from the hook's private fields on every command.
 */
function commandStart(tracer: TracerLike, context: TraceApi['context']): (event: CommandEvent) => SpanLike {
  const options = new OperationCache((server, db, name): SpanOptionsLike => ({ kind: SPAN_KIND_CLIENT, attributes: commandAttributes(server, db, name) }));
  return (event) => {
    const name = event.name;
    return tracer.startSpan(name, options.get(event.server, event.db, name), context.active());
  };
}

function commandAttributes(server: Endpoint, db: number, name: string): Attributes {
  return { ...base(server), [semconv.ATTR_DB_OPERATION_NAME]: name, [semconv.ATTR_DB_NAMESPACE]: String(db) };
}

function base(server: Endpoint): Attributes {
  return { [semconv.ATTR_DB_SYSTEM_NAME]: semconv.DB_SYSTEM_NAME_VALUE_REDIS, [semconv.ATTR_SERVER_ADDRESS]: server.host, [semconv.ATTR_SERVER_PORT]: server.port };
}

function peerAttributes(peer: PeerAddress | undefined): Attributes | undefined {
  return peer && { [semconv.ATTR_NETWORK_PEER_ADDRESS]: peer.address, [semconv.ATTR_NETWORK_PEER_PORT]: peer.port };
}

/**
 * A command's or batch's span: the peer that served it (known only now), then the outcome. Two
 * setAttribute calls rather than setAttributes, which makes an entries array per call in sdk-trace.
 */
function endOperation(span: SpanLike, peer: PeerAddress | undefined, error: Error | undefined): void {
  if (peer !== undefined) {
    span.setAttribute(semconv.ATTR_NETWORK_PEER_ADDRESS, peer.address);
    span.setAttribute(semconv.ATTR_NETWORK_PEER_PORT, peer.port);
  }
  endWith(span, error);
}

function endWith(span: SpanLike, error: Error | undefined): void {
  if (error !== undefined) {
    const description = describeError(error);
    span.setAttribute(semconv.ATTR_ERROR_TYPE, description.type);
    if (description.statusCode !== undefined) span.setAttribute(semconv.ATTR_DB_RESPONSE_STATUS_CODE, description.statusCode);
    span.setStatus({ code: STATUS_ERROR, message: error.message });
  }
  span.end();
}

/** `SET key ?`: the command, its first argument (credentials arrive redacted), `?` for the rest. */
export function sanitise(name: string, args: readonly unknown[]): string {
  if (args.length <= 1) return name;
  const first = args[1];
  const shown = typeof first === 'string' ? first : Buffer.isBuffer(first) ? first.toString() : String(first);
  return [name, shown, ...Array.from({ length: args.length - 2 }, () => '?')].join(' ');
}

function address(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}
