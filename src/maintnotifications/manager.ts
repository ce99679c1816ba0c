/**
 * The maintenance manager of one client. Every connection's push frames pass through
 * `interceptPush` first (the connection factory installs it), from the moment the connection is
 * dialled; a maintenance notification is handled there and then, on a busy or an idle connection
 * alike:
 *
 *   push frame ─▶ parse and validate ─▶ notification pre-hooks (may rewrite or stop)
 *              ─▶ handler (relax / end a window / hand off) ─▶ post-hooks ─▶ hook events
 *
 * State is kept per connection (relaxed windows, the MOVING being acted on) and per endpoint
 * (where a MOVING redirected new connections, which servers lack the feature, a circuit breaker
 * per destination), never client-wide, so one client can later talk to many nodes.
 */
import { performance } from 'node:perf_hooks';
import type { Connection, ConnectionPolicy, Endpoint, HandshakeContext, HandshakeStep, OpenOptions } from '../connection/index.js';
import { hookName, type HookChain, type NotificationOutcome, type NotificationReceivedEvent } from '../hooks/index.js';
import type { RespValue } from '../protocol/index.js';
import { CircuitBreakers, settledBy, type BreakerStats } from './circuit-breaker.js';
import type { MaintMode, MaintNotificationsConfig, ResolvedEndpointType } from './config.js';
import { detectEndpointType } from './endpoint-type.js';
import { HandoffError } from './errors.js';
import { dialable, handle, type HandlerHost, type HandlerResult } from './handlers.js';
import { HandoffWorker, type HandoffRequest } from './handoff-worker.js';
import { endpointKey, type HandoffPool } from './interfaces.js';
import { notificationType, parseNotification, type MovingNotification, type Notification } from './notification.js';
import { runPostHooks, runPreHooks, type NotificationContext, type NotificationHook } from './notification-hooks.js';
import { optInStep, type OptInState } from './opt-in.js';
import { Relaxations, type RelaxationInfo } from './relaxation.js';

/** One connection's maintenance state, as `getState()` reports it. */
export interface ConnectionMaintenanceInfo {
  readonly connectionId: number;
  readonly server: Endpoint;
  readonly role: Connection['role'];
  /** The server accepted CLIENT MAINT_NOTIFICATIONS on this connection. */
  readonly optedIn: boolean;
  readonly relaxed: readonly RelaxationInfo[];
  /** The MOVING this connection is being (or was) handed off for. */
  readonly handoff: { readonly seq: number; readonly to: Endpoint; readonly stage: HandoffRequest['stage']; readonly attempt: number } | undefined;
}

/** A MOVING in progress: new connections to `from` go to `to` until it ends. */
export interface RedirectInfo {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly seq: number;
  /** Milliseconds until the window ends. */
  readonly remaining: number;
}

export interface MaintenanceState {
  readonly mode: Exclude<MaintMode, 'disabled'>;
  /** The endpoint type asked for; undefined until the first connection asked. */
  readonly endpointType: ResolvedEndpointType | undefined;
  readonly connections: readonly ConnectionMaintenanceInfo[];
  readonly redirects: readonly RedirectInfo[];
  /** Servers found without maintenance notifications (auto mode goes on without them there). */
  readonly fallbacks: readonly Endpoint[];
  readonly handoffs: { readonly queued: number; readonly active: number; readonly maxWorkers: number; readonly queueSize: number };
}

/** A handoff not finished yet (queued, dialling, or waiting to retry). */
export interface ActiveOperation {
  readonly seq: number;
  readonly connectionId: number;
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly stage: HandoffRequest['stage'];
  readonly attempt: number;
  /** Milliseconds since the MOVING arrived. */
  readonly elapsed: number;
  /** Milliseconds until the server closes the old connection. */
  readonly remaining: number;
}

/** `client.maintNotifications`: policies and introspection. */
export interface MaintNotifications {
  readonly mode: Exclude<MaintMode, 'disabled'>;
  addNotificationHook(hook: NotificationHook): void;
  removeNotificationHook(hook: NotificationHook): boolean;
  getState(): MaintenanceState;
  getActiveOperations(): ActiveOperation[];
  getCircuitBreakerStats(): BreakerStats[];
  resetCircuitBreakers(): void;
}

interface ConnectionMaintenance {
  readonly connection: Connection;
  readonly relaxations: Relaxations;
  /** The newest MOVING seen here: an older or equal one is a duplicate or stale. */
  lastMovingSeq: number;
  handoff: HandoffRequest | undefined;
  /** A MOVING reached the connection during its handshake: it reopens at the target before use. */
  reopen: boolean;
  /** A MOVING without an endpoint waits time_s / 2 before handing off. */
  delay: NodeJS.Timeout | undefined;
}

interface Redirect {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly seq: number;
  readonly until: number;
}

/** Handoff failures that say the target itself does not work (not that the connection went away). */
const UNREACHABLE: ReadonlySet<string> = new Set(['ERR_HANDOFF_FAILED', 'ERR_HANDOFF_CIRCUIT_OPEN', 'ERR_HANDOFF_TIMEOUT']);

/** Redirects chained further than this are taken as a loop. */
const MAX_REDIRECT_HOPS = 8;

export interface ManagerOptions {
  readonly hooks: HookChain;
  /** The endpoint the client was configured with. */
  readonly configured: Endpoint;
  /** Whether the client connects over TLS (auto endpoint type: TLS → fqdn). */
  readonly tls: boolean;
}

export class MaintNotificationsManager implements MaintNotifications, ConnectionPolicy, HandlerHost {
  readonly config: MaintNotificationsConfig;
  readonly mode: Exclude<MaintMode, 'disabled'>;
  /** The opt-in, for the client's handshake. */
  readonly step: HandshakeStep;
  readonly #hooks: HookChain;
  readonly #configured: Endpoint;
  readonly #tls: boolean;
  readonly #breakers: CircuitBreakers;
  readonly #states = new Map<Connection, ConnectionMaintenance>();
  readonly #redirects = new Map<string, Redirect>();
  readonly #lacking = new Map<string, Endpoint>();
  readonly #active = new Map<HandoffRequest, true>();
  #notificationHooks: readonly NotificationHook[] = [];
  #endpointType: Promise<ResolvedEndpointType> | undefined;
  #resolvedEndpointType: ResolvedEndpointType | undefined;
  #worker: HandoffWorker | undefined;
  #closed = false;

  constructor(config: MaintNotificationsConfig, options: ManagerOptions) {
    if (config.mode === 'disabled') throw new RangeError('a maintenance manager is only made when notifications are not disabled');
    this.config = config;
    this.mode = config.mode;
    this.#hooks = options.hooks;
    this.#configured = options.configured;
    this.#tls = options.tls;
    this.#breakers = new CircuitBreakers(
      { failureThreshold: config.circuitBreakerFailureThreshold, resetTimeout: config.circuitBreakerResetTimeout, maxRequests: config.circuitBreakerMaxRequests },
      (from, to, breaker, reason) => this.#hooks.dispatch('onCircuitBreakerStateChange', { endpoint: breaker.endpoint, from, to, reason, failures: breaker.stats().failures }),
    );
    this.step = optInStep({
      mode: this.mode,
      endpointType: () => this.#detectEndpointType(),
      lacksFeature: (server) => this.#lacking.has(endpointKey(server)),
      fellBack: (context, reason, error) => this.#fellBack(context, reason, error),
    });
  }

  /** Connects the manager to the pool it hands connections off in (done once, by the client). */
  attach(pool: HandoffPool): void {
    this.#worker = new HandoffWorker(
      {
        maxWorkers: this.config.maxWorkers, queueSize: this.config.handoffQueueSize, handoffTimeout: this.config.handoffTimeout,
        maxHandoffRetries: this.config.maxHandoffRetries, minDrainTime: this.config.relaxedTimeout,
      },
      pool,
      this.#breakers,
      {
        stage: (request, replacement, error) => this.#handoffStage(request, replacement, error),
        prepare: (request, replacement) => this.#prepare(request, replacement),
      },
    );
  }

  // ---- what the connection factory calls ----------------------------------------------------

  /** Every push frame of every connection comes here first; true = a maintenance notification, handled. */
  readonly interceptPush = (connection: Connection, frame: RespValue[]): boolean => {
    const type = notificationType(frame);
    if (type === undefined) return false;
    this.#handle(connection, type, frame);
    return true;
  };

  /** Where a MOVING window sends new connections meant for `endpoint`, following chained moves. */
  redirect(endpoint: Endpoint): Endpoint | undefined {
    const now = performance.now();
    let current = endpoint;
    for (let hop = 0; hop < MAX_REDIRECT_HOPS; hop++) {
      const key = endpointKey(current);
      const redirect = this.#redirects.get(key);
      if (redirect === undefined) break;
      if (redirect.until <= now) {
        this.#redirects.delete(key);
        break;
      }
      current = redirect.to;
    }
    return current === endpoint ? undefined : current;
  }

  /** A connection is ready: remember whether it opted in, and reopen it if a MOVING reached it during its handshake. */
  opened(connection: Connection, reopen: (options: OpenOptions) => Promise<Connection>): Promise<Connection> | undefined {
    if ((connection.handshakeState(this.step) as OptInState | undefined)?.optedIn === true) this.#stateOf(connection);
    const state = this.#states.get(connection);
    if (state?.reopen !== true || state.handoff === undefined) return undefined;
    return this.#reopen(state.handoff, connection, reopen);
  }

  // ---- the public API ------------------------------------------------------------------------

  addNotificationHook(hook: NotificationHook): void {
    if (typeof hook !== 'object' || hook === null) throw new TypeError('a notification hook is an object with preHook and/or postHook');
    if (!this.#notificationHooks.includes(hook)) this.#notificationHooks = [...this.#notificationHooks, hook];
  }

  removeNotificationHook(hook: NotificationHook): boolean {
    const before = this.#notificationHooks.length;
    this.#notificationHooks = this.#notificationHooks.filter((h) => h !== hook);
    return this.#notificationHooks.length !== before;
  }

  getState(): MaintenanceState {
    const now = performance.now();
    const connections = [...this.#states.values()].map((state): ConnectionMaintenanceInfo => {
      const { connection, handoff } = state;
      return {
        connectionId: connection.id,
        server: connection.endpoint,
        role: connection.role,
        optedIn: (connection.handshakeState(this.step) as OptInState | undefined)?.optedIn === true,
        relaxed: state.relaxations.info(),
        handoff: handoff && { seq: handoff.seq, to: handoff.target, stage: handoff.stage, attempt: handoff.attempt },
      };
    });
    const redirects = [...this.#redirects.values()]
      .filter((r) => r.until > now)
      .map((r) => ({ from: r.from, to: r.to, seq: r.seq, remaining: r.until - now }));
    return {
      mode: this.mode,
      endpointType: this.#resolvedEndpointType,
      connections,
      redirects,
      fallbacks: [...this.#lacking.values()],
      handoffs: { queued: this.#worker?.queued ?? 0, active: this.#worker?.active ?? 0, maxWorkers: this.config.maxWorkers, queueSize: this.config.handoffQueueSize },
    };
  }

  getActiveOperations(): ActiveOperation[] {
    const now = performance.now();
    return [...this.#active.keys()].map((r) => ({
      seq: r.seq, connectionId: r.connection.id, from: r.connection.endpoint, to: r.target, stage: r.stage, attempt: r.attempt,
      elapsed: now - r.receivedAt, remaining: Math.max(0, r.deadline - now),
    }));
  }

  getCircuitBreakerStats(): BreakerStats[] {
    return this.#breakers.stats();
  }

  resetCircuitBreakers(): void {
    this.#breakers.reset();
  }

  /** Stops handing off: queued and delayed handoffs are dropped, dials in flight close what they open. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#worker?.close();
    for (const state of this.#states.values()) clearTimeout(state.delay);
    this.#active.clear();
    this.#redirects.clear();
  }

  // ---- the handler host ----------------------------------------------------------------------

  relaxations(connection: Connection): Relaxations {
    return this.#stateOf(connection).relaxations;
  }

  moving(connection: Connection, notification: MovingNotification): HandlerResult {
    const state = this.#stateOf(connection);
    if (connection.state === 'closed' || connection.state === 'closing') return { outcome: 'ignored', detail: 'the connection is closing' };
    if (notification.seq <= state.lastMovingSeq) {
      return { outcome: 'ignored', detail: `seq ${notification.seq} is not newer than the MOVING already seen here (seq ${state.lastMovingSeq})` };
    }
    state.lastMovingSeq = notification.seq;
    if (state.handoff !== undefined) return { outcome: 'ignored', detail: `the connection is already being handed off (seq ${state.handoff.seq})` };
    const target = notification.endpoint ?? this.#configured;
    if (!dialable(target)) {
      return { outcome: 'failed', detail: 'a notification hook rewrote the endpoint into one that cannot be dialled', error: new HandoffError(`MOVING to ${JSON.stringify(target)}: not a dialable endpoint`, 'ERR_HANDOFF_INVALID_ENDPOINT') };
    }
    // The server names where this connection already is (a proxy that stays, a MOVING meant for
    // other connections): there is nothing to move, and reconnecting would only drop its commands.
    if (notification.endpoint !== null && endpointKey(target) === endpointKey(connection.endpoint)) {
      return { outcome: 'ignored', detail: `the connection already uses ${endpointKey(target)}` };
    }
    const receivedAt = performance.now();
    const delay = notification.endpoint === null ? Math.floor(Math.max(0, notification.timeS) / 2) * 1000 : 0;
    const request: HandoffRequest = {
      connection, target, seq: notification.seq, receivedAt, deadline: receivedAt + Math.max(0, notification.timeS) * 1000, attempt: 0,
      stage: delay > 0 ? 'waiting' : 'queued',
    };
    if (notification.endpoint !== null && this.config.allowedEndpoints !== undefined && !this.#allowed(target)) {
      const error = new HandoffError(`MOVING to ${endpointKey(target)} refused: the endpoint is not in allowedEndpoints`, 'ERR_HANDOFF_NOT_ALLOWED');
      request.stage = 'refused';
      this.#emitHandoff(request, undefined, error);
      return { outcome: 'refused', detail: error.message, error };
    }
    if (notification.endpoint !== null) this.#redirectNew(connection.endpoint, target, request);
    state.handoff = request;
    if (connection.state === 'handshaking' && notification.endpoint !== null) {
      state.reopen = true;
      return { outcome: 'handled', detail: `the connection is still opening: it reopens at ${endpointKey(target)} before use` };
    }
    if (delay > 0) {
      this.#active.set(request, true);
      state.delay = setTimeout(() => this.#enqueue(request), delay);
      state.delay.unref();
      return { outcome: 'handled', detail: `hands off to the configured endpoint ${endpointKey(target)} in ${delay} ms` };
    }
    const error = this.#enqueue(request);
    return error === undefined ? { outcome: 'handled' } : { outcome: 'failed', detail: error.message, error };
  }

  // ---- internals ----------------------------------------------------------------------------

  #handle(connection: Connection, type: string, frame: RespValue[]): void {
    const started = performance.now();
    const seq = typeof frame[1] === 'number' ? frame[1] : undefined;
    const received: NotificationReceivedEvent = { connectionId: connection.id, server: connection.endpoint, peer: connection.peer, role: connection.role, type, seq, frame };
    this.#hooks.dispatch('onNotificationReceived', received);
    let parsed: Notification;
    try {
      parsed = parseNotification(frame);
    } catch (error) {
      this.#handled(received, 'invalid', (error as Error).message, error as Error, started);
      return;
    }
    const context: NotificationContext = { connectionId: connection.id, server: connection.endpoint, role: connection.role, frame };
    const hooks = this.#notificationHooks;
    const { notification, stoppedBy } = runPreHooks(hooks, this.#hooks, context, parsed);
    if (stoppedBy !== undefined) {
      this.#handled(received, 'stopped', `stopped by the notification hook ${hookName(stoppedBy)}`, undefined, started);
      return;
    }
    const result: HandlerResult = this.#closed ? { outcome: 'ignored', detail: 'the client is closing' } : handle(this, connection, notification);
    runPostHooks(hooks, this.#hooks, context, notification, {
      outcome: result.outcome, detail: result.detail, error: result.error, duration: performance.now() - started,
    });
    this.#handled(received, result.outcome, result.detail, result.error, started);
  }

  #handled(received: NotificationReceivedEvent, outcome: NotificationOutcome, detail: string | undefined, error: Error | undefined, started: number): void {
    if (this.#hooks.table.onNotificationHandled.length === 0) return;
    this.#hooks.dispatch('onNotificationHandled', { ...received, outcome, detail, error, duration: performance.now() - started });
  }

  #stateOf(connection: Connection): ConnectionMaintenance {
    let state = this.#states.get(connection);
    if (state !== undefined) return state;
    state = {
      connection,
      relaxations: new Relaxations(connection, {
        relaxed: (c, reason, timeout, maxDuration) => this.#hooks.dispatch('onTimeoutRelaxed', { connectionId: c.id, server: c.endpoint, reason, timeout, maxDuration }),
        unrelaxed: (c, reason, cause, duration) => this.#hooks.dispatch('onTimeoutUnrelaxed', { connectionId: c.id, server: c.endpoint, reason, cause, duration }),
      }),
      lastMovingSeq: -1,
      handoff: undefined,
      reopen: false,
      delay: undefined,
    };
    this.#states.set(connection, state);
    const forget = (): void => this.#forget(connection);
    void connection.closed.then(forget);
    return state;
  }

  #forget(connection: Connection): void {
    const state = this.#states.get(connection);
    if (state === undefined) return;
    this.#states.delete(connection);
    clearTimeout(state.delay);
    state.relaxations.closeAll('closed');
  }

  #allowed(endpoint: Endpoint): boolean {
    try {
      return this.config.allowedEndpoints?.(endpoint) ?? true;
    } catch {
      // A throwing predicate allows nothing: following an unchecked MOVING is the riskier choice.
      return false;
    }
  }

  /** New connections meant for `from` go to the target until the MOVING's deadline (DNS lags the move). */
  #redirectNew(from: Endpoint, to: Endpoint, request: HandoffRequest): void {
    const key = endpointKey(from);
    const current = this.#redirects.get(key);
    if (current !== undefined && current.seq > request.seq && current.until > performance.now()) return;
    if (endpointKey(to) === key) return;
    this.#redirects.set(key, { from, to, seq: request.seq, until: request.deadline });
  }

  /** Queues the handoff; returns the error when it cannot be queued. */
  #enqueue(request: HandoffRequest): Error | undefined {
    if (this.#closed || this.#worker === undefined) return new HandoffError('the client is closing; no handoff', 'ERR_HANDOFF_CONNECTION_CLOSED');
    request.stage = 'queued';
    this.#active.set(request, true);
    this.#emitHandoff(request, undefined, undefined);
    if (this.#worker.enqueue(request)) return undefined;
    const error = new HandoffError(
      `the handoff queue is full (${this.config.handoffQueueSize}): connection ${request.connection.id} stays where it is until the server closes it, then reconnects`,
      'ERR_HANDOFF_QUEUE_FULL',
    );
    request.stage = 'failed';
    this.#handoffStage(request, undefined, error);
    return error;
  }

  #handoffStage(request: HandoffRequest, replacement: Connection | undefined, error: Error | undefined): void {
    this.#emitHandoff(request, replacement, error);
    if (request.stage !== 'succeeded' && request.stage !== 'failed') return;
    this.#active.delete(request);
    // A failed handoff frees the connection for a newer MOVING; a successful one is final.
    const state = this.#states.get(request.connection);
    if (request.stage === 'failed' && state?.handoff === request) state.handoff = undefined;
    // An endpoint that cannot be reached (or handshaken) is no place to send new connections either.
    if (request.stage === 'failed' && UNREACHABLE.has((error as { code?: string } | undefined)?.code ?? '')) this.#dropRedirectsTo(request.target);
  }

  #dropRedirectsTo(target: Endpoint): void {
    const key = endpointKey(target);
    for (const [from, redirect] of this.#redirects) {
      if (endpointKey(redirect.to) === key) this.#redirects.delete(from);
    }
  }

  /** Gives a replacement the post-handoff window, the windows its predecessor still had open, and its MOVING seq. */
  #prepare(request: HandoffRequest, replacement: Connection): void {
    const state = this.#stateOf(replacement);
    // The event that moved it, replayed on the new connection, is stale there too.
    state.lastMovingSeq = Math.max(state.lastMovingSeq, request.seq);
    const relaxations = state.relaxations;
    const { relaxedTimeout, postHandoffRelaxedDuration } = this.config;
    if (postHandoffRelaxedDuration > 0) relaxations.open('HANDOFF', relaxedTimeout, postHandoffRelaxedDuration);
    for (const window of this.#states.get(request.connection)?.relaxations.info() ?? []) {
      if (window.reason !== 'HANDOFF' && window.remaining > 0) relaxations.open(window.reason, window.timeout, window.remaining);
    }
  }

  /** A MOVING reached a connection during its handshake: open one at the target instead, before anyone uses it. */
  async #reopen(request: HandoffRequest, connection: Connection, reopen: (options: OpenOptions) => Promise<Connection>): Promise<Connection> {
    this.#active.set(request, true);
    let breaker = this.#breakers.get(endpointKey(request.target));
    const moving = { source: endpointKey(connection.endpoint), seq: request.seq };
    let admission = breaker.acquire(moving);
    // Another handoff's trial dial is out: its outcome decides (asked once more, by time_s at the latest).
    if (admission === 'wait') {
      request.stage = 'held';
      this.#emitHandoff(request, undefined, undefined);
      await settledBy(breaker, request.deadline);
      // Fetched again: resetCircuitBreakers() may have replaced it meanwhile.
      breaker = this.#breakers.get(endpointKey(request.target));
      admission = breaker.acquire(moving);
    }
    if (admission !== 'admitted') {
      request.stage = 'failed';
      this.#handoffStage(request, undefined, new HandoffError(
        `the circuit breaker for ${endpointKey(request.target)} is open after repeated failed handoffs${admission === 'wait' ? ' (a trial dial is out)' : ''}; connection ${connection.id} stays where it is`,
        'ERR_HANDOFF_CIRCUIT_OPEN',
      ));
      return connection;
    }
    const phase = breaker.phase;
    request.attempt = 1;
    request.stage = 'started';
    this.#emitHandoff(request, undefined, undefined);
    try {
      const replacement = await reopen({ endpoint: request.target, connectTimeout: this.config.handoffTimeout });
      breaker.recordSuccess(phase);
      this.#prepare(request, replacement);
      void connection.close('handoff');
      request.stage = 'succeeded';
      this.#handoffStage(request, replacement, undefined);
      return replacement;
    } catch (error) {
      breaker.recordFailure(phase);
      // The connection it came from still works until the server closes it.
      request.stage = 'failed';
      this.#handoffStage(request, undefined, error as Error);
      return connection;
    }
  }

  #emitHandoff(request: HandoffRequest, replacement: Connection | undefined, error: Error | undefined): void {
    const { connection, stage } = request;
    if (this.#hooks.table.onHandoff.length === 0 || stage === 'waiting') return;
    this.#hooks.dispatch('onHandoff', {
      stage, connectionId: connection.id, role: connection.role, from: connection.endpoint, to: request.target, seq: request.seq,
      attempt: request.attempt, duration: performance.now() - request.receivedAt, replacementId: replacement?.id, error,
      queued: this.#worker?.queued ?? 0, active: this.#worker?.active ?? 0,
    });
  }

  #detectEndpointType(): Promise<ResolvedEndpointType> {
    this.#endpointType ??= (this.config.endpointType === 'auto'
      ? detectEndpointType(this.#configured.host, this.#tls)
      : Promise.resolve(this.config.endpointType)
    ).then((type) => (this.#resolvedEndpointType = type));
    return this.#endpointType;
  }

  #fellBack(context: HandshakeContext, reason: string, error: Error | undefined): void {
    const key = endpointKey(context.endpoint);
    if (this.#lacking.has(key)) return;
    this.#lacking.set(key, context.endpoint);
    this.#hooks.dispatch('onMaintenanceFallback', { connectionId: context.connectionId, server: context.endpoint, reason, error });
  }
}
