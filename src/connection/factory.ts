/**
 * The one place connections are made: the pool (shared connection, leases, idle ones, handoffs)
 * dials through it, so every connection gets the same options, handshake and push interception,
 * and a maintenance window can point all new connections somewhere else at once.
 */
import { Connection, type ConnectionOptions, type ConnectionOwner } from './connection.js';
import type { ConnectionEvents, ConnectionRole, Endpoint } from './types.js';

/** What the client's connections have in common; the endpoint and db are chosen per connection. */
export type ConnectionTemplate = Omit<ConnectionOptions, 'host' | 'port' | 'db'>;

/**
 * How a subsystem (the maintenance manager) steers new connections, without the factory knowing
 * it. Every member is optional.
 */
export interface ConnectionPolicy {
  /** Where to dial instead of `endpoint` now (a MOVING window announced a new one), if anywhere. */
  redirect?(endpoint: Endpoint): Endpoint | undefined;
  /**
   * Called with each connection once it is ready, before anyone uses it. A promise means the
   * connection must be replaced first (a MOVING reached it during its handshake): it resolves
   * with the connection to use instead (opened with `reopen`, for the same role and owner),
   * having closed this one.
   */
  opened?(connection: Connection, reopen: (options: OpenOptions) => Promise<Connection>): Promise<Connection> | undefined;
}

export interface OpenOptions {
  /** Dial here instead of the configured endpoint (and without redirect). */
  endpoint?: Endpoint;
  /** Milliseconds for TCP/TLS setup and each handshake reply, instead of the client's connectTimeout. */
  connectTimeout?: number;
  /** Gives up the open (dial or handshake) when aborted, closing what was opened. */
  signal?: AbortSignal;
}

export class ConnectionFactory {
  /** The endpoint the client was configured with. */
  readonly configured: Endpoint;
  /** The database new connections select (the client's current one). */
  db: number;
  policy: ConnectionPolicy | undefined;
  readonly #template: ConnectionTemplate;
  readonly #events: ConnectionEvents;

  constructor(template: ConnectionTemplate, configured: Endpoint, db: number, events: ConnectionEvents) {
    this.#template = template;
    this.configured = configured;
    this.db = db;
    this.#events = events;
  }

  /** Where a new connection goes now: the configured endpoint, unless a policy redirects it. */
  target(): Endpoint {
    return this.policy?.redirect?.(this.configured) ?? this.configured;
  }

  /** Dials, runs the handshake, and resolves with a ready connection owned by `owner`. */
  async open(role: ConnectionRole, owner: ConnectionOwner, options: OpenOptions = {}): Promise<Connection> {
    const endpoint = options.endpoint ?? this.target();
    const connectionOptions: ConnectionOptions = {
      ...this.#template,
      host: endpoint.host,
      port: endpoint.port,
      db: this.db,
      tls: this.#tlsFor(endpoint),
      connectTimeout: options.connectTimeout ?? this.#template.connectTimeout,
    };
    const connection = await Connection.open(connectionOptions, owner, this.#events, role, options.signal);
    return this.policy?.opened?.(connection, (reopen) => this.open(role, owner, { signal: options.signal, ...reopen })) ?? connection;
  }

  /**
   * TLS options for `endpoint`. A server name given for the configured host does not name another
   * one: toward a moved endpoint the certificate is checked against that endpoint's own host.
   */
  #tlsFor(endpoint: Endpoint): ConnectionOptions['tls'] {
    const tls = this.#template.tls;
    if (tls === undefined || tls.servername === undefined || endpoint.host === this.configured.host) return tls;
    const { servername: _configuredName, ...rest } = tls;
    return rest;
  }
}
