/**
 * One socket to one Redis server, multiplexed: commands are written in order and replies matched
 * to them first-in first-out.
 *
 *   dial ──ok──▶ handshaking ──steps ok──▶ ready ──close()──▶ closing ──replies drained──▶ closed
 *     │               │                      │                                              ▲
 *     └─── fails ─────┴──────────────────────┴── socket error, server close, protocol error,┘
 *                                                 timeout, destroy()
 *
 * Writes are batched: every command sent during one event-loop turn goes out in one socket write
 * (flushed on process.nextTick, after the turn's promise continuations have queued theirs).
 * Commands are encoded only when written, so until then they can move to another connection
 * (`takeUnwritten`): that is how reconnects and handoffs lose nothing.
 *
 * Timeouts cover commands already written and waiting for their reply. When one expires, the
 * connection cannot know which reply comes next, so it is closed: the expired command and every
 * other written one fail with a TimeoutError naming them; unwritten ones go back to the owner.
 */
import type net from 'node:net';
import type tls from 'node:tls';
import { performance } from 'node:perf_hooks';
// Imported, not the globals, which are getters (see protocol/encoder.ts).
import { Buffer } from 'node:buffer';
import { nextTick } from 'node:process';
import { ClientClosedError, HitlessError } from '../errors.js';
import { CommandWriter, Decoder, ProtocolError, ReplyError, type RespValue } from '../protocol/index.js';
import { createCommand, DEFAULT_TIMEOUT, type Command } from './command.js';
import { dial } from './dial.js';
import { ConnectionError, TimeoutError } from './errors.js';
import { Fifo } from './fifo.js';
import type { HandshakeContext, HandshakeOptions, HandshakeStep } from './handshake.js';
import { readEnded, readStarted } from './clock.js';
import type { CloseReason, ConnectionEvents, ConnectionRole, Endpoint, HandshakeStepOutcome, PeerAddress } from './types.js';

export interface ConnectionOptions extends HandshakeOptions {
  host: string;
  port: number;
  tls: tls.ConnectionOptions | undefined;
  /** Milliseconds for TCP/TLS setup, and for each handshake reply. */
  connectTimeout: number;
  /** Milliseconds a written command waits for its reply; 0 = no limit. */
  commandTimeout: number;
  /** Decode bulk strings of push frames that arrive with no command pending as Buffers. */
  returnBuffers: boolean;
  /** Longest bulk string a reply may announce, in bytes; a longer header is a ProtocolError. */
  maxBulkLength: number;
  /** Largest count an aggregate header may announce (elements, or map entries). */
  maxAggregateLength: number;
  /**
   * Commands this connection holds at most, written and waiting for their reply or queued to be
   * written; the newest beyond it fail before being written, with ERR_PENDING_COMMANDS_FULL.
   */
  maxPendingCommands: number;
  handshake: readonly HandshakeStep[];
  /**
   * Sees every push frame of this connection first, from the moment it is dialled (the handshake
   * included: a server replays an open maintenance window right after the opt-in). Returns true
   * when it consumed the frame; others go to the owner.
   */
  interceptPush?: ((connection: Connection, frame: RespValue[]) => boolean) | undefined;
}

/** The pool (or whoever holds the connection) hears about pushes and the close through this. */
export interface ConnectionOwner {
  /** A push frame that is not the confirmation of a pending SUBSCRIBE-family command. */
  onPush(connection: Connection, frame: RespValue[]): void;
  /**
   * Called once when the connection closes, for any reason. Written commands have already failed;
   * take the unwritten ones here with `takeUnwritten()` or they fail too.
   */
  onClose(connection: Connection, reason: CloseReason, error: Error | undefined): void;
}

export type ConnectionState = 'handshaking' | 'ready' | 'closing' | 'closed';

const PUBSUB_CONFIRMATIONS = new Set(['subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe']);
const PUBSUB_MESSAGES = new Set(['message', 'pmessage', 'smessage']);

let nextConnectionId = 1;

export class Connection {
  readonly id: number;
  readonly endpoint: Endpoint;
  readonly role: ConnectionRole;
  /** The socket's remote end: the IP and port reached (`endpoint` is what was dialled). */
  readonly peer: PeerAddress | undefined;
  /** `performance.now()` when the socket was established. */
  readonly createdAt: number;
  owner: ConnectionOwner;
  /** The database this connection has selected. */
  db: number;
  #state: ConnectionState = 'handshaking';
  #protocol: 2 | 3 = 3;
  readonly #socket: net.Socket;
  readonly #events: ConnectionEvents;
  readonly #decoder: Decoder;
  readonly #writer = new CommandWriter();
  #unwritten: Command[] = [];
  readonly #written = new Fifo<Command>();
  #flushScheduled = false;
  #holds = 0;
  readonly #commandTimeout: number;
  readonly #maxPendingCommands: number;
  readonly #returnBuffers: boolean;
  readonly #relaxations: number[] = [];
  #relaxedTimeout = 0;
  /** The last relaxed timeout, kept for commands written before its window closed (see effectiveTimeout). */
  #graceTimeout = 0;
  #graceWrittenBefore = 0;
  readonly #interceptPush: ConnectionOptions['interceptPush'];
  readonly #tls: boolean;
  readonly #stepStates = new Map<HandshakeStep, unknown>();
  #timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (performance.now() time). */
  #timerDeadline = 0;
  #resp2Subscribed = false;
  #created = false;
  #closeReason: CloseReason = 'application_close';
  readonly #closed: Promise<void>;
  #markClosed!: () => void;
  #drained: Promise<void> | undefined;
  #markDrained: (() => void) | undefined;

  /**
   * Dials, runs the handshake, and resolves with a ready connection (or rejects, having closed
   * it). Aborting `signal` gives up at any point before that, closing whatever was opened.
   */
  static async open(options: ConnectionOptions, owner: ConnectionOwner, events: ConnectionEvents, role: ConnectionRole, signal?: AbortSignal): Promise<Connection> {
    const id = nextConnectionId++;
    const server: Endpoint = { host: options.host, port: options.port };
    const started = performance.now();
    let socket: net.Socket;
    try {
      socket = await dial(options, signal);
    } catch (error) {
      events.dialed({ connectionId: id, server, tls: options.tls !== undefined, duration: performance.now() - started, error: error as Error });
      throw error;
    }
    events.dialed({ connectionId: id, server, tls: options.tls !== undefined, duration: performance.now() - started, error: undefined });
    const connection = new Connection(id, socket, options, owner, events, role);
    const abandon = (): void => connection.destroy(
      new ConnectionError(`the handshake with ${connection.#address} was abandoned: the client is closing`, 'ERR_CONNECTION_ABORTED'), 'application_close',
    );
    signal?.addEventListener('abort', abandon, { once: true });
    try {
      if (signal?.aborted) abandon();
      await connection.#handshake(options);
    } finally {
      signal?.removeEventListener('abort', abandon);
    }
    return connection;
  }

  private constructor(id: number, socket: net.Socket, options: ConnectionOptions, owner: ConnectionOwner, events: ConnectionEvents, role: ConnectionRole) {
    this.id = id;
    this.endpoint = { host: options.host, port: options.port };
    this.role = role;
    const { remoteAddress, remotePort } = socket;
    this.peer = remoteAddress === undefined || remotePort === undefined ? undefined : { address: remoteAddress, port: remotePort };
    this.owner = owner;
    this.db = options.db;
    this.createdAt = performance.now();
    this.#socket = socket;
    this.#events = events;
    this.#commandTimeout = options.commandTimeout;
    this.#maxPendingCommands = options.maxPendingCommands;
    this.#returnBuffers = options.returnBuffers;
    this.#interceptPush = options.interceptPush;
    this.#tls = options.tls !== undefined;
    this.#closed = new Promise((resolve) => (this.#markClosed = resolve));
    this.#decoder = new Decoder({
      onReply: (value) => this.#reply(value),
      onPush: (frame) => this.#push(frame),
      onError: (error) => this.destroy(new ProtocolError(`${this.#address} broke the protocol: ${error.message}`), 'error'),
    }, { maxBulkLength: options.maxBulkLength, maxAggregateLength: options.maxAggregateLength });
    socket.on('data', (chunk: Buffer) => {
      // Replies answered in one read share one hook timestamp, without a tick to expire it.
      readStarted();
      try {
        this.#decoder.feed(chunk);
      } finally {
        readEnded();
      }
    });
    socket.on('drain', () => this.#flush());
    socket.on('error', (error) =>
      this.destroy(new ConnectionError(`connection to ${this.#address} failed: ${error.message}`, 'ERR_CONNECTION', { cause: error }), 'error'),
    );
    socket.on('close', () => {
      if (this.#state === 'closing') this.destroy(undefined, this.#closeReason);
      else this.destroy(new ConnectionError(`connection to ${this.#address} was closed by the server`, 'ERR_CONNECTION_CLOSED'), 'server_close');
    });
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get protocol(): 2 | 3 {
    return this.#protocol;
  }

  /** Commands written and waiting for their reply. */
  get pendingReplies(): number {
    return this.#written.length;
  }

  /** Commands accepted but not written yet. */
  get queuedCommands(): number {
    return this.#unwritten.length;
  }

  /** Resolves once the connection is closed, however that happened. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** What a handshake step kept for this connection (`HandshakeContext.state`), if anything. */
  handshakeState(step: HandshakeStep): unknown {
    return this.#stepStates.get(step);
  }

  get #address(): string {
    return `${this.endpoint.host}:${this.endpoint.port}`;
  }

  /** Queues a command; it is written with the rest of this event-loop turn's commands. */
  send(command: Command): void {
    if (this.#state === 'closed' || this.#state === 'closing') return this.#refuse(command);
    this.#unwritten.push(command);
    if (!this.#flushScheduled) this.#scheduleFlush();
  }

  /** Once per turn at most: kept out of `send` so that V8 inlines `send` into the command path. */
  #scheduleFlush(): void {
    if (this.#holds !== 0) return;
    this.#flushScheduled = true;
    nextTick(flushConnection, this);
  }

  /** Out of `send`, the path of every command, so that V8 can inline that one. */
  #refuse(command: Command): void {
    command.fail(new ConnectionError(`connection to ${this.#address} is closed`, 'ERR_CONNECTION_CLOSED'));
  }

  /**
   * A server that stops answering must not make the process hold every command issued meanwhile:
   * the newest commands beyond maxPendingCommands fail instead of being written. Checked once per
   * write (every turn, also while the socket waits for 'drain'; a connection held for a handoff
   * applies it when released), not per command in `send`.
   */
  #refuseBeyondBound(): void {
    const room = Math.max(0, this.#maxPendingCommands - this.#written.length);
    for (const command of this.#unwritten.splice(room)) {
      command.fail(new ConnectionError(
        `${command.name} rejected: ${this.#maxPendingCommands} commands already wait on the connection to ${this.#address} (maxPendingCommands)`,
        'ERR_PENDING_COMMANDS_FULL',
      ));
    }
  }

  /** Removes and returns the commands not written yet, in order (to send them elsewhere). */
  takeUnwritten(): Command[] {
    const taken = this.#unwritten;
    this.#unwritten = [];
    return taken;
  }

  /** Stops writing until the returned release is called (a handoff holds the new connection until the old one drains). */
  hold(): () => void {
    this.#holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#holds === 0 && this.#unwritten.length > 0) this.#flush();
    };
  }

  /**
   * Relaxes the command timeout while the returned function is not called: the effective timeout
   * becomes max(normal, relaxedMs); commands without a timeout stay without one. Windows nest.
   */
  relaxTimeouts(relaxedMs: number): () => void {
    this.#relaxations.push(relaxedMs);
    this.#relaxedTimeout = Math.max(this.#relaxedTimeout, relaxedMs);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#relaxations.splice(this.#relaxations.indexOf(relaxedMs), 1);
      const before = this.#relaxedTimeout;
      this.#relaxedTimeout = this.#relaxations.length === 0 ? 0 : Math.max(...this.#relaxations);
      if (this.#relaxedTimeout < before) {
        this.#graceTimeout = before;
        this.#graceWrittenBefore = performance.now();
      }
      this.#rearmTimer();
    };
  }

  /**
   * The timeout a command gets here now, in milliseconds (0 = none). A command written while a
   * relaxed window was open keeps that window's timeout after it closes: it was sent expecting
   * the slow server, and failing it the instant the window ends would be the very error the
   * relaxation exists to prevent.
   */
  effectiveTimeout(command: Command): number {
    const base = command.timeout === DEFAULT_TIMEOUT ? this.#commandTimeout : command.timeout;
    if (base === 0) return 0;
    const relaxed = command.writtenAt < this.#graceWrittenBefore && this.#graceTimeout > this.#relaxedTimeout ? this.#graceTimeout : this.#relaxedTimeout;
    return relaxed > base ? relaxed : base;
  }

  /**
   * Resolves once every written command has its reply (or the connection is closed); meant for a
   * connection that is closing, whose last replies a successor waits for.
   */
  get drained(): Promise<void> {
    if (this.#state === 'closed' || (this.#state === 'closing' && this.#written.length === 0 && this.#unwritten.length === 0)) return Promise.resolve();
    this.#drained ??= new Promise((resolve) => (this.#markDrained = resolve));
    return this.#drained;
  }

  /** Graceful close: writes what is queued, waits for every pending reply, then ends the socket. */
  close(reason: CloseReason = 'application_close'): Promise<void> {
    if (this.#state === 'closed' || this.#state === 'closing') return this.#closed;
    this.#state = 'closing';
    this.#closeReason = reason;
    this.#flush();
    this.#endIfDrained();
    return this.#closed;
  }

  /** Closes now. Written commands fail with `error` (or a ConnectionError); see ConnectionOwner.onClose. */
  destroy(error: Error | undefined, reason: CloseReason): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#timer);
    this.#socket.destroy();
    this.#decoder.reset();
    for (let command = this.#written.shift(); command !== undefined; command = this.#written.shift()) {
      command.fail(this.#writtenCommandError(command, error));
    }
    // Reported before the owner reacts (e.g. starts reconnecting), so hooks see cause before effect.
    if (this.#created) {
      this.#events.closed({ connectionId: this.id, server: this.endpoint, role: this.role, reason, error, lifetime: performance.now() - this.createdAt });
    }
    this.#markDrained?.();
    this.owner.onClose(this, reason, error);
    const left = this.takeUnwritten();
    for (const command of left) {
      command.fail(error ?? new ConnectionError(`connection to ${this.#address} is closed`, 'ERR_CONNECTION_CLOSED'));
    }
    this.#markClosed();
  }

  #writtenCommandError(command: Command, cause: Error | undefined): Error {
    // These say all there is to say, whatever was written: a broken server, a closed or closing client.
    if (cause instanceof ProtocolError || cause instanceof ClientClosedError || (cause instanceof ConnectionError && cause.code === 'ERR_CONNECTION_ABORTED')) {
      return cause;
    }
    if (cause instanceof TimeoutError) {
      if (command.name === cause.command && command.writtenAt + cause.timeout <= performance.now()) return cause;
      return new TimeoutError(
        `${command.name} was written to ${this.#address}, whose connection was reset after ${cause.command} timed out; its reply is unknown`,
        command.name, cause.timeout,
      );
    }
    // Its own code: unlike a command refused by a closed connection, this one reached the socket,
    // so the server may have run it; retrying a non-idempotent command is the caller's call.
    return new ConnectionError(
      `connection to ${this.#address} was lost while ${command.name} waited for its reply; it may or may not have run${cause ? `: ${cause.message}` : ''}`,
      'ERR_CONNECTION_LOST', { cause },
    );
  }

  /** Writes every queued command in one socket write. Called on nextTick, on drain and on release. */
  flush(): void {
    this.#flushScheduled = false;
    this.#flush();
  }

  #flush(): void {
    if (this.#holds > 0 || this.#unwritten.length === 0 || this.#state === 'closed') return;
    if (this.#written.length + this.#unwritten.length > this.#maxPendingCommands) {
      this.#refuseBeyondBound();
      if (this.#unwritten.length === 0) return;
    }
    if (this.#socket.writableNeedDrain) return;
    const batch = this.#unwritten;
    this.#unwritten = [];
    const wasIdle = this.#written.length === 0;
    const now = performance.now();
    for (let i = 0; i < batch.length; i++) {
      const command = batch[i]!;
      this.#writer.append(command.args);
      command.writtenAt = now;
      command.writtenTo = this;
      if (command.confirmations > 0 && this.#protocol === 2) this.#resp2Subscribed = true;
      this.#written.push(command);
    }
    if (wasIdle) this.#decoder.returnBuffers = batch[0]!.returnBuffers;
    const out = this.#writer.take();
    if (typeof out === 'string') {
      this.#socket.write(out);
    } else {
      this.#socket.cork();
      for (const chunk of out) this.#socket.write(chunk);
      this.#socket.uncork();
    }
    this.#watch(this.#written.peek()!);
  }

  #reply(value: RespValue): void {
    const head = this.#written.peek();
    if (this.#resp2Subscribed && Array.isArray(value) && this.#isResp2PubSubFrame(value, head)) return;
    if (head === undefined) {
      this.destroy(new ProtocolError(`${this.#address} sent a reply with no command waiting for it`), 'error');
      return;
    }
    this.#written.shift();
    const next = this.#written.peek();
    if (next !== undefined) {
      this.#decoder.returnBuffers = next.returnBuffers;
      this.#watch(next);
    } else {
      this.#decoder.returnBuffers = this.#returnBuffers;
    }
    if (value instanceof ReplyError) {
      value.command = head.name;
      head.fail(value);
    } else {
      head.succeed(value);
    }
    if (this.#state === 'closing') this.#endIfDrained();
  }

  #push(frame: RespValue[]): void {
    if (this.#protocol === 2) {
      // RESP2 has no push type: a server that sends one is not speaking the protocol it agreed to.
      this.destroy(new ProtocolError(`${this.#address} sent a push frame (${describeKind(frame)}) on a RESP2 connection`), 'error');
      return;
    }
    if (this.#interceptPush !== undefined && this.#interceptPush(this, frame)) return;
    const kind = frameKind(frame);
    if (PUBSUB_CONFIRMATIONS.has(kind) && this.#confirm(kind, frame)) return;
    this.owner.onPush(this, frame);
  }

  /** RESP2 has no push type: on a subscribed connection, messages and confirmations arrive as arrays. */
  #isResp2PubSubFrame(value: RespValue[], head: Command | undefined): boolean {
    const kind = frameKind(value);
    if (PUBSUB_MESSAGES.has(kind)) {
      this.owner.onPush(this, value);
      return true;
    }
    if (PUBSUB_CONFIRMATIONS.has(kind) && head !== undefined && head.confirmations > 1) {
      head.confirmations--;
      return true;
    }
    return false;
  }

  /** Counts a SUBSCRIBE-family confirmation against the command waiting for it. */
  #confirm(kind: string, frame: RespValue[]): boolean {
    const head = this.#written.peek();
    if (head === undefined || head.confirmations === 0 || head.name.toLowerCase() !== kind) return false;
    if (--head.confirmations === 0) {
      this.#written.shift();
      head.succeed(frame);
    }
    return true;
  }

  #endIfDrained(): void {
    if (this.#written.length !== 0 || this.#unwritten.length !== 0) return;
    this.#markDrained?.();
    this.#socket.end();
  }

  /**
   * Makes sure the timer fires by `command`'s deadline. One timer serves the whole connection: it
   * is only moved earlier, never per reply, so uniform timeouts cost no timer churn.
   */
  #watch(command: Command): void {
    const timeout = this.effectiveTimeout(command);
    if (timeout === 0) return;
    const deadline = command.writtenAt + timeout;
    if (this.#timer !== undefined && this.#timerDeadline <= deadline) return;
    clearTimeout(this.#timer);
    this.#timerDeadline = deadline;
    this.#timer = setTimeout(onTimer, Math.max(1, deadline - performance.now()), this);
    this.#timer.unref();
  }

  #rearmTimer(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const head = this.#written.peek();
    if (this.#state !== 'closed' && head !== undefined) this.#watch(head);
  }

  /** The timer fires for the oldest written command; replies that came meanwhile just move it on. */
  checkTimeout(): void {
    this.#timer = undefined;
    if (this.#state === 'closed') return;
    const head = this.#written.peek();
    if (head === undefined) return;
    const timeout = this.effectiveTimeout(head);
    if (timeout !== 0 && performance.now() - head.writtenAt >= timeout) {
      this.destroy(new TimeoutError(`${head.name} got no reply from ${this.#address} within ${timeout} ms`, head.name, timeout), 'error');
    } else {
      this.#watch(head);
    }
  }

  async #handshake(options: ConnectionOptions): Promise<void> {
    const started = performance.now();
    const steps: HandshakeStepOutcome[] = [];
    let current: HandshakeStep | undefined;
    let skipped: string | undefined;
    const stepStates = this.#stepStates;
    const context: HandshakeContext = {
      options,
      endpoint: this.endpoint,
      connectionId: this.id,
      role: this.role,
      tls: this.#tls,
      protocol: options.protocol,
      send: (args) => {
        const [command, reply] = createCommand(args, false, undefined, options.connectTimeout);
        this.send(command);
        return reply as Promise<RespValue>;
      },
      skip: (reason) => {
        skipped = reason;
      },
      get state() {
        return current === undefined ? undefined : stepStates.get(current);
      },
      set state(value: unknown) {
        if (current !== undefined) stepStates.set(current, value);
      },
    };
    let failure: Error | undefined;
    for (const step of options.handshake) {
      const stepStarted = performance.now();
      current = step;
      skipped = undefined;
      try {
        await step.run(context);
        this.#protocol = context.protocol;
        steps.push({ name: step.name, duration: performance.now() - stepStarted, error: undefined, skipped });
      } catch (error) {
        failure = error instanceof Error ? error : new Error(String(error));
        steps.push({ name: step.name, duration: performance.now() - stepStarted, error: failure, skipped: undefined });
        break;
      }
    }
    current = undefined;
    this.#events.handshaken({ connectionId: this.id, server: this.endpoint, protocol: this.#protocol, steps, duration: performance.now() - started, error: failure });
    if (failure !== undefined) {
      // The project's own errors (a timeout, a refused opt-in) and the server's say what went wrong
      // already; a handshake command lost with its socket is a connection that could not be made
      // (the commands waiting for it were never written), not a command that may have run.
      const lost = failure instanceof ConnectionError && failure.code === 'ERR_CONNECTION_LOST';
      const error = lost
        ? new ConnectionError(`cannot connect to ${this.#address}: the connection was lost during the handshake (${steps[steps.length - 1]?.name ?? 'handshake'})`, 'ERR_CONNECTION', { cause: failure })
        : failure instanceof ReplyError || failure instanceof HitlessError
          ? failure
          : new ConnectionError(`handshake with ${this.#address} failed: ${failure.message}`, 'ERR_HANDSHAKE', { cause: failure });
      this.destroy(error, 'error');
      throw error;
    }
    if (this.#state !== 'handshaking') {
      throw new ConnectionError(`connection to ${this.#address} closed during the handshake`, 'ERR_CONNECTION_CLOSED');
    }
    this.#state = 'ready';
    this.#created = true;
    this.#events.created({ connectionId: this.id, server: this.endpoint, role: this.role, peer: this.peer });
  }
}

function flushConnection(connection: Connection): void {
  connection.flush();
}

function onTimer(connection: Connection): void {
  connection.checkTimeout();
}

/** The push's kind for an error message, cut short: it comes from a server we no longer trust. */
function describeKind(frame: RespValue[]): string {
  const kind = frameKind(frame);
  return kind === '' ? 'no kind' : JSON.stringify(kind.length > 40 ? `${kind.slice(0, 40)}…` : kind);
}

function frameKind(frame: RespValue[]): string {
  const first = frame[0];
  if (typeof first === 'string') return first.toLowerCase();
  if (Buffer.isBuffer(first)) return first.toString().toLowerCase();
  return '';
}
