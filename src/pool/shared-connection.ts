/**
 * The connection that ordinary commands share, kept alive: on loss it reconnects with backoff,
 * holding commands issued meanwhile in a bounded offline queue, then sends them in order. Commands
 * the lost connection had not written yet go first, so a caller's order survives a reconnect.
 *
 *   idle ──connect()──▶ connecting ──ok──▶ ready ◀──────────── ok ──┐
 *    ▲                      │fail           │ lost                  │
 *    └──────────────────────┘               ▼                       │
 *                                      reconnecting ──retry (backoff)┘──gave up──▶ idle
 *   close()/destroy() from any state ──▶ closed
 */
import type { Command, Connection, ConnectionOwner } from '../connection/index.js';
import { ConnectionError } from '../connection/index.js';
import { ClientClosedError } from '../errors.js';
import type { CloseReason, Endpoint } from '../connection/index.js';
import type { HookChain } from '../hooks/index.js';
import type { RespValue } from '../protocol/index.js';
import { retryWithBackoff, type ReconnectStrategy } from './backoff.js';

export type SharedState = 'idle' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

export interface SharedConnectionOptions {
  /** Dials and hands back a ready connection owned by `owner`. */
  open(owner: ConnectionOwner): Promise<Connection>;
  /** false: do not reconnect; commands fail until connect() is called again. */
  reconnect: ReconnectStrategy | false;
  /** Most commands held while disconnected; 0 disables the queue (fail fast). */
  offlineQueueLimit: number;
  hooks: HookChain;
  endpoint: () => Endpoint;
}

export interface SharedConnectionEvents {
  ready(connection: Connection): void;
  /** A handed-off connection replaced the shared one (see swap). */
  swapped(connection: Connection): void;
  reconnecting(attempt: number, delay: number, cause: Error | undefined): void;
  /** The connection was lost (`error` says why); reconnection follows unless disabled. */
  lost(error: Error | undefined): void;
  /** Reconnection was given up (or is disabled); queued commands have failed. */
  end(error: Error | undefined): void;
  push(connection: Connection, frame: RespValue[]): void;
}

export class SharedConnection implements ConnectionOwner {
  #state: SharedState = 'idle';
  #connection: Connection | undefined;
  #offline: Command[] = [];
  readonly #retiring = new Set<Connection>();
  /** Resolves when every connection retired so far has its last replies; the newest successor waits for it. */
  #retired: Promise<unknown> = Promise.resolve();
  readonly #options: SharedConnectionOptions;
  readonly #events: SharedConnectionEvents;
  #stopReconnecting: AbortController | undefined;

  constructor(options: SharedConnectionOptions, events: SharedConnectionEvents) {
    this.#options = options;
    this.#events = events;
  }

  get state(): SharedState {
    return this.#state;
  }

  get connection(): Connection | undefined {
    return this.#connection;
  }

  /** Connections handed off and still draining their last replies. */
  get retiring(): ReadonlySet<Connection> {
    return this.#retiring;
  }

  async connect(): Promise<void> {
    if (this.#state === 'ready' || this.#state === 'connecting' || this.#state === 'reconnecting') return;
    this.#state = 'connecting';
    try {
      this.#install(await this.#options.open(this));
    } catch (error) {
      if ((this.#state as SharedState) !== 'closed') this.#state = 'idle';
      this.#failOffline(error as Error);
      throw error;
    }
  }

  dispatch(command: Command): void {
    if (this.#state === 'ready') this.#connection!.send(command);
    else this.#dispatchNotReady(command);
  }

  /** Kept apart from `dispatch`, the path of every command, so that V8 can inline that one. */
  #dispatchNotReady(command: Command): void {
    if (this.#state === 'closed') {
      command.fail(new ClientClosedError());
      return;
    }
    if (this.#state === 'idle') {
      const { host, port } = this.#options.endpoint();
      command.fail(new ConnectionError(`not connected to ${host}:${port}`, 'ERR_NOT_CONNECTED'));
      return;
    }
    if (this.#offline.length >= this.#options.offlineQueueLimit) {
      const { host, port } = this.#options.endpoint();
      command.fail(this.#options.offlineQueueLimit === 0
        ? new ConnectionError(`${command.name} failed fast: not connected to ${host}:${port} and the offline queue is disabled`, 'ERR_NOT_CONNECTED')
        : new ConnectionError(`${command.name} rejected: the offline queue is full (${this.#options.offlineQueueLimit} commands) while reconnecting to ${host}:${port}`, 'ERR_OFFLINE_QUEUE_FULL'));
      return;
    }
    this.#offline.push(command);
    this.#queueChanged(this.#offline.length - 1);
  }

  /**
   * Puts `replacement` (already connected and handshaken) in place of the current connection.
   * Commands not written yet move to it, and every new command goes to it; it starts writing the
   * moment the old connection (and any retired before it) has received its last pending reply, so
   * the caller's command order holds across the swap, and nothing waits longer than that round
   * trip. The old connection gets `drainTimeout` ms for those replies; after that it is closed and
   * the commands still waiting there fail with a ConnectionError naming the handoff.
   */
  swap(replacement: Connection, drainTimeout = Infinity): void {
    const old = this.#connection;
    if (this.#state !== 'ready' || old === undefined) {
      throw new ConnectionError(`cannot swap the shared connection while it is ${this.#state}`, 'ERR_NOT_CONNECTED');
    }
    replacement.owner = this;
    const release = replacement.hold();
    this.#connection = replacement;
    for (const command of old.takeUnwritten()) replacement.send(command);
    this.#retiring.add(old);
    this.#used(replacement);
    this.#events.swapped(replacement);
    void old.close('handoff').then(() => this.#retiring.delete(old));
    const bound = Number.isFinite(drainTimeout) ? setTimeout(() => abandon(old, drainTimeout), drainTimeout) : undefined;
    bound?.unref();
    const drained = old.drained.then(() => clearTimeout(bound));
    const retired = Promise.all([this.#retired, drained]);
    this.#retired = retired;
    void retired.then(release);
  }

  /** Graceful: queued commands are written and answered, then the connection closes. */
  async close(): Promise<void> {
    const connection = this.#connection;
    this.#stopWaiting();
    if (this.#state === 'reconnecting' || this.#state === 'connecting') {
      this.#failOffline(new ClientClosedError('the client was closed before it could reconnect'));
    }
    this.#state = 'closed';
    await Promise.all([connection?.close(), ...[...this.#retiring].map((c) => c.close())]);
  }

  destroy(error: Error): void {
    this.#stopWaiting();
    this.#state = 'closed';
    this.#failOffline(error);
    this.#connection?.destroy(error, 'application_close');
    for (const connection of this.#retiring) connection.destroy(error, 'application_close');
  }

  onPush(connection: Connection, frame: RespValue[]): void {
    this.#events.push(connection, frame);
  }

  onClose(connection: Connection, _reason: CloseReason, error: Error | undefined): void {
    if (connection !== this.#connection) return;
    this.#connection = undefined;
    const unwritten = connection.takeUnwritten();
    if (this.#state === 'closed') {
      for (const command of unwritten) command.fail(error ?? new ClientClosedError());
      return;
    }
    for (const command of unwritten) command.retries++;
    const previous = this.#offline.length;
    this.#offline = unwritten.concat(this.#offline);
    if (unwritten.length > 0) this.#queueChanged(previous);
    this.#events.lost(error);
    if (this.#options.reconnect === false) {
      this.#state = 'idle';
      const cause = error ?? new ConnectionError('connection closed', 'ERR_CONNECTION_CLOSED');
      this.#failOffline(cause);
      this.#events.end(cause);
      return;
    }
    void this.#reconnect(this.#options.reconnect, error);
  }

  async #reconnect(strategy: ReconnectStrategy, cause: Error | undefined): Promise<void> {
    this.#state = 'reconnecting';
    const endpoint = this.#options.endpoint();
    const stop = new AbortController();
    this.#stopReconnecting = stop;
    const outcome = await retryWithBackoff({
      strategy, cause, signal: stop.signal, hooks: this.#options.hooks, role: 'shared', endpoint,
      onAttempt: (attempt, delay, previous) => this.#events.reconnecting(attempt, delay, previous),
      attempt: () => this.#options.open(this),
    });
    if (outcome.ok) {
      // close() or destroy() may have come while the last try was connecting.
      if (this.#state === 'reconnecting') this.#install(outcome.value);
      else outcome.value.destroy(undefined, 'application_close');
      return;
    }
    if (outcome.stopped) return;
    this.#state = 'idle';
    const error = new ConnectionError(
      `gave up reconnecting to ${endpoint.host}:${endpoint.port} after ${outcome.attempts} attempts${outcome.cause ? `: ${outcome.cause.message}` : ''}`,
      'ERR_CONNECTION', { cause: outcome.cause },
    );
    this.#failOffline(error);
    this.#events.end(error);
  }

  #install(connection: Connection): void {
    this.#connection = connection;
    this.#state = 'ready';
    this.#used(connection);
    const queued = this.#offline;
    this.#offline = [];
    for (const command of queued) connection.send(command);
    if (queued.length > 0) this.#queueChanged(queued.length);
    this.#events.ready(connection);
  }

  /** The shared connection is always in use (`db.client.connection.state`). */
  #used(connection: Connection): void {
    const { hooks } = this.#options;
    if (hooks.table.onConnectionStateChange.length === 0) return;
    hooks.dispatch('onConnectionStateChange', { connectionId: connection.id, server: connection.endpoint, role: connection.role, state: 'used' });
  }

  #stopWaiting(): void {
    this.#stopReconnecting?.abort();
    this.#stopReconnecting = undefined;
  }

  #failOffline(error: Error): void {
    const failed = this.#offline;
    if (failed.length === 0) return;
    this.#offline = [];
    this.#queueChanged(failed.length);
    for (const command of failed) command.fail(error);
  }

  #queueChanged(previousDepth: number): void {
    const hooks = this.#options.hooks.table.onOfflineQueueChange;
    if (hooks.length > 0) this.#options.hooks.emit(hooks, 'onOfflineQueueChange', { depth: this.#offline.length, previousDepth });
  }
}


/** A retiring connection that did not drain in time: what it still waits for fails, clearly. */
function abandon(connection: Connection, drainTimeout: number): void {
  const { host, port } = connection.endpoint;
  connection.destroy(
    new ConnectionError(
      `connection to ${host}:${port} was closed by a handoff: its last replies did not arrive within ${drainTimeout} ms`,
      'ERR_HANDOFF_DRAIN',
    ),
    'handoff',
  );
}
