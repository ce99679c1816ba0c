/**
 * LoggingHook: structured records of what the client does around maintenance and connection
 * trouble, for any logger with pino's `(object, message)` methods, or the console.
 *
 *   createClient({ hooks: [new LoggingHook({ logger: pino(), level: 'info' })] });
 *
 * Levels: `error` (none today: nothing here fails a command), `warn` (a malformed or refused
 * notification, a handoff that failed or had to retry, a breaker that opened, a connection lost),
 * `info` (notifications handled, handoffs done, breakers recovering, reconnect attempts), `debug`
 * (every notification received, ignored ones, relaxed-timeout windows, handoff steps, the `auto`
 * fallback). Records carry names, ids, endpoints and error codes and messages: never a command's
 * arguments or a frame's payload, so no credential can reach a log.
 *
 * A notification that is malformed, refused or failed is written at most once per kind (its type,
 * outcome and offending field or error code) per `repeatInterval`: a server or proxy gone wrong can
 * send thousands a second, and the log must not become the outage. The next record of a kind after
 * its interval says how many were left out (`suppressed`); the counts in metrics stay exact.
 */
import { Console } from 'node:console';
import type { Hook } from '../src/hooks/index.js';
import type {
  CircuitBreakerEvent, ConnectionClosedEvent, Endpoint, HandoffEvent, MaintenanceFallbackEvent, NotificationHandledEvent,
  NotificationReceivedEvent, ReconnectAttemptEvent, TimeoutRelaxedEvent, TimeoutUnrelaxedEvent,
} from '../src/hooks/events.js';
import { NotificationError } from '../src/maintnotifications/errors.js';
import { describeError } from './errors.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What the hook writes to: pino, bunyan-style `(object, message)` loggers. */
export interface LoggerLike {
  error(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
  debug(object: Record<string, unknown>, message: string): void;
}

export interface LoggingHookOptions {
  /** Default: the console, one line per record (`[hitless] message {json}`). A Console is written to the same way. */
  logger?: LoggerLike | Console;
  /** The least severe level written. Default `info`. */
  level?: LogLevel;
  /**
   * Milliseconds during which a malformed, refused or failed notification of one kind is written
   * once; the rest are counted into the next record's `suppressed`. Default 60 000; 0 writes every one.
   */
  repeatInterval?: number;
  /** The clock for `repeatInterval`, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** When a kind of warning was last written, and how many of it were left out since. */
interface Repeat {
  writtenAt: number;
  suppressed: number;
}

type Fields = Record<string, unknown>;

export class LoggingHook implements Hook {
  readonly name = 'LoggingHook';
  readonly level: LogLevel;
  readonly #write: (level: LogLevel, fields: Fields, message: string) => void;
  readonly #threshold: number;
  readonly #repeatInterval: number;
  readonly #now: () => number;
  readonly #repeats = new Map<string, Repeat>();

  constructor(options: LoggingHookOptions = {}) {
    const level = options.level ?? 'info';
    if (!(LOG_LEVELS as readonly string[]).includes(level)) {
      throw new TypeError(`LoggingHook: level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
    }
    this.level = level;
    this.#threshold = LOG_LEVELS.indexOf(level);
    this.#write = writer(options.logger ?? console);
    const repeatInterval = options.repeatInterval ?? 60_000;
    if (!Number.isFinite(repeatInterval) || repeatInterval < 0) {
      throw new TypeError(`LoggingHook: repeatInterval must be a number of milliseconds >= 0, got ${String(repeatInterval)}`);
    }
    this.#repeatInterval = repeatInterval;
    this.#now = options.now ?? Date.now;
  }

  onNotificationReceived(event: NotificationReceivedEvent): void {
    this.#log('debug', 'maintenance notification received', { event: 'notification.received', ...where(event), type: event.type, seq: event.seq });
  }

  onNotificationHandled(event: NotificationHandledEvent): void {
    const level: LogLevel = event.outcome === 'handled' ? 'info' : event.outcome === 'ignored' || event.outcome === 'stopped' ? 'debug' : 'warn';
    if (LOG_LEVELS.indexOf(level) > this.#threshold) return;
    let suppressed: number | undefined;
    if (level === 'warn') {
      suppressed = this.#admit(warningKind(event));
      if (suppressed === undefined) return;
    }
    this.#log(level, `maintenance notification ${event.type} ${event.outcome}`, {
      event: 'notification.handled', ...where(event), type: event.type, seq: event.seq, outcome: event.outcome,
      detail: event.detail, durationMs: round(event.duration), ...errorFields(event.error), suppressed: suppressed || undefined,
    });
  }

  onTimeoutRelaxed(event: TimeoutRelaxedEvent): void {
    this.#log('debug', `timeouts relaxed (${event.reason})`, {
      event: 'timeout.relaxed', ...where(event), reason: event.reason, timeoutMs: event.timeout, maxDurationMs: round(event.maxDuration),
    });
  }

  onTimeoutUnrelaxed(event: TimeoutUnrelaxedEvent): void {
    this.#log('debug', `timeouts restored (${event.reason}, ${event.cause})`, {
      event: 'timeout.unrelaxed', ...where(event), reason: event.reason, cause: event.cause, durationMs: round(event.duration),
    });
  }

  onHandoff(event: HandoffEvent): void {
    const level: LogLevel = event.stage === 'succeeded' ? 'info' : event.stage === 'queued' || event.stage === 'held' || event.stage === 'started' ? 'debug' : 'warn';
    this.#log(level, `handoff ${event.stage}: ${address(event.from)} -> ${address(event.to)}`, {
      event: `handoff.${event.stage}`, connectionId: event.connectionId, role: event.role, from: address(event.from), to: address(event.to),
      seq: event.seq, attempt: event.attempt, durationMs: round(event.duration), replacementId: event.replacementId, ...errorFields(event.error),
    });
  }

  onCircuitBreakerStateChange(event: CircuitBreakerEvent): void {
    this.#log(event.to === 'open' ? 'warn' : 'info', `handoff circuit breaker for ${event.endpoint} ${event.to} (${event.reason})`, {
      event: 'circuit_breaker.state', endpoint: event.endpoint, from: event.from, to: event.to, reason: event.reason, failures: event.failures,
    });
  }

  onMaintenanceFallback(event: MaintenanceFallbackEvent): void {
    this.#log('debug', `maintenance notifications not available from ${address(event.server)}; going on without them`, {
      event: 'maintenance.fallback', ...where(event), reason: event.reason, ...errorFields(event.error),
    });
  }

  onConnectionClosed(event: ConnectionClosedEvent): void {
    // Closes the client asked for (application, handoff, idle eviction) are routine.
    if (event.reason !== 'error' && event.reason !== 'server_close') return;
    this.#log('warn', `connection to ${address(event.server)} lost (${event.reason})`, {
      event: 'connection.lost', connectionId: event.connectionId, server: address(event.server), role: event.role, reason: event.reason,
      lifetimeMs: round(event.lifetime), ...errorFields(event.error),
    });
  }

  onReconnectAttempt(event: ReconnectAttemptEvent): void {
    this.#log('info', `reconnecting to ${address(event.server)} (attempt ${event.attempt})`, {
      event: 'connection.reconnect', server: address(event.server), role: event.role, attempt: event.attempt, delayMs: event.delay,
      ...errorFields(event.cause),
    });
  }

  /**
   * Whether a warning of this kind is written now: undefined when it falls inside its kind's
   * interval (it is counted instead), else how many were left out since the last one written.
   */
  #admit(kind: string): number | undefined {
    if (this.#repeatInterval === 0) return 0;
    const now = this.#now();
    const repeat = this.#repeats.get(kind);
    if (repeat !== undefined && now - repeat.writtenAt < this.#repeatInterval) {
      repeat.suppressed++;
      return undefined;
    }
    const suppressed = repeat?.suppressed ?? 0;
    this.#repeats.set(kind, { writtenAt: now, suppressed: 0 });
    return suppressed;
  }

  #log(level: LogLevel, message: string, fields: Fields): void {
    if (LOG_LEVELS.indexOf(level) > this.#threshold) return;
    this.#write(level, withoutUndefined(fields), message);
  }
}

/**
 * The kind of a warning about a notification: its type, outcome, and what was wrong (the field
 * without its index, or the error code). Only known types reach here, so the kinds are a small fixed set.
 */
function warningKind(event: NotificationHandledEvent): string {
  const error = event.error;
  const what = error instanceof NotificationError ? error.field.replace(/\[\d+\]/g, '[]') : error === undefined ? '' : describeError(error).type;
  return `${event.type}\0${event.outcome}\0${what}`;
}

function writer(logger: LoggerLike | Console): (level: LogLevel, fields: Fields, message: string) => void {
  if (logger instanceof Console) return (level, fields, message) => logger[level](`[hitless] ${message} ${JSON.stringify(fields)}`);
  for (const level of LOG_LEVELS) {
    if (typeof logger[level] !== 'function') throw new TypeError(`LoggingHook: the logger has no ${level}(object, message) method`);
  }
  return (level, fields, message) => logger[level](fields, message);
}

function where(event: { connectionId: number; server: Endpoint }): Fields {
  return { connectionId: event.connectionId, server: address(event.server) };
}

function address(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

function errorFields(error: Error | undefined): Fields {
  if (error === undefined) return {};
  return { error: { type: describeError(error).type, message: error.message } };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function withoutUndefined(fields: Fields): Fields {
  for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
  return fields;
}
