import type { CommandArgument } from '../protocol/index.js';

/**
 * Payloads of the hook events. Durations are milliseconds (`performance.now()` differences);
 * instrumentation converts to seconds for metrics. Payload objects are owned by the client:
 * treat them, and the replies in them, as read-only.
 */

export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** Why a connection closed (the Redis client observability spec's reasons). */
export type CloseReason =
  | 'application_close'
  | 'server_close'
  | 'error'
  | 'pool_eviction_idle'
  | 'healthcheck_failed'
  | 'handoff';

/** What a connection is used for. */
export type ConnectionRole = 'shared' | 'lease' | 'pubsub';

/** A command event's fields as plain data (`CommandEvent.toJSON()`). */
export interface CommandEventSnapshot {
  /** Upper-case command name (first argument), e.g. `GET`. */
  readonly name: string;
  /** The arguments as given, with credentials (AUTH, HELLO … AUTH, …) replaced by `<redacted>`. */
  readonly args: readonly CommandArgument[];
  /** The endpoint of the connection the command was dispatched to. */
  readonly server: Endpoint;
  readonly db: number;
  /** `performance.now()` when the command was issued (shared by the commands of one event-loop turn). */
  readonly startTime: number;
  /** How many times the command was moved to a new connection before it was written for good (final at end). */
  readonly retries: number;
  /** Milliseconds from start to end; 0 before the end. */
  readonly duration: number;
  /** The reply as returned to the caller (set at end on success). */
  readonly reply: unknown;
  /** The error the caller received (set at end on failure). */
  readonly error: Error | undefined;
}

/**
 * One command, from start to end. The same object is passed to `onCommandStart` and
 * `onCommandEnd`; the end fields are filled in before `onCommandEnd`.
 *
 * The event is a read-only view, not a copy: its fields are getters that read the command when a
 * hook asks, so a hook pays only for the fields it reads. Object spread (`{ ...event }`) therefore
 * copies only `reply` and `error`; keep a copy with `event.toJSON()` (JSON.stringify and
 * console.log use it too).
 */
export interface CommandEvent extends CommandEventSnapshot {
  /** The fields as plain data, as they are now. */
  toJSON(): CommandEventSnapshot;
}

export type BatchKind = 'pipeline' | 'transaction';

export interface BatchCommand {
  readonly name: string;
  readonly args: readonly CommandArgument[];
}

export interface BatchOutcome {
  readonly reply?: unknown;
  readonly error?: Error;
}

/** A pipeline or a MULTI/EXEC transaction; one event for the whole batch. */
export interface BatchEvent {
  readonly kind: BatchKind;
  readonly commands: readonly BatchCommand[];
  readonly size: number;
  readonly server: Endpoint;
  readonly db: number;
  readonly startTime: number;
  duration: number;
  /** One outcome per command (set at end). Empty when the whole batch failed. */
  outcomes: readonly BatchOutcome[];
  /** A transaction whose EXEC returned null because a WATCHed key changed. */
  aborted: boolean;
  /** Set when the batch as a whole failed (connection lost, EXECABORT, ...). */
  error: Error | undefined;
}

export interface DialEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  readonly tls: boolean;
  readonly duration: number;
  readonly error: Error | undefined;
}

export interface HandshakeStepOutcome {
  readonly name: string;
  readonly duration: number;
  readonly error: Error | undefined;
}

export interface HandshakeEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  /** The protocol negotiated (3, or 2 after a HELLO fallback). */
  readonly protocol: 2 | 3;
  readonly steps: readonly HandshakeStepOutcome[];
  readonly duration: number;
  readonly error: Error | undefined;
}

export interface ConnectionCreatedEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  readonly role: ConnectionRole;
}

export interface ConnectionClosedEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  readonly role: ConnectionRole;
  readonly reason: CloseReason;
  readonly error: Error | undefined;
  /** How long the connection was open, in milliseconds. */
  readonly lifetime: number;
}

export interface ReconnectAttemptEvent {
  readonly server: Endpoint;
  readonly role: ConnectionRole;
  /** 1 for the first retry. */
  readonly attempt: number;
  /** Milliseconds waited before this attempt. */
  readonly delay: number;
  /** Why a reconnect is needed (the previous failure). */
  readonly cause: Error | undefined;
}

export interface OfflineQueueEvent {
  /** Commands waiting for a connection now. */
  readonly depth: number;
  readonly previousDepth: number;
}

export interface HookErrorEvent {
  readonly hook: string;
  readonly member: string;
  readonly error: unknown;
  /** Failures of this hook and member so far (the event fires on the first only). */
  readonly count: number;
}
