import type {
  BatchEvent,
  CircuitBreakerEvent,
  ConnectionAcquireEvent,
  ConnectionStateEvent,
  CommandEvent,
  ConnectionClosedEvent,
  ConnectionCreatedEvent,
  DialEvent,
  HandoffEvent,
  HandshakeEvent,
  MaintenanceFallbackEvent,
  NotificationHandledEvent,
  NotificationReceivedEvent,
  OfflineQueueEvent,
  ReconnectAttemptEvent,
  TimeoutRelaxedEvent,
  TimeoutUnrelaxedEvent,
} from './events.js';

/**
 * A hook observes the client. Every member is optional; implement only what you need: the chain
 * calls a member only on hooks that implement it, so the rest cost nothing.
 *
 * A hook cannot change what a command returns. If it throws or rejects, the failure is counted
 * and reported once per hook and member (the client's `hookError` event); the command is not
 * affected.
 *
 * Per-command state (a span, a start timestamp) travels without a map lookup: whatever
 * `onCommandStart` returns is passed to `onCommandEnd` as `state` for the same command, and
 * likewise for batches.
 */
export interface Hook {
  /** Shown in `hookError` events and counts; defaults to the class name. */
  readonly name?: string;

  onCommandStart?(event: CommandEvent): unknown;
  onCommandEnd?(event: CommandEvent, state: unknown): void;
  onBatchStart?(event: BatchEvent): unknown;
  onBatchEnd?(event: BatchEvent, state: unknown): void;
  onDial?(event: DialEvent): void;
  onHandshake?(event: HandshakeEvent): void;
  onConnectionCreated?(event: ConnectionCreatedEvent): void;
  onConnectionClosed?(event: ConnectionClosedEvent): void;
  /** A connection became idle or used (leased, shared, swapped in, returned to the pool). */
  onConnectionStateChange?(event: ConnectionStateEvent): void;
  /** A lease was handed out, or could not be (PoolTimeoutError): with how long that took. */
  onConnectionAcquire?(event: ConnectionAcquireEvent): void;
  onReconnectAttempt?(event: ReconnectAttemptEvent): void;
  onOfflineQueueChange?(event: OfflineQueueEvent): void;
  /** A maintenance notification arrived on a connection. */
  onNotificationReceived?(event: NotificationReceivedEvent): void;
  /** A maintenance notification was handled (or ignored, refused, found invalid…), with how long it took. */
  onNotificationHandled?(event: NotificationHandledEvent): void;
  onTimeoutRelaxed?(event: TimeoutRelaxedEvent): void;
  onTimeoutUnrelaxed?(event: TimeoutUnrelaxedEvent): void;
  /** Every step of a MOVING handoff: queued, started, retried, succeeded, failed, refused. */
  onHandoff?(event: HandoffEvent): void;
  onCircuitBreakerStateChange?(event: CircuitBreakerEvent): void;
  /** `auto` mode carries on without maintenance notifications for a server that lacks them. */
  onMaintenanceFallback?(event: MaintenanceFallbackEvent): void;
}

/**
 * Every member the chain dispatches. A new event is one more name here, one more optional member
 * above and one more line in the chain's table (the compiler insists); no other event's dispatch
 * changes.
 */
export const HOOK_MEMBERS = [
  'onCommandStart',
  'onCommandEnd',
  'onBatchStart',
  'onBatchEnd',
  'onDial',
  'onHandshake',
  'onConnectionCreated',
  'onConnectionClosed',
  'onConnectionStateChange',
  'onConnectionAcquire',
  'onReconnectAttempt',
  'onOfflineQueueChange',
  'onNotificationReceived',
  'onNotificationHandled',
  'onTimeoutRelaxed',
  'onTimeoutUnrelaxed',
  'onHandoff',
  'onCircuitBreakerStateChange',
  'onMaintenanceFallback',
] as const satisfies ReadonlyArray<keyof Hook>;

export type HookMember = (typeof HOOK_MEMBERS)[number];
