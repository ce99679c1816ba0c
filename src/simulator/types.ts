/** Public types of the maintenance simulator (the typed programmatic API). */
import type tls from 'node:tls';

/** What a client asks MOVING to announce (`CLIENT MAINT_NOTIFICATIONS ON moving-endpoint-type <t>`). */
export type EndpointType = 'internal-ip' | 'internal-fqdn' | 'external-ip' | 'external-fqdn' | 'none';

export const ENDPOINT_TYPES: readonly EndpointType[] = ['internal-ip', 'internal-fqdn', 'external-ip', 'external-fqdn', 'none'];

export interface HostPort {
  host: string;
  port: number;
}

/** Fault knobs of one node. Every field is optional in updates; omitted fields keep their value. */
export interface NodeFaults {
  /** Extra delay (ms) before every byte the proxy sends to clients; order is kept. Default 0. */
  latencyMs: number;
  /** Accept new connections, then hold their traffic for this long (ms) before serving. Default 0. */
  connectDelayMs: number;
  /** Stop listening: new connections get ECONNREFUSED; open ones keep working. Default false. */
  refuseConnections: boolean;
  /** Accept and read everything, answer nothing, forward nothing (in both directions). Default false. */
  blackhole: boolean;
  /** Send maintenance notifications (false = Redis Enterprise's client_maint_notifications=false). Default true. */
  notifications: boolean;
}

export interface NodeOptions {
  /** The redis-server this node forwards to. */
  upstream: HostPort;
  /** Addresses to listen on; all share one port. Port 0 picks a free one. Default 127.0.0.1:0. */
  listen?: Array<{ host: string; port?: number }>;
  /**
   * Host announced by MOVING for `internal-ip`/`external-ip` clients. Default: a loopback address
   * of its own (127.0.0.2, 127.0.0.3, …) that no other node uses, so the host differs from the
   * source node's, like a move to another machine. The node also listens there.
   */
  ipHost?: string;
  /** Host announced for `*-fqdn` clients. Default `localhost` (the node then also listens on 127.0.0.1 and ::1). */
  fqdnHost?: string;
  /**
   * `enterprise` answers `CLIENT MAINT_NOTIFICATIONS` with +OK; `oss` answers with the error an
   * open-source Redis gives, so a client's fallback path can be tested. Default `enterprise`.
   */
  maintSupport?: 'enterprise' | 'oss';
  /** Close a client connection idle for this long (ms); 0 = never. Default 0. */
  idleTimeoutMs?: number;
  /** Initial fault settings. */
  faults?: Partial<NodeFaults>;
  /**
   * Serve clients over TLS: options for `tls.createServer` (at least `cert` and `key`). Every
   * address of the node speaks TLS, including the ones MOVING announces, so the certificate must
   * name them (subjectAltName: the ip host, e.g. 127.0.0.2, and `localhost`) for a client to
   * verify the new endpoint after a move. Mutual TLS: add `ca` (the CA client certificates must
   * chain to) and `requestCert: true`; clients without such a certificate are then refused during
   * the handshake (counted in `tlsHandshakeFailures`). Default: plain TCP.
   */
  tls?: NodeTlsOptions;
  /**
   * Reach the upstream over TLS: options for `tls.connect` (e.g. `{ ca }` for a self-signed
   * server certificate; `{}` trusts Node's built-in CAs). Default: plain TCP.
   */
  upstreamTls?: tls.ConnectionOptions;
}

/** Server-side TLS of a node: `tls.createServer` options with a certificate and its key. */
export type NodeTlsOptions = tls.TlsOptions & Required<Pick<tls.TlsOptions, 'cert' | 'key'>>;

export interface ConnectionInfo {
  id: string;
  nodeId: string;
  clientAddress: string;
  clientPort: number;
  /** The node address the client connected to. */
  localAddress: string;
  localPort: number;
  /** Set once the client sent `CLIENT MAINT_NOTIFICATIONS ON` and got its +OK. */
  optedIn: boolean;
  /** The requested endpoint type; undefined for a bare `ON` or no handshake. */
  endpointType: EndpointType | undefined;
  commands: number;
  bytesIn: number;
  bytesOut: number;
  connectedAt: string;
  /** Notification kinds this connection received, in order (e.g. ['MIGRATING', 'MIGRATED']). */
  notifications: string[];
}

export interface NodeInfo {
  id: string;
  upstream: HostPort;
  /** Every address the node listens on. */
  addresses: HostPort[];
  port: number;
  ipHost: string;
  fqdnHost: string;
  faults: NodeFaults;
  maintSupport: 'enterprise' | 'oss';
  /** Clients connect over TLS. */
  tls: boolean;
  /** Clients must present a certificate the node's `tls.ca` trusts (mutual TLS). */
  clientCertificates: boolean;
  /** The node reaches its upstream over TLS. */
  upstreamTls: boolean;
  activeConnections: number;
  totalConnections: number;
  /** Client connections that failed the TLS handshake (never became connections). */
  tlsHandshakeFailures: number;
}

/** Waits used by scenarios. Defaults leave a client time to act; tests shorten them. */
export interface ScenarioTimings {
  /** Between MIGRATING and MIGRATED (ms). Default 3000. */
  migrateWaitMs: number;
  /** Between FAILING_OVER and FAILED_OVER (ms). Default 3000. */
  failoverWaitMs: number;
  /** Between SMIGRATING and SMIGRATED (ms). Default 3000. */
  smigrateWaitMs: number;
  /** MOVING's time_s; old connections are closed after it. Default 3. */
  movingTimeS: number;
}

export const DEFAULT_TIMINGS: ScenarioTimings = { migrateWaitMs: 3000, failoverWaitMs: 3000, smigrateWaitMs: 3000, movingTimeS: 3 };

export type ActionStatus = 'pending' | 'running' | 'success' | 'failed';

export interface ActionRecord {
  action_id: string;
  type: string;
  status: ActionStatus;
  error: string | null;
  output: Record<string, unknown> | null;
  start_time: string;
  end_time: string | null;
}

/** What a scenario did: its sequence numbers and how many connections got each notification. */
export interface ScenarioResult {
  kind: 'migrate' | 'failover' | 'moving' | 'smigrate';
  seq: number;
  completionSeq: number | null;
  /** Deliveries per notification kind (each connection counted once per event). */
  delivered: Record<string, number>;
  /** Connections the old node closed after MOVING's time_s. */
  closed: number;
}

/** Defaults a cae-resp-proxy configuration supplies for nodes added over its API. */
export interface ProxyDefaults {
  listenHost: string;
  targetHost?: string;
  targetPort?: number;
  timeoutMs?: number;
  /** TLS toward clients for nodes added over the API (what the CLI was started with). */
  tls?: NodeTlsOptions;
  /** TLS toward the upstream for nodes added over the API. */
  upstreamTls?: tls.ConnectionOptions;
}
