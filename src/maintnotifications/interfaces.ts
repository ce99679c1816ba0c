/**
 * What the maintenance subsystem needs from the pool, as narrow interfaces: the pool satisfies
 * them structurally and never imports this folder.
 */
import type { Connection, ConnectionRole, Endpoint, OpenOptions } from '../connection/index.js';

/** See Pool.swap. */
export type SwapResult = 'swapped' | 'on-release' | 'not-found';

/** The pool, as a handoff uses it. */
export interface HandoffPool {
  /** Dials a ready replacement (counted and listed as a handoff until swapped in). */
  open(role: ConnectionRole, options: OpenOptions): Promise<Connection>;
  /** Puts `replacement` in place of connection `id`; the shared one drains within `drainTimeout` ms. */
  swap(id: number, replacement: Connection, drainTimeout?: number): SwapResult;
}

/** The client's addresses, as the manager sees them. */
export interface EndpointSource {
  /** The endpoint the client was configured with (a `null` MOVING means "go back there"). */
  readonly configured: Endpoint;
}

/** "host:port", the key of every per-endpoint table (IPv6 hosts in brackets). */
export function endpointKey(endpoint: Endpoint): string {
  return endpoint.host.includes(':') ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}
