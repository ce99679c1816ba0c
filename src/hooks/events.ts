import type {
  CloseReason, ConnectionAcquireEvent, ConnectionClosedEvent, ConnectionCreatedEvent, ConnectionRole, ConnectionStateEvent, ConnectionUse, DialEvent,
  Endpoint, HandshakeEvent, HandshakeStepOutcome, PeerAddress,
} from '../connection/types.js';
import type { CommandArgument, RespValue } from '../protocol/index.js';

/**
 * Payloads of the hook events. Durations are milliseconds (`performance.now()` differences);
 * instrumentation converts to seconds for metrics. Payload objects are owned by the client:
 * treat them, and the replies in them, as read-only.
 */

export type {
  CloseReason, ConnectionAcquireEvent, ConnectionClosedEvent, ConnectionCreatedEvent, ConnectionRole, ConnectionStateEvent, ConnectionUse, DialEvent,
  Endpoint, HandshakeEvent, HandshakeStepOutcome, PeerAddress,
};

/** A command event's fields as plain data (`CommandEvent.toJSON()`). */
export interface CommandEventSnapshot {
  /** Upper-case command name (first argument), e.g. `GET`. */
  readonly name: string;
  /** The arguments as given, with credentials (AUTH, HELLO … AUTH, …) replaced by `<redacted>`. */
  readonly args: readonly CommandArgument[];
  /** The endpoint of the connection the command was dispatched to. */
  readonly server: Endpoint;
  /** The connection the command was written to; undefined until it is written (and if it never was). */
  readonly connectionId: number | undefined;
  /**
   * That connection's socket's remote end (`network.peer.*`): the IP and port that served the
   * command, where `server` is the name dialled; after a handoff or a retry, the last one.
   */
  readonly peer: PeerAddress | undefined;
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
  /** The connection the batch's last command was written to (set at end; undefined if it never was). */
  connectionId: number | undefined;
  /** That connection's socket's remote end (set at end). */
  peer: PeerAddress | undefined;
  /** One outcome per command (set at end). Empty when the whole batch failed. */
  outcomes: readonly BatchOutcome[];
  /** A transaction whose EXEC returned null because a WATCHed key changed. */
  aborted: boolean;
  /** Set when the batch as a whole failed (connection lost, EXECABORT, ...). */
  error: Error | undefined;
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

// ---- maintenance notifications (observe-only; policies use the manager's notification hooks) ----

/** A maintenance push frame reached a connection (before any policy saw it). */
export interface NotificationReceivedEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  /** The receiving connection's socket's remote end. */
  readonly peer: PeerAddress | undefined;
  readonly role: ConnectionRole;
  /** `MOVING`, `MIGRATING`, `MIGRATED`, `FAILING_OVER`, `FAILED_OVER`, `SMIGRATING` or `SMIGRATED`. */
  readonly type: string;
  /** The event's sequence number, when the frame carries a valid one. */
  readonly seq: number | undefined;
  /** The frame as decoded. */
  readonly frame: readonly RespValue[];
}

/**
 * What became of a notification: `handled` (acted on), `ignored` (nothing to do: a duplicate, a
 * stale MOVING, a completion without a window, a closed connection), `invalid` (malformed;
 * `error` names the field), `stopped` (a notification pre-hook dropped it), `refused` (a MOVING
 * to an endpoint outside `allowedEndpoints`), `failed` (the handler could not act, e.g. the
 * handoff queue is full; `error` says why).
 */
export type NotificationOutcome = 'handled' | 'ignored' | 'invalid' | 'stopped' | 'refused' | 'failed';

export interface NotificationHandledEvent extends NotificationReceivedEvent {
  readonly outcome: NotificationOutcome;
  /** Why it was ignored, refused or failed, in words (e.g. `duplicate of seq 12`). */
  readonly detail: string | undefined;
  readonly error: Error | undefined;
  /** Milliseconds from arrival to the end of its handling (policies included). */
  readonly duration: number;
}

/** Why a connection's timeouts are relaxed: the notification that started it, or a handoff. */
export type RelaxationReason = 'MIGRATING' | 'FAILING_OVER' | 'SMIGRATING' | 'HANDOFF';

export interface TimeoutRelaxedEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  readonly reason: RelaxationReason;
  /** The relaxed command timeout, milliseconds (the effective timeout is max(normal, this)). */
  readonly timeout: number;
  /** Milliseconds until the window ends by itself (its backstop), if nothing ends it before. */
  readonly maxDuration: number;
}

export interface TimeoutUnrelaxedEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  readonly reason: RelaxationReason;
  /**
   * `completed` (MIGRATED, FAILED_OVER, SMIGRATED), `deadline` (the backstop or the post-handoff
   * window ran out), `closed` (the connection closed).
   */
  readonly cause: 'completed' | 'deadline' | 'closed';
  /** Milliseconds the window was open. */
  readonly duration: number;
}

/**
 * One step of a connection's handoff after MOVING: `queued`, `held` (its endpoint's circuit
 * breaker lets one trial dial through and another handoff's is in flight: this one waits for
 * that outcome, without a worker, then is admitted or refused), `started` (an attempt dials),
 * `retried` (an attempt failed, another follows), `succeeded` (the new connection serves or will
 * on release), `failed` (given up: the old connection serves until the server closes it, then
 * ordinary reconnection takes over), `refused` (the endpoint is not allowed; nothing is dialled).
 */
export type HandoffStage = 'queued' | 'held' | 'started' | 'retried' | 'succeeded' | 'failed' | 'refused';

export interface HandoffEvent {
  readonly stage: HandoffStage;
  /** The connection being moved. */
  readonly connectionId: number;
  readonly role: ConnectionRole;
  readonly from: Endpoint;
  readonly to: Endpoint;
  /** The MOVING's sequence number. */
  readonly seq: number;
  /** 1 for the first dial; 0 before any. */
  readonly attempt: number;
  /** Milliseconds since the MOVING arrived. */
  readonly duration: number;
  /** The new connection, once there is one. */
  readonly replacementId: number | undefined;
  readonly error: Error | undefined;
  /** This client's handoffs waiting for a worker when this step was reported. */
  readonly queued: number;
  /** This client's handoffs dialling or handshaking when this step was reported (this one too, when it is `started`). */
  readonly active: number;
}

export type CircuitBreakerState = 'closed' | 'open' | 'half-open';

export type CircuitBreakerChangeReason = 'failure-threshold' | 'trial-failed' | 'trial-dial' | 'reset-timeout' | 'trials-succeeded' | 'reset';

/** A handoff circuit breaker (one per destination endpoint) changed state. */
export interface CircuitBreakerEvent {
  /** "host:port" of the destination. */
  readonly endpoint: string;
  readonly from: CircuitBreakerState;
  readonly to: CircuitBreakerState;
  /**
   * Why: `failure-threshold` (closed → open after that many consecutive failed handoffs),
   * `trial-failed` (half-open → open), `trial-dial` (open → half-open for a new MOVING's one
   * trial), `reset-timeout` (open → half-open once the reset timeout passed), `trials-succeeded`
   * (half-open → closed), `reset` (→ closed by `resetCircuitBreakers()`).
   */
  readonly reason: CircuitBreakerChangeReason;
  /** Consecutive failures counted when it changed. */
  readonly failures: number;
}

/**
 * `auto` mode found a server without maintenance notifications (open-source Redis, Valkey, a
 * RESP2-only server) and carries on without them for that server. Reported once per server; a
 * debug-level event, not an error.
 */
export interface MaintenanceFallbackEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  readonly reason: string;
  readonly error: Error | undefined;
}
