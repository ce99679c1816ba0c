import net from 'node:net';
import tls from 'node:tls';
import { CommandKind, classify, commandArgs, ossMaintError, parseMaintHandshake } from './commands.js';
import { SimulatorError } from './errors.js';
import { DROP, FORWARD, ProxyConnection, type ConnectionOwner, type Route } from './proxy-connection.js';
import type { EndpointType, HostPort, NodeFaults, NodeInfo, NodeOptions, NodeTlsOptions } from './types.js';

/**
 * One simulated Redis Enterprise endpoint: listens on one port at several addresses (its own,
 * the loopback address it announces for ip endpoint types, and 127.0.0.1/::1 for `localhost`),
 * and proxies every client connection to its upstream redis-server. With `tls`, every one of
 * those addresses serves TLS; with `upstreamTls`, the upstream connections are TLS too.
 */

/** What a node needs from the simulator that owns it. */
export interface NodeHost {
  /** A canned reply from a control-API interceptor, or undefined. */
  intercept(buffer: Buffer, start: number, end: number): Buffer | undefined;
  /** The simulated CLUSTER SLOTS reply when the `cluster` interceptor is on, else undefined. */
  clusterSlots(): Buffer | undefined;
  /** Where the `logger` interceptor writes connections and traffic; undefined when it is off. */
  readonly trafficLog: ((line: string) => void) | undefined;
  /** A connection's `CLIENT MAINT_NOTIFICATIONS ON` has just been answered. */
  optedIn(node: SimNode, connection: ProxyConnection): void;
}

const OK = Buffer.from('+OK\r\n');
const WILDCARDS = new Set(['0.0.0.0', '::', '']);

export class SimNode implements ConnectionOwner {
  readonly upstream: HostPort;
  readonly ipHost: string;
  readonly fqdnHost: string;
  readonly maintSupport: 'enterprise' | 'oss';
  readonly idleTimeoutMs: number;
  readonly faults: NodeFaults;
  readonly upstreamTls: tls.ConnectionOptions | undefined;
  readonly connections = new Map<string, ProxyConnection>();
  totalConnections = 0;
  tlsHandshakeFailures = 0;
  /** Counted for the `hitless` interceptor entry of GET /stats. */
  handshakes = { invoked: 0, matched: 0 };

  readonly #host: NodeHost;
  readonly #listen: Array<{ host: string; port: number }>;
  readonly #tls: NodeTlsOptions | undefined;
  #servers: net.Server[] = [];
  #addresses: HostPort[] = [];
  #port = 0;

  constructor(host: NodeHost, options: NodeOptions & { ipHost: string }) {
    this.#host = host;
    this.upstream = { ...options.upstream };
    this.#listen = (options.listen ?? [{ host: '127.0.0.1' }]).map((l) => ({ host: l.host, port: l.port ?? 0 }));
    if (this.#listen.length === 0) throw new SimulatorError('ERR_SIM_BAD_INPUT', 'a node needs at least one listen address');
    const ports = new Set(this.#listen.map((l) => l.port).filter((p) => p !== 0));
    if (ports.size > 1) throw new SimulatorError('ERR_SIM_BAD_INPUT', 'all listen addresses of a node share one port');
    this.ipHost = options.ipHost;
    this.fqdnHost = options.fqdnHost ?? 'localhost';
    this.maintSupport = options.maintSupport ?? 'enterprise';
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
    this.faults = { latencyMs: 0, connectDelayMs: 0, refuseConnections: false, blackhole: false, notifications: true, ...options.faults };
    this.#tls = options.tls === undefined ? undefined : checkTls(options.tls);
    if (options.upstreamTls !== undefined && (typeof options.upstreamTls !== 'object' || options.upstreamTls === null)) {
      throw new SimulatorError('ERR_SIM_BAD_INPUT', '"upstreamTls" must be an object of tls.connect options');
    }
    this.upstreamTls = options.upstreamTls === undefined ? undefined : { ...options.upstreamTls };
  }

  /** cae-resp-proxy's node id: `targetHost:targetPort@listenPort`. */
  get id(): string {
    return `${this.upstream.host}:${this.upstream.port}@${this.#port}`;
  }
  get port(): number {
    return this.#port;
  }
  /** The first listen host (what CLUSTER SLOTS and SMIGRATED name). */
  get host(): string {
    return this.#listen[0]!.host;
  }
  get latencyMs(): number {
    return this.faults.latencyMs;
  }
  get connectDelayMs(): number {
    return this.faults.connectDelayMs;
  }
  get blackhole(): boolean {
    return this.faults.blackhole;
  }
  get trafficLog(): ((line: string) => void) | undefined {
    return this.#host.trafficLog;
  }

  /** The endpoint MOVING announces to a client that asked for `type` (null for `none`). */
  announce(type: EndpointType | undefined): string | null {
    if (type === 'none') return null;
    const host = type === 'internal-fqdn' || type === 'external-fqdn' ? this.fqdnHost : this.ipHost;
    return `${host.includes(':') ? `[${host}]` : host}:${this.#port}`;
  }

  /** Binds every address; with port 0, retries a few ports until one is free on all of them. */
  async start(): Promise<void> {
    const fixed = this.#listen.find((l) => l.port !== 0)?.port;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#bindAll(fixed ?? 0);
        return;
      } catch (err) {
        await this.#closeServers();
        if (fixed !== undefined || attempt >= 8 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
          throw new SimulatorError('ERR_SIM_LISTEN', `cannot listen for node ${this.upstream.host}:${this.upstream.port}: ${(err as Error).message}`, { cause: err });
        }
      }
    }
  }

  async stop(): Promise<void> {
    for (const connection of [...this.connections.values()]) connection.close();
    await this.#closeServers();
  }

  /** Applies fault knobs; refusing closes the listeners (ECONNREFUSED) and un-refusing reopens them. */
  async setFaults(update: Partial<NodeFaults>): Promise<void> {
    const wasRefusing = this.faults.refuseConnections;
    Object.assign(this.faults, update);
    // Stop listening at once; the close callback would wait for open connections, which stay.
    if (!wasRefusing && this.faults.refuseConnections) void this.#closeServers();
    if (wasRefusing && !this.faults.refuseConnections) await this.#bindAll(this.#port);
  }

  dropConnections(): number {
    const all = [...this.connections.values()];
    for (const connection of all) connection.close();
    return all.length;
  }

  info(): NodeInfo {
    return {
      id: this.id,
      upstream: { ...this.upstream },
      addresses: this.#addresses.map((a) => ({ ...a })),
      port: this.#port,
      ipHost: this.ipHost,
      fqdnHost: this.fqdnHost,
      faults: { ...this.faults },
      maintSupport: this.maintSupport,
      tls: this.#tls !== undefined,
      clientCertificates: this.#tls !== undefined && requiresClientCertificates(this.#tls),
      upstreamTls: this.upstreamTls !== undefined,
      activeConnections: this.connections.size,
      totalConnections: this.totalConnections,
      tlsHandshakeFailures: this.tlsHandshakeFailures,
    };
  }

  route(connection: ProxyConnection, buffer: Buffer, start: number, end: number): Route {
    if (this.faults.blackhole) return DROP;
    const intercepted = this.#host.intercept(buffer, start, end);
    if (intercepted !== undefined) return { reply: intercepted };
    const kind = classify(buffer, start, end);
    if (kind === CommandKind.Other) return FORWARD;
    if (kind === CommandKind.ClusterSlots) {
      const slots = this.#host.clusterSlots();
      return slots === undefined ? FORWARD : { reply: slots };
    }
    const args = commandArgs(buffer, start, end);
    const handshake = parseMaintHandshake(args);
    if (handshake.kind === 'not-maint') return FORWARD;
    this.handshakes.invoked++;
    if (this.maintSupport === 'oss') return { reply: errorReply(ossMaintError(args[1]!)) };
    if (handshake.kind === 'error') return { reply: errorReply(handshake.message) };
    this.handshakes.matched++;
    if (handshake.kind === 'off') {
      return { reply: OK, then: () => void (connection.optedIn = false) };
    }
    return {
      reply: OK,
      then: () => {
        connection.optedIn = true;
        connection.endpointType = handshake.endpointType;
        this.#host.optedIn(this, connection);
      },
    };
  }

  closed(connection: ProxyConnection): void {
    this.connections.delete(connection.id);
  }

  /** Addresses to bind: the configured ones plus what this node announces, minus duplicates. */
  #bindHosts(): string[] {
    const hosts = this.#listen.map((l) => l.host);
    const extra = [this.ipHost];
    if (this.fqdnHost === 'localhost') extra.push('127.0.0.1', '::1');
    const wildcard4 = hosts.some((h) => h === '0.0.0.0' || h === '' || h === '::');
    const wildcard6 = hosts.some((h) => h === '::' || h === '');
    for (const host of extra) {
      if (hosts.includes(host)) continue;
      if (host.includes(':') ? wildcard6 : wildcard4) continue;
      hosts.push(host);
    }
    return hosts;
  }

  async #bindAll(port: number): Promise<void> {
    const hosts = this.#bindHosts();
    const configured = new Set(this.#listen.map((l) => l.host));
    this.#addresses = [];
    for (const host of hosts) {
      const server = this.#createServer();
      try {
        await listen(server, host, port);
      } catch (err) {
        // A box without IPv6 cannot bind ::1; localhost then resolves to 127.0.0.1 only.
        const code = (err as NodeJS.ErrnoException).code;
        if (!configured.has(host) && host === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) continue;
        throw err;
      }
      if (port === 0) port = (server.address() as net.AddressInfo).port;
      this.#servers.push(server);
      this.#addresses.push({ host: WILDCARDS.has(host) ? host || '0.0.0.0' : host, port });
    }
    this.#port = port;
  }

  async #closeServers(): Promise<void> {
    const servers = this.#servers;
    this.#servers = [];
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  #createServer(): net.Server {
    if (this.#tls === undefined) return net.createServer((socket) => this.#accept(socket));
    const server = tls.createServer(this.#tls, (socket) => this.#accept(socket));
    // A client that does not trust the certificate (or speaks plain TCP) never becomes a connection.
    server.on('tlsClientError', (_err, socket) => {
      this.tlsHandshakeFailures++;
      socket.destroy();
    });
    return server;
  }

  #accept(socket: net.Socket): void {
    if (this.faults.refuseConnections) {
      socket.destroy();
      return;
    }
    const connection = new ProxyConnection(this, socket);
    this.connections.set(connection.id, connection);
    this.totalConnections++;
  }
}

/** Checks the certificate and key now, so a bad one is a 4xx/usage error and not a failed listen. */
function checkTls(options: NodeTlsOptions): NodeTlsOptions {
  if (typeof options !== 'object' || options === null || options.cert === undefined || options.key === undefined) {
    throw new SimulatorError('ERR_SIM_BAD_INPUT', 'a TLS node needs "tls.cert" and "tls.key" (PEM)');
  }
  // Without a CA, Node would check client certificates against its public roots: never what a test means.
  if (requiresClientCertificates(options) && options.ca === undefined) {
    throw new SimulatorError('ERR_SIM_BAD_INPUT', 'a node that requires client certificates (tls.requestCert) needs "tls.ca", the CA they must chain to');
  }
  try {
    tls.createSecureContext(options);
  } catch (err) {
    throw new SimulatorError('ERR_SIM_BAD_INPUT', `the node's TLS certificate or key is unusable: ${(err as Error).message}`, { cause: err });
  }
  return { ...options };
}

/** tls.createServer refuses clients without a trusted certificate: requestCert, rejectUnauthorized not false. */
function requiresClientCertificates(options: NodeTlsOptions): boolean {
  return options.requestCert === true && options.rejectUnauthorized !== false;
}

function errorReply(message: string): Buffer {
  return Buffer.from(`-${message.replace(/[\r\n]+/g, ' ')}\r\n`);
}

function listen(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
