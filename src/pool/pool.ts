/**
 * The connections of one client. Ordinary commands share one multiplexed connection (pipelined,
 * in order). Blocking commands, WATCH transactions and pub/sub take an exclusive lease, so they
 * never stall the shared connection. Sizing follows go-redis: `poolSize` idle lease connections
 * are kept at most, `minIdleConns` are kept ready, `maxActiveConns` caps every connection open at
 * once (a lease then waits up to `poolTimeout`, and fails with PoolTimeoutError).
 *
 * The pool can list its connections and swap one for a replacement in place: the seam the
 * maintenance handoff uses. Replacements are dialled through `open()` and count as open
 * connections (under maxActiveConns, and in `connections()` as `handoff`) until swapped in.
 */
import { performance } from 'node:perf_hooks';
import type {
  CloseReason, Command, Connection, ConnectionFactory, ConnectionOwner, ConnectionRole, ConnectionUse, Endpoint, OpenOptions,
} from '../connection/index.js';
import type { HookChain } from '../hooks/index.js';
import { ClientClosedError } from '../errors.js';
import type { RespValue } from '../protocol/index.js';
import type { ReconnectStrategy } from './backoff.js';
import { PoolTimeoutError } from './errors.js';
import { SharedConnection, type SharedConnectionEvents } from './shared-connection.js';

/** How many connections the pool keeps and allows (go-redis's meanings). */
export interface PoolSizing {
  /** Idle lease connections kept at most. */
  poolSize: number;
  /** Idle lease connections kept open and ready. */
  minIdleConns: number;
  /** Connections open at once at most, shared one included; 0 = no limit. */
  maxActiveConns: number;
  /** Milliseconds a lease waits for a free slot under maxActiveConns. */
  poolTimeout: number;
  /** Milliseconds an idle lease connection is kept; 0 = forever. */
  connMaxIdleTime: number;
}

export interface PoolOptions extends PoolSizing {
  /** Makes every connection; its `db` is the database new and reused lease connections must have selected. */
  factory: ConnectionFactory;
  /** Reconnect attempts and offline-queue changes are reported here. */
  hooks: HookChain;
  reconnect: ReconnectStrategy | false;
  offlineQueueLimit: number;
}

export type PoolEvents = SharedConnectionEvents;

export type ConnectionListRole = 'shared' | 'lease' | 'pubsub' | 'idle' | 'retiring' | 'handoff';

/**
 * What `Pool.swap` did: `swapped` (the replacement serves now; the old connection drains and
 * closes), `on-release` (a leased connection is replaced when its lease is released), or
 * `not-found` (no connection has that id any more; the caller still owns the replacement).
 */
export type SwapResult = 'swapped' | 'on-release' | 'not-found';

export interface ConnectionInfo {
  readonly id: number;
  readonly role: ConnectionListRole;
  readonly endpoint: Endpoint;
  readonly state: Connection['state'];
  readonly pendingReplies: number;
  readonly queuedCommands: number;
}

/** An exclusive connection. Release it when done; a broken one is dropped by the pool. */
export class Lease implements ConnectionOwner {
  readonly role: ConnectionRole;
  /**
   * Set while a blocking command runs on the lease: its reply may never come, so a graceful
   * close of the client interrupts it instead of waiting.
   */
  blocking = false;
  /** Pushes that are not for the pool (pub/sub messages) go here first; return true when handled. */
  onMessage: ((frame: RespValue[]) => boolean) | undefined;
  /** Told when the leased connection closes. */
  onLost: ((error: Error | undefined) => void) | undefined;
  /**
   * Set by a holder that can move to a new connection while leased (pub/sub resubscribes there).
   * Without it a handoff waits for the release.
   */
  onReplace: ((replacement: Connection, old: Connection) => Promise<void>) | undefined;
  #connection: Connection;
  #replacement: Connection | undefined;
  readonly #pool: Pool;
  #released = false;
  #handedOff = false;

  constructor(pool: Pool, connection: Connection, role: ConnectionRole) {
    this.#pool = pool;
    this.#connection = connection;
    this.role = role;
    connection.owner = this;
  }

  get connection(): Connection {
    return this.#connection;
  }

  /** A handoff reached this lease while it was held: its connection moves (or moved) away. */
  get handedOff(): boolean {
    return this.#handedOff;
  }

  send(command: Command): void {
    this.#connection.send(command);
  }

  /** Gives the connection back. `reusable: false` closes it instead (e.g. after pub/sub). */
  release(reusable = true): void {
    if (this.#released) return;
    this.#released = true;
    this.blocking = false;
    // Handed to the pool: the old connection closing later must not take the replacement with it.
    const replacement = this.#replacement;
    this.#replacement = undefined;
    this.#pool.returnLease(this, reusable, replacement);
  }

  /**
   * Moves the lease to `replacement`: at once when the holder can follow (onReplace), the old
   * connection closing once the holder is set up on the new one; otherwise on release.
   */
  handoff(replacement: Connection): SwapResult {
    this.#handedOff = true;
    if (this.onReplace === undefined) {
      this.#replaceOnRelease(replacement);
      return 'on-release';
    }
    const old = this.#connection;
    replacement.owner = this;
    this.#connection = replacement;
    // Until the holder is set up on the new connection, the old one keeps delivering to it.
    const moved = this.onReplace(replacement, old);
    this.#pool.retire(old, moved);
    moved.catch((error: unknown) => replacement.destroy(error instanceof Error ? error : new Error(String(error)), 'error'));
    return 'swapped';
  }

  #replaceOnRelease(replacement: Connection): void {
    this.#replacement?.destroy(undefined, 'handoff');
    this.#replacement = replacement;
  }

  onPush(connection: Connection, frame: RespValue[]): void {
    if (this.onMessage?.(frame)) return;
    this.#pool.forwardPush(connection, frame);
  }

  onClose(connection: Connection, _reason: CloseReason, error: Error | undefined): void {
    // A connection this lease moved away from closing is expected.
    if (connection !== this.#connection) return;
    this.#pool.forgetLease(this);
    // The connection waiting to replace this one has nothing to replace any more.
    this.#replacement?.destroy(undefined, 'application_close');
    this.#replacement = undefined;
    this.onLost?.(error);
  }
}

interface IdleConnection {
  connection: Connection;
  since: number;
}

export class Pool implements ConnectionOwner {
  readonly shared: SharedConnection;
  readonly #options: PoolOptions;
  readonly #events: PoolEvents;
  #idle: IdleConnection[] = [];
  readonly #leases = new Set<Lease>();
  /** Replacements dialled for a handoff and not swapped in yet (or waiting for a lease's release). */
  readonly #handoffs = new Set<Connection>();
  /** Connections a handoff replaced, open until their close completes (the shared one's are the SharedConnection's). */
  readonly #retiring = new Set<Connection>();
  #opening = 0;
  #waiters: Array<() => void> = [];
  #closed = false;
  /** Aborted by close() and destroy(): a connection still being dialled or handshaken is abandoned. */
  #stopOpening = new AbortController();
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(options: PoolOptions, events: PoolEvents) {
    this.#options = options;
    this.#events = events;
    const { factory } = options;
    this.shared = new SharedConnection(
      {
        open: (owner) => factory.open('shared', owner, { signal: this.#stopOpening.signal }), reconnect: options.reconnect, offlineQueueLimit: options.offlineQueueLimit,
        hooks: options.hooks, endpoint: () => factory.target(),
      },
      events,
    );
  }

  /** Connections open or being opened, shared, retiring and handoff ones included. */
  get activeCount(): number {
    return (this.shared.connection ? 1 : 0) + this.shared.retiring.size + this.#retiring.size + this.#idle.length + this.#leases.size
      + this.#handoffs.size + this.#opening;
  }

  async connect(): Promise<void> {
    this.#closed = false;
    if (this.#stopOpening.signal.aborted) this.#stopOpening = new AbortController();
    await this.shared.connect();
    this.#fillIdle();
    if (this.#options.connMaxIdleTime > 0 && this.#idleTimer === undefined) {
      this.#idleTimer = setInterval(() => this.#evictIdle(), Math.max(100, Math.min(this.#options.connMaxIdleTime / 2, 60_000)));
      this.#idleTimer.unref();
    }
  }

  dispatch(command: Command): void {
    this.shared.dispatch(command);
  }

  /** An exclusive connection; waits up to `poolTimeout` when `maxActiveConns` are open. */
  async acquire(role: ConnectionRole = 'lease'): Promise<Lease> {
    const hooks = this.#options.hooks;
    if (hooks.table.onConnectionAcquire.length === 0) return this.#acquire(role, undefined);
    const started = performance.now();
    const waited = { value: false };
    try {
      const lease = await this.#acquire(role, waited);
      const { id, endpoint } = lease.connection;
      hooks.dispatch('onConnectionAcquire', { role, connectionId: id, server: endpoint, duration: performance.now() - started, waited: waited.value, error: undefined });
      return lease;
    } catch (error) {
      hooks.dispatch('onConnectionAcquire', {
        role, connectionId: undefined, server: undefined, duration: performance.now() - started, waited: waited.value, error: error as Error,
      });
      throw error;
    }
  }

  /** `waited.value` is set when the lease had to wait for a slot (reported to hooks). */
  async #acquire(role: ConnectionRole, waited: { value: boolean } | undefined): Promise<Lease> {
    const deadline = performance.now() + this.#options.poolTimeout;
    for (;;) {
      if (this.#closed) throw new ClientClosedError();
      const idle = this.#takeIdle();
      if (idle !== undefined) {
        const lease = new Lease(this, idle, role);
        this.#leases.add(lease);
        this.#use(idle, 'used');
        this.#fillIdle();
        return lease;
      }
      const { maxActiveConns } = this.#options;
      if (maxActiveConns === 0 || this.activeCount < maxActiveConns) {
        this.#opening++;
        let connection: Connection;
        try {
          connection = await this.#open(role, this);
        } finally {
          this.#opening--;
        }
        if (this.#closed) {
          connection.destroy(undefined, 'application_close');
          continue;
        }
        const lease = new Lease(this, connection, role);
        this.#leases.add(lease);
        this.#use(connection, 'used');
        return lease;
      }
      if (waited !== undefined) waited.value = true;
      const remaining = deadline - performance.now();
      if (remaining <= 0 || !(await this.#waitForSlot(remaining))) {
        throw new PoolTimeoutError(
          `no connection available within ${this.#options.poolTimeout} ms: all maxActiveConns=${maxActiveConns} connections are in use`,
        );
      }
    }
  }

  /** Every connection of this pool, with its role and state. */
  connections(): ConnectionInfo[] {
    const info = (connection: Connection, role: ConnectionListRole): ConnectionInfo => ({
      id: connection.id, role, endpoint: connection.endpoint, state: connection.state,
      pendingReplies: connection.pendingReplies, queuedCommands: connection.queuedCommands,
    });
    const out: ConnectionInfo[] = [];
    if (this.shared.connection) out.push(info(this.shared.connection, 'shared'));
    for (const connection of this.shared.retiring) out.push(info(connection, 'retiring'));
    for (const connection of this.#retiring) out.push(info(connection, 'retiring'));
    for (const lease of this.#leases) out.push(info(lease.connection, lease.role));
    for (const { connection } of this.#idle) out.push(info(connection, 'idle'));
    for (const connection of this.#handoffs) out.push(info(connection, 'handoff'));
    return out;
  }

  /**
   * Puts `replacement` (ready, handshaken, from `open()`) in place of connection `id`. The shared
   * connection hands new commands over once its written ones are answered, within `drainTimeout`
   * ms (see SharedConnection.swap); an idle one closes at once; a pub/sub lease moves at once; any
   * other lease is replaced when released.
   */
  swap(id: number, replacement: Connection, drainTimeout?: number): SwapResult {
    const result = this.#swapIn(id, replacement, drainTimeout);
    // Swapped in, it counts where it serves now; waiting for a release, it stays a handoff.
    if (result === 'swapped') this.#handoffs.delete(replacement);
    return result;
  }

  #swapIn(id: number, replacement: Connection, drainTimeout: number | undefined): SwapResult {
    if (this.shared.connection?.id === id) {
      this.shared.swap(replacement, drainTimeout);
      return 'swapped';
    }
    const idle = this.#idle.find((entry) => entry.connection.id === id);
    if (idle) {
      const old = idle.connection;
      replacement.owner = this;
      idle.connection = replacement;
      idle.since = performance.now();
      this.retire(old);
      this.#use(replacement, 'idle');
      return 'swapped';
    }
    for (const lease of this.#leases) {
      if (lease.connection.id !== id) continue;
      const result = lease.handoff(replacement);
      if (result === 'swapped') this.#use(replacement, 'used');
      return result;
    }
    return 'not-found';
  }

  /**
   * Dials a ready connection (to `options.endpoint` when given: a handoff knows where the server
   * moved) for use with `swap()`. Until swapped in, it is listed and counted as a handoff.
   */
  async open(role: ConnectionRole, options?: OpenOptions): Promise<Connection> {
    if (this.#closed) throw new ClientClosedError();
    this.#opening++;
    let connection: Connection;
    try {
      connection = await this.#options.factory.open(role, this, { ...options, signal: this.#stopOpening.signal });
    } finally {
      this.#opening--;
    }
    if (this.#closed) {
      connection.destroy(undefined, 'application_close');
      throw new ClientClosedError();
    }
    this.#handoffs.add(connection);
    this.#use(connection, 'idle');
    return connection;
  }

  /** Graceful: pending replies arrive first; blocking commands on leases are interrupted. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopOpening.abort();
    clearInterval(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#wakeAll();
    const idle = this.#idle;
    this.#idle = [];
    for (const connection of this.#handoffs) connection.destroy(undefined, 'application_close');
    for (const lease of [...this.#leases]) {
      if (lease.blocking) lease.connection.destroy(new ClientClosedError('the client was closed while a blocking command waited'), 'application_close');
    }
    await Promise.all([
      this.shared.close(),
      ...idle.map(({ connection }) => connection.close()),
      ...[...this.#leases].map((lease) => lease.connection.close()),
      ...[...this.#retiring].map((connection) => connection.closed),
    ]);
  }

  destroy(error: Error): void {
    this.#closed = true;
    this.#stopOpening.abort();
    clearInterval(this.#idleTimer);
    this.#idleTimer = undefined;
    this.#wakeAll();
    this.shared.destroy(error);
    const idle = this.#idle;
    this.#idle = [];
    for (const { connection } of idle) connection.destroy(error, 'application_close');
    for (const connection of this.#handoffs) connection.destroy(error, 'application_close');
    for (const connection of this.#retiring) connection.destroy(error, 'application_close');
    for (const lease of [...this.#leases]) lease.connection.destroy(error, 'application_close');
  }

  /** Called by Lease.release. */
  returnLease(lease: Lease, reusable: boolean, replacement: Connection | undefined): void {
    this.#leases.delete(lease);
    const connection = lease.connection;
    if (replacement !== undefined) {
      // The old connection is moving away: never reused. Its replacement is, if it is still sound.
      this.#handoffs.delete(replacement);
      this.retire(connection);
      if (this.#reusable(replacement)) this.#keepIdle(replacement);
      else void replacement.close();
    } else if (reusable && this.#reusable(connection)) {
      this.#keepIdle(connection);
    } else {
      void connection.close();
    }
    this.#wakeOne();
  }

  #reusable(connection: Connection): boolean {
    return !this.#closed && connection.state === 'ready' && connection.pendingReplies === 0 && connection.queuedCommands === 0
      && this.#idle.length < this.#options.poolSize && connection.db === this.#options.factory.db;
  }

  /**
   * Closes a connection a handoff replaced, gracefully, once `after` settles (a pub/sub connection
   * keeps delivering until its successor has subscribed). Until it has closed it is still open, so
   * it is listed as `retiring` and counted under maxActiveConns.
   */
  retire(connection: Connection, after: Promise<unknown> = Promise.resolve()): void {
    this.#retiring.add(connection);
    const close = (): Promise<void> => connection.close('handoff');
    void after.then(close, close).then(() => this.#retiring.delete(connection));
  }

  /** Called when a leased connection closes under its lease. */
  forgetLease(lease: Lease): void {
    if (this.#leases.delete(lease)) this.#wakeOne();
  }

  forwardPush(connection: Connection, frame: RespValue[]): void {
    this.#events.push(connection, frame);
  }

  onPush(connection: Connection, frame: RespValue[]): void {
    this.#events.push(connection, frame);
  }

  /** An idle connection, a handoff replacement, or one still opening closed. */
  onClose(connection: Connection): void {
    const before = this.#idle.length;
    this.#idle = this.#idle.filter((entry) => entry.connection !== connection);
    if (this.#idle.length !== before || this.#handoffs.delete(connection)) this.#wakeOne();
  }

  #open(role: ConnectionRole, owner: ConnectionOwner): Promise<Connection> {
    return this.#options.factory.open(role, owner, { signal: this.#stopOpening.signal });
  }

  #keepIdle(connection: Connection): void {
    connection.owner = this;
    this.#idle.push({ connection, since: performance.now() });
    this.#use(connection, 'idle');
  }

  /** Reports what a connection does now; builds nothing unless a hook listens. */
  #use(connection: Connection, state: ConnectionUse): void {
    const hooks = this.#options.hooks;
    if (hooks.table.onConnectionStateChange.length === 0) return;
    hooks.dispatch('onConnectionStateChange', { connectionId: connection.id, server: connection.endpoint, role: connection.role, state });
  }

  #takeIdle(): Connection | undefined {
    const db = this.#options.factory.db;
    for (let entry = this.#idle.pop(); entry !== undefined; entry = this.#idle.pop()) {
      const { connection } = entry;
      if (connection.state === 'ready' && connection.db === db) return connection;
      void connection.close();
    }
    return undefined;
  }

  /** Opens idle connections in the background up to minIdleConns (within maxActiveConns). */
  #fillIdle(): void {
    const { minIdleConns, maxActiveConns } = this.#options;
    while (!this.#closed && this.#idle.length + this.#opening < minIdleConns && (maxActiveConns === 0 || this.activeCount < maxActiveConns)) {
      this.#opening++;
      this.#open('lease', this).then(
        (connection) => {
          this.#opening--;
          if (this.#closed) connection.destroy(undefined, 'application_close');
          else {
            this.#keepIdle(connection);
            this.#wakeOne();
          }
        },
        () => {
          // Reported through the dial/handshake hooks; the next lease request dials again.
          this.#opening--;
        },
      );
    }
  }

  #evictIdle(): void {
    const cutoff = performance.now() - this.#options.connMaxIdleTime;
    const stale = this.#idle.filter((entry) => entry.since < cutoff);
    if (stale.length === 0) return;
    this.#idle = this.#idle.filter((entry) => entry.since >= cutoff);
    for (const { connection } of stale) void connection.close('pool_eviction_idle');
    this.#fillIdle();
  }

  #waitForSlot(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== wake);
        resolve(false);
      }, ms);
      this.#waiters.push(wake);
    });
  }

  #wakeOne(): void {
    this.#waiters.shift()?.();
  }

  #wakeAll(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
