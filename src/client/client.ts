/**
 * The public client: commands go through the hook chain (only hooks implementing command events
 * cost anything), then to the pool, which sends ordinary commands over one multiplexed
 * connection and blocking ones over leases.
 */
import { EventEmitter } from 'node:events';
import { nextTick } from 'node:process';
import {
  commandName, ConnectionFactory, createCommand, DEFAULT_TIMEOUT, type Command, type ConnectionTemplate, type Endpoint, type ReplyTransform,
} from '../connection/index.js';
import { ClientClosedError, InvalidArgumentError } from '../errors.js';
import { connectionEvents, HookChain, type Hook, type HookErrorEvent } from '../hooks/index.js';
import { HandoffError, type MaintNotifications, type MaintNotificationsManager } from '../maintnotifications/index.js';
import { Pool, type ConnectionInfo } from '../pool/index.js';
import { invalidArgument, type CommandArgument, type RespValue } from '../protocol/index.js';
import { Multi, Pipeline, type Executor } from './batch.js';
import { CommandHooks } from './command-hooks.js';
import { installCommands, toNumberOrNull, type Key, type MethodsOf, type ScoredMember } from './command-spec.js';
import { maintenanceManager, withMaintenance } from './maintenance.js';
import { COMMANDS, type Commands, type ScanOptions } from './commands/index.js';
import { resolveOptions, type ClientOptions, type ResolvedOptions } from './options.js';
import { PubSub, type MessageListener } from './pubsub.js';
import { blockingTimeout, mayBlock, replacementFor } from './routing.js';
import { pairsOf, scanAll } from './scan.js';

export interface SendCommandOptions {
  /** Bulk strings as Buffers for this command. Default: the client's `returnBuffers`. */
  returnBuffers?: boolean;
  /** Milliseconds to wait for the reply once written (0 = none). Default: the client's. */
  timeout?: number;
}

export interface ReconnectingEvent {
  attempt: number;
  delay: number;
  error: Error | undefined;
}

/**
 * Events: `connect` and `ready` (the shared connection is up), `reconnecting`, `error` (a lost
 * connection or a failing pub/sub listener; never emitted without a listener, so it cannot crash
 * the process), `end` (closed, or reconnection given up), `push` (unsolicited push frames, e.g.
 * maintenance notifications), `hookError`, `resubscribed`.
 */
export interface ClientEvents {
  connect: [];
  ready: [];
  reconnecting: [ReconnectingEvent];
  error: [Error];
  end: [];
  push: [RespValue[], ConnectionInfo['id']];
  hookError: [HookErrorEvent];
  resubscribed: [];
}

type ClientState = 'new' | 'open' | 'closing' | 'closed';

export class Client<S extends string | Buffer = string> extends EventEmitter<ClientEvents> {
  readonly #options: ResolvedOptions;
  readonly #hooks: HookChain;
  readonly #commandHooks: CommandHooks;
  readonly #pool: Pool;
  readonly #factory: ConnectionFactory;
  readonly #maintenance: MaintNotificationsManager | undefined;
  readonly #executor: Executor;
  #state: ClientState = 'new';
  #connecting: Promise<void> | undefined;
  #db: number;
  #pubsub: PubSub | undefined;
  readonly #configuredEndpoint: Endpoint;

  constructor(options?: ClientOptions | string) {
    super();
    const resolved = resolveOptions(options);
    this.#options = resolved;
    this.#db = resolved.db;
    // Whoever adds or removes a hook, commands from then on see the new table (started ones keep theirs).
    this.#hooks = new HookChain(resolved.hooks, (event) => this.#emitIfListened('hookError', event), () => this.#commandHooks.hooksChanged());
    this.#configuredEndpoint = Object.freeze({ host: resolved.host, port: resolved.port });
    this.#commandHooks = new CommandHooks(this.#hooks, this.#configuredEndpoint, resolved.db);
    this.#maintenance = maintenanceManager(resolved, this.#hooks, this.#configuredEndpoint);
    this.#factory = new ConnectionFactory(withMaintenance(connectionTemplate(resolved), this.#maintenance), this.#configuredEndpoint, resolved.db, connectionEvents(this.#hooks));
    this.#factory.policy = this.#maintenance;
    this.#pool = new Pool(
      {
        factory: this.#factory,
        hooks: this.#hooks,
        reconnect: resolved.reconnect,
        offlineQueueLimit: resolved.offlineQueueLimit,
        poolSize: resolved.poolSize,
        minIdleConns: resolved.minIdleConns,
        maxActiveConns: resolved.maxActiveConns,
        poolTimeout: resolved.poolTimeout,
        connMaxIdleTime: resolved.connMaxIdleTime,
      },
      {
        ready: (connection) => {
          this.#commandHooks.moved(connection.endpoint, this.#db);
          this.emit('connect');
          this.emit('ready');
        },
        swapped: (connection) => this.#commandHooks.moved(connection.endpoint, this.#db),
        reconnecting: (attempt, delay, error) => this.emit('reconnecting', { attempt, delay, error }),
        lost: (error) => {
          if (error) this.#emitIfListened('error', error);
        },
        end: () => this.emit('end'),
        push: (connection, frame) => this.emit('push', frame, connection.id),
      },
    );
    this.#maintenance?.attach(this.#pool);
    this.#executor = this.#sharedExecutor();
  }

  /**
   * Maintenance notifications (policies, state, circuit breakers); undefined with
   * `maintNotifications: { mode: 'disabled' }`.
   */
  get maintNotifications(): MaintNotifications | undefined {
    return this.#maintenance;
  }

  /** True once connect() has succeeded and until close()/destroy(). */
  get isOpen(): boolean {
    return this.#state === 'open';
  }

  /** True while the shared connection is up (false while reconnecting). */
  get isReady(): boolean {
    return this.#state === 'open' && this.#pool.shared.state === 'ready';
  }

  /** The database commands run against. */
  get db(): number {
    return this.#db;
  }

  /** Connects the shared connection (and minIdleConns idle ones). Resolves with the client. */
  async connect(): Promise<this> {
    if (this.#state === 'closing' || this.#state === 'closed') throw new ClientClosedError('the client was closed; create a new one');
    if (this.#state === 'open' && this.#pool.shared.state === 'ready') return this;
    this.#state = 'open';
    this.#connecting ??= this.#pool.connect().finally(() => (this.#connecting = undefined));
    try {
      await this.#connecting;
    } catch (error) {
      if (this.#state === 'open' && this.#pool.shared.state === 'idle') this.#state = 'new';
      throw error;
    }
    return this;
  }

  /** Graceful: new commands are refused, pending ones get their replies, then connections close. */
  async close(): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return;
    this.#state = 'closing';
    this.#maintenance?.close();
    this.#pubsub?.close();
    await this.#pool.close();
    this.#state = 'closed';
    this.emit('end');
  }

  /** Closes everything now; pending commands fail with ClientClosedError. */
  destroy(): void {
    if (this.#state === 'closed') return;
    const wasClosing = this.#state === 'closing';
    this.#state = 'closed';
    this.#maintenance?.close();
    this.#pubsub?.close();
    this.#pool.destroy(new ClientClosedError('the client was destroyed'));
    if (!wasClosing) this.emit('end');
  }

  /** Any command: `sendCommand(['OBJECT', 'ENCODING', 'key'])`. */
  sendCommand(args: CommandArgument[], options?: SendCommandOptions): Promise<unknown> {
    if (!Array.isArray(args)) return Promise.reject(new InvalidArgumentError('sendCommand expects an array of arguments'));
    const name = commandName(args);
    if (name === 'SELECT') return this.select(Number(args[1]));
    const instead = replacementFor(name);
    if (instead !== undefined) return Promise.reject(new InvalidArgumentError(`${name} cannot be sent with sendCommand; use ${instead}`));
    const timeout = options?.timeout ?? DEFAULT_TIMEOUT;
    if (timeout !== DEFAULT_TIMEOUT && (!Number.isFinite(timeout) || timeout < 0)) {
      return Promise.reject(new InvalidArgumentError(`sendCommand: timeout must be milliseconds >= 0, got ${timeout}`));
    }
    return this.execute(args, undefined, timeout, options?.returnBuffers ?? this.#options.returnBuffers, name);
  }

  /** Selects `db` for this client: the shared connection now, every new connection from now on. */
  async select(db: number): Promise<'OK'> {
    if (!Number.isInteger(db) || db < 0) throw new InvalidArgumentError(`SELECT: expected a database index >= 0, got ${db}`);
    await this.execute(['SELECT', db], (reply) => {
      this.#db = db;
      this.#factory.db = db;
      this.#commandHooks.moved(this.#commandHooks.context.server, db);
      const shared = this.#pool.shared.connection;
      if (shared) shared.db = db;
      return reply;
    });
    return 'OK';
  }

  /**
   * @internal The path every typed command takes. Typed commands build their arguments with an
   * upper-case name first, so `name` defaults to it as is; sendCommand passes it normalised.
   */
  execute(
    args: CommandArgument[],
    transform: ReplyTransform | undefined,
    timeout: number = DEFAULT_TIMEOUT,
    returnBuffers: boolean = this.#options.returnBuffers,
    name: string = args[0] as string,
  ): Promise<unknown> {
    if (this.#state !== 'open') return Promise.reject(this.#notOpen());
    const invalid = invalidArgument(args);
    if (invalid !== undefined) return Promise.reject(new InvalidArgumentError(`${String(args[0])}: ${invalid}`));
    const blocking = mayBlock(name) ? blockingTimeout(name, args, this.#options.commandTimeout) : undefined;
    const [command, reply] = createCommand(args, returnBuffers, transform, blocking ?? timeout, name);
    this.#observe(command);
    if (blocking === undefined) this.#pool.dispatch(command);
    else this.#sendOnLease([command], reply);
    return reply;
  }

  /** Commands sent together in one write; see Pipeline. */
  pipeline(): Pipeline {
    return new Pipeline(this.#executor);
  }

  /** A MULTI/EXEC transaction on the shared connection; see Multi. */
  multi(): Multi {
    return new Multi(this.#executor);
  }

  /**
   * Optimistic locking: WATCHes `keys` on a connection of its own, runs `fn` with a client bound
   * to it, and releases it afterwards (UNWATCH if `fn` did not EXEC). Inside, `tx.multi().…exec()`
   * resolves to null when a watched key changed.
   */
  async watch<T>(keys: Key | Key[], fn: (tx: WatchScope<S>) => Promise<T>): Promise<T> {
    if (this.#state !== 'open') throw this.#notOpen();
    const lease = await this.#pool.acquire('lease');
    const executor = this.#executorFor((commands) => {
      // WATCH lives on the connection: one that is moving away cannot be trusted to EXEC on.
      if (lease.handedOff && commands.at(-1)?.name === 'EXEC') {
        const error = new HandoffError(
          `watch(): the connection was handed off (MOVING) while the transaction was prepared; it was not run (retry the watch() callback)`,
          'ERR_HANDOFF_WATCH',
        );
        for (const command of commands) command.fail(error);
        return;
      }
      for (const command of commands) lease.send(command);
    });
    const scope = new WatchScope<S>(executor, (command) => {
      this.#observe(command);
      lease.send(command);
    });
    let reusable = true;
    try {
      await scope.send(['WATCH', ...(Array.isArray(keys) ? keys : [keys])]);
      return await fn(scope);
    } finally {
      try {
        await scope.send(['UNWATCH']);
      } catch {
        reusable = false;
      }
      lease.release(reusable);
    }
  }

  // ---- pub/sub -----------------------------------------------------------------------------

  subscribe(channels: string | string[], listener: MessageListener<S>): Promise<void> {
    return this.#pubSub().subscribe('channel', channels, listener as MessageListener<unknown>);
  }

  pSubscribe(patterns: string | string[], listener: MessageListener<S>): Promise<void> {
    return this.#pubSub().subscribe('pattern', patterns, listener as MessageListener<unknown>);
  }

  sSubscribe(channels: string | string[], listener: MessageListener<S>): Promise<void> {
    return this.#pubSub().subscribe('shard', channels, listener as MessageListener<unknown>);
  }

  unsubscribe(channels?: string | string[], listener?: MessageListener<S>): Promise<void> {
    return this.#pubsub?.unsubscribe('channel', channels, listener as MessageListener<unknown>) ?? Promise.resolve();
  }

  pUnsubscribe(patterns?: string | string[], listener?: MessageListener<S>): Promise<void> {
    return this.#pubsub?.unsubscribe('pattern', patterns, listener as MessageListener<unknown>) ?? Promise.resolve();
  }

  sUnsubscribe(channels?: string | string[], listener?: MessageListener<S>): Promise<void> {
    return this.#pubsub?.unsubscribe('shard', channels, listener as MessageListener<unknown>) ?? Promise.resolve();
  }

  // ---- SCAN iterators ------------------------------------------------------------------------

  scanIterator(options?: ScanOptions): AsyncGenerator<S, void, undefined> {
    return scanAll((cursor) => this.scan(cursor, options) as Promise<[string, S[]]>);
  }

  hScanIterator(key: Key, options?: Omit<ScanOptions, 'TYPE'>): AsyncGenerator<{ field: string; value: S }, void, undefined> {
    const flat = scanAll((cursor) => this.hScan(key, cursor, options) as Promise<[string, S[]]>);
    return pairsOf(flat, (field, value) => ({ field: String(field), value }));
  }

  sScanIterator(key: Key, options?: Omit<ScanOptions, 'TYPE'>): AsyncGenerator<S, void, undefined> {
    return scanAll((cursor) => this.sScan(key, cursor, options) as Promise<[string, S[]]>);
  }

  zScanIterator(key: Key, options?: Omit<ScanOptions, 'TYPE'>): AsyncGenerator<{ value: S; score: number }, void, undefined> {
    const flat = scanAll((cursor) => this.zScan(key, cursor, options) as Promise<[string, S[]]>);
    return pairsOf(flat, (value, score) => ({ value, score: toNumberOrNull(score as RespValue)! }));
  }

  // ---- hooks and introspection ---------------------------------------------------------------

  addHook(hook: Hook): void {
    this.#hooks.add(hook);
  }

  removeHook(hook: Hook): boolean {
    return this.#hooks.remove(hook);
  }

  /** How often each hook member threw or rejected, e.g. `{ MyHook: { onCommandEnd: 2 } }`. */
  hookErrorCounts(): Record<string, Record<string, number>> {
    return this.#hooks.errorCounts();
  }

  /** Every connection of the client, with its role (shared, lease, pubsub, idle, retiring). */
  connections(): ConnectionInfo[] {
    return this.#pool.connections();
  }

  /** @internal The pool, for the maintenance subsystem (handoff swaps, relaxed timeouts). */
  get pool(): Pool {
    return this.#pool;
  }

  /** Batches of this client, sent by `sendAll`. */
  #executorFor(sendAll: Executor['sendAll']): Executor {
    const commandHooks = this.#commandHooks;
    return {
      returnBuffers: this.#options.returnBuffers,
      hooks: this.#hooks,
      get context() {
        return commandHooks.context;
      },
      sendAll,
    };
  }

  #sharedExecutor(): Executor {
    return this.#executorFor((commands, exclusive, settled) => {
      if (this.#state !== 'open') {
        for (const command of commands) command.fail(this.#notOpen());
      } else if (exclusive) {
        this.#sendOnLease(commands, settled);
      } else {
        for (const command of commands) this.#pool.dispatch(command);
      }
    });
  }

  /** Runs commands on a lease, released once `settled` (their last reply) is in. */
  #sendOnLease(commands: Command[], settled: Promise<unknown>): void {
    this.#pool.acquire('lease').then(
      (lease) => {
        lease.blocking = true;
        for (const command of commands) lease.send(command);
        const done = (): void => lease.release();
        settled.then(done, done);
      },
      (error: Error) => {
        for (const command of commands) command.fail(error);
      },
    );
  }

  /** Starts command hooks for `command` when any hook listens for command events. */
  #observe(command: Command): void {
    if (this.#hooks.table.commandHooks === true) this.#commandHooks.start(command);
  }

  #pubSub(): PubSub {
    if (this.#state !== 'open') throw this.#notOpen();
    this.#pubsub ??= new PubSub({
      acquire: () => this.#pool.acquire('pubsub'),
      returnBuffers: this.#options.returnBuffers,
      reconnect: this.#options.reconnect,
      hooks: this.#hooks,
      endpoint: () => this.#endpoint(),
      reportError: (error) => {
        const err = error instanceof Error ? error : new Error(String(error));
        if (this.listenerCount('error') > 0) this.emit('error', err);
        else nextTick(() => { throw err; });
      },
      resubscribed: () => this.emit('resubscribed'),
      observe: (command) => this.#observe(command),
    });
    return this.#pubsub;
  }

  #endpoint(): Endpoint {
    return this.#pool.shared.connection?.endpoint ?? this.#factory.target();
  }

  #notOpen(): ClientClosedError {
    return this.#state === 'new'
      ? new ClientClosedError('the client is not connected: call connect() first')
      : new ClientClosedError();
  }

  #emitIfListened<K extends 'error' | 'hookError'>(event: K, ...args: ClientEvents[K]): void {
    if (this.listenerCount(event) > 0) (this.emit as (e: K, ...a: ClientEvents[K]) => boolean)(event, ...args);
  }
}

/** The commands of a `watch()` callback: every typed command, bound to the watching connection. */
export class WatchScope<S extends string | Buffer = string> {
  readonly #executor: Executor;
  readonly #send: (command: Command) => void;

  constructor(executor: Executor, send: (command: Command) => void) {
    this.#executor = executor;
    this.#send = send;
  }

  /** A transaction on the watching connection; `exec()` resolves to null if a watched key changed. */
  multi(): Multi {
    return new Multi(this.#executor);
  }

  /** @internal */
  send(args: CommandArgument[], transform?: ReplyTransform): Promise<unknown> {
    const invalid = invalidArgument(args);
    if (invalid !== undefined) return Promise.reject(new InvalidArgumentError(`${String(args[0])}: ${invalid}`));
    const [command, reply] = createCommand(args, this.#executor.returnBuffers, transform);
    this.#send(command);
    return reply;
  }
}

installCommands<Client<string | Buffer>>(Client.prototype, COMMANDS, (self, args, transform) => self.execute(args, transform));
installCommands<WatchScope<string | Buffer>>(WatchScope.prototype, COMMANDS, (self, args, transform) => self.send(args, transform));

export interface Client<S extends string | Buffer = string> extends MethodsOf<Commands, S> {}
export interface WatchScope<S extends string | Buffer = string> extends MethodsOf<Commands, S> {}

export type { ScoredMember };

/** What every connection of a client shares. */
function connectionTemplate(o: ResolvedOptions): ConnectionTemplate {
  return {
    tls: o.tls, connectTimeout: o.connectTimeout, commandTimeout: o.commandTimeout, returnBuffers: o.returnBuffers, protocol: o.protocol,
    maxBulkLength: o.maxBulkLength, maxAggregateLength: o.maxAggregateLength, maxPendingCommands: o.maxPendingCommands,
    username: o.username, password: o.password, clientName: o.clientName, libName: o.libName, libVersion: o.libVersion, handshake: o.handshake,
  };
}

/** Creates a client. Throws ConfigError naming the field when an option is invalid. */
export function createClient(options: ClientOptions & { returnBuffers: true }): Client<Buffer>;
export function createClient(options?: ClientOptions | string): Client<string>;
export function createClient(options?: ClientOptions | string): Client<string> | Client<Buffer> {
  return new Client<string>(options);
}
