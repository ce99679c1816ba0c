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

/** The address a socket is actually connected to (`server` is the one it was asked to dial). */
export interface PeerAddress {
  /** The IP address, e.g. `127.0.0.1` or `::1`. */
  readonly address: string;
  readonly port: number;
}

/** What a command keeps of the connection it was written to. */
export interface WrittenTo {
  readonly id: number;
  /** The socket's remote end (undefined only if the socket did not know it when it connected). */
  readonly peer: PeerAddress | undefined;
}

export interface ConnectionCreatedEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  readonly role: ConnectionRole;
  /** The socket's remote address (`network.peer.*`); undefined only if the socket no longer knows it. */
  readonly peer: PeerAddress | undefined;
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
 * What a connection is doing now, whatever role it was dialled for: `used` (the shared
 * connection, a held lease, one still answering its last replies after a handoff) or `idle`
 * (waiting in the pool, or a handoff replacement not swapped in yet). The observability spec's
 * `db.client.connection.state`.
 */
export type ConnectionUse = 'idle' | 'used';

export interface ConnectionStateEvent {
  readonly connectionId: number;
  readonly server: Endpoint;
  /** The role it was dialled for. */
  readonly role: ConnectionRole;
  readonly state: ConnectionUse;
}

/** A lease was asked for (blocking command, `watch()`, pub/sub) and handed out, or not. */
export interface ConnectionAcquireEvent {
  readonly role: ConnectionRole;
  /** The leased connection; undefined when acquiring failed. */
  readonly connectionId: number | undefined;
  readonly server: Endpoint | undefined;
  /** Milliseconds from the request to the lease (or to the failure): `db.client.connection.wait_time`. */
  readonly duration: number;
  /** It had to wait for a free slot under `maxActiveConns`. */
  readonly waited: boolean;
  /** A PoolTimeoutError (no slot within `poolTimeout`), or why dialling failed. */
  readonly error: Error | undefined;
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
