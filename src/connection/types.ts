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
