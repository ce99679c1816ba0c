/**
 * The connection's own vocabulary. It lives here, with the code that gives it meaning; the hook
 * events reuse it (hooks describe the core, they do not define it). This file imports nothing, so
 * anything may depend on it.
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

/** How one handshake step went. */
export interface HandshakeStepOutcome {
  readonly name: string;
  readonly duration: number;
  readonly error: Error | undefined;
  /**
   * Why the step did nothing, when it chose to (e.g. an `auto`-mode opt-in that the server
   * refused, or skipped because it was refused before); undefined when it ran.
   */
  readonly skipped: string | undefined;
}

// ---- what a connection reports (the hook chain adapts it: hooks/connection-events.ts) ----

export interface DialEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  readonly tls: boolean;
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

/**
 * Where connections report their lifecycle. The connection knows nothing of hooks: the client
 * hands every connection an adapter over its hook chain.
 */
export interface ConnectionEvents {
  dialed(event: DialEvent): void;
  handshaken(event: HandshakeEvent): void;
  created(event: ConnectionCreatedEvent): void;
  closed(event: ConnectionClosedEvent): void;
}
