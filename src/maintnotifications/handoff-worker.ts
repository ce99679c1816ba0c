/**
 * Moves connections to the endpoint a MOVING announced, in the background: a bounded FIFO queue
 * served by at most `maxWorkers` concurrent handoffs, started on demand (a worker is an async
 * loop that ends when the queue is empty). One handoff dials the new endpoint and runs the full
 * handshake while the old connection keeps serving, then asks the pool to swap.
 *
 * Failures: a dial or handshake that fails (or takes longer than `handoffTimeout`) counts against
 * the destination's circuit breaker and is retried, up to `maxHandoffRetries` attempts in all and
 * never past the MOVING's deadline (after it the server closes the old connection anyway). An open
 * breaker fails the handoff at once, unless this MOVING has not had its trial dial there yet (see
 * circuit-breaker.ts); while a half-open breaker's trial is out, the other handoffs to that
 * endpoint are held (not dialled, not failed) until it has an outcome or their deadline passes. A
 * failed handoff leaves the old connection serving; when the server closes it, ordinary
 * reconnection takes over. Everything a handoff opened is closed on every failure path.
 */
import { performance } from 'node:perf_hooks';
import type { Connection, Endpoint } from '../connection/index.js';
import type { HandoffStage } from '../hooks/index.js';
import { settledBy, type CircuitBreaker, type CircuitBreakers } from './circuit-breaker.js';
import { HandoffError } from './errors.js';
import { endpointKey, type HandoffPool, type SwapResult } from './interfaces.js';

/**
 * Where a request is: an event stage, or `waiting` (a MOVING without an endpoint waits
 * floor(time_s / 2) s before it is queued).
 */
export type RequestStage = HandoffStage | 'waiting';

/** One connection to move. */
export interface HandoffRequest {
  readonly connection: Connection;
  readonly target: Endpoint;
  readonly seq: number;
  /** performance.now() when the MOVING arrived. */
  readonly receivedAt: number;
  /** performance.now() when the server will close the old connection (MOVING's time_s). */
  readonly deadline: number;
  /** Dials so far. */
  attempt: number;
  stage: RequestStage;
}

export interface HandoffWorkerOptions {
  maxWorkers: number;
  queueSize: number;
  /** Milliseconds one attempt (dial and handshake) may take. */
  handoffTimeout: number;
  maxHandoffRetries: number;
  /**
   * The least time the old shared connection gets for its last replies, however close the
   * MOVING's deadline (a time_s of 0 must not fail commands the server is still answering).
   */
  minDrainTime: number;
}

export interface HandoffWorkerEvents {
  /** Every stage change of a request (`queued` is reported by whoever enqueues). */
  stage(request: HandoffRequest, replacement: Connection | undefined, error: Error | undefined): void;
  /** A replacement is ready and about to be swapped in: give it what the old connection had. */
  prepare(request: HandoffRequest, replacement: Connection): void;
}

/** Closed or closing: nothing left to hand off. */
function gone(connection: Connection): boolean {
  return connection.state === 'closed' || connection.state === 'closing';
}

/** Delay before retry `attempt` (1-based): 500 ms doubling, at most 5 s. */
export function retryDelay(attempt: number): number {
  return Math.min(500 * 2 ** (attempt - 1), 5000);
}

export class HandoffWorker {
  readonly #options: HandoffWorkerOptions;
  readonly #pool: HandoffPool;
  readonly #breakers: CircuitBreakers;
  readonly #events: HandoffWorkerEvents;
  readonly #queue: HandoffRequest[] = [];
  readonly #retries = new Set<NodeJS.Timeout>();
  /** Handoffs between their `started` and their end (or retry). */
  readonly #dialling = new Set<HandoffRequest>();
  /** Handoffs held until their endpoint's half-open trial has an outcome. */
  readonly #held = new Set<HandoffRequest>();
  #active = 0;
  #closed = false;

  constructor(options: HandoffWorkerOptions, pool: HandoffPool, breakers: CircuitBreakers, events: HandoffWorkerEvents) {
    this.#options = options;
    this.#pool = pool;
    this.#breakers = breakers;
    this.#events = events;
  }

  /** Requests waiting for a worker. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Handoffs dialling or handshaking now. */
  get active(): number {
    return this.#dialling.size;
  }

  /** Workers running (each handles one handoff at a time). */
  get workers(): number {
    return this.#active;
  }

  /** Queues a request; false when the queue is full or the worker is closed. */
  enqueue(request: HandoffRequest): boolean {
    if (this.#closed || this.#queue.length >= this.#options.queueSize) return false;
    this.#queue.push(request);
    this.#pump();
    return true;
  }

  /** Handoffs held while their endpoint's half-open trial dial is out. */
  get held(): number {
    return this.#held.size;
  }

  /** Drops what is queued, held and waiting to retry; attempts in flight close what they open. */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#held.clear();
    for (const timer of this.#retries) clearTimeout(timer);
    this.#retries.clear();
  }

  #pump(): void {
    while (!this.#closed && this.#active < this.#options.maxWorkers && this.#queue.length > 0) {
      this.#active++;
      void this.#work();
    }
  }

  /** One worker: handoffs one after another until the queue is empty. */
  async #work(): Promise<void> {
    try {
      for (let request = this.#queue.shift(); request !== undefined; request = this.#queue.shift()) {
        await this.#attempt(request);
        if (this.#closed) break;
      }
    } finally {
      this.#active--;
    }
  }

  async #attempt(request: HandoffRequest): Promise<void> {
    const { connection, target } = request;
    if (gone(connection)) {
      return this.#fail(request, new HandoffError(
        `connection ${connection.id} to ${endpointKey(connection.endpoint)} closed before it could be handed off; ordinary reconnection takes over`,
        'ERR_HANDOFF_CONNECTION_CLOSED',
      ));
    }
    const breaker = this.#breakers.get(endpointKey(target));
    const admission = breaker.acquire({ source: endpointKey(connection.endpoint), seq: request.seq });
    if (admission === 'wait' && performance.now() < request.deadline) return this.#hold(request, breaker);
    if (admission !== 'admitted') {
      return this.#fail(request, new HandoffError(
        admission === 'wait'
          ? `the circuit breaker for ${endpointKey(target)} is half-open and its trial dial did not report back before the MOVING deadline; not dialling it`
          : `the circuit breaker for ${endpointKey(target)} is open after repeated failed handoffs, and this MOVING (seq ${request.seq}) already had its trial dial; not dialling it`,
        'ERR_HANDOFF_CIRCUIT_OPEN',
      ));
    }
    const phase = breaker.phase;
    request.attempt++;
    this.#setStage(request, 'started', undefined, undefined);
    let replacement: Connection;
    try {
      replacement = await this.#open(request);
    } catch (error) {
      breaker.recordFailure(phase);
      return this.#retryOrFail(request, error as Error);
    }
    breaker.recordSuccess(phase);
    if (this.#closed || gone(connection)) {
      replacement.destroy(undefined, 'application_close');
      return this.#fail(request, new HandoffError(
        `connection ${connection.id} closed while its replacement was dialled; ordinary reconnection takes over`,
        'ERR_HANDOFF_CONNECTION_CLOSED',
      ));
    }
    this.#events.prepare(request, replacement);
    let result: SwapResult;
    try {
      result = this.#pool.swap(connection.id, replacement, Math.max(this.#options.minDrainTime, request.deadline - performance.now()));
    } catch (error) {
      replacement.destroy(undefined, 'application_close');
      return this.#fail(request, new HandoffError(`connection ${connection.id} could not be swapped: ${(error as Error).message}`, 'ERR_HANDOFF_CONNECTION_CLOSED', { cause: error }));
    }
    if (result === 'not-found') {
      replacement.destroy(undefined, 'application_close');
      return this.#fail(request, new HandoffError(`connection ${connection.id} is no longer in the pool; nothing to hand off`, 'ERR_HANDOFF_CONNECTION_CLOSED'));
    }
    this.#setStage(request, 'succeeded', replacement, undefined);
  }

  /** Dials and handshakes the replacement within handoffTimeout; a late one is closed on arrival. */
  #open(request: HandoffRequest): Promise<Connection> {
    const { handoffTimeout } = this.#options;
    const opening = this.#pool.open(request.connection.role, { endpoint: request.target, connectTimeout: handoffTimeout });
    return new Promise<Connection>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new HandoffError(`handoff to ${endpointKey(request.target)} took longer than handoffTimeout (${handoffTimeout} ms)`, 'ERR_HANDOFF_TIMEOUT'));
        void opening.then((late) => late.destroy(undefined, 'application_close'), () => undefined);
      }, handoffTimeout);
      timer.unref();
      opening.then(
        (connection) => {
          clearTimeout(timer);
          resolve(connection);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /**
   * Holds a request until its endpoint's breaker has an outcome for the trial in flight (or the
   * MOVING's deadline passes), then queues it again: the breaker then admits or refuses it. No
   * worker is kept busy meanwhile, and at most one request per connection is ever held.
   */
  #hold(request: HandoffRequest, breaker: CircuitBreaker): void {
    this.#held.add(request);
    this.#setStage(request, 'held', undefined, undefined);
    void settledBy(breaker, request.deadline, this.#retries).then(() => {
      if (!this.#held.delete(request)) return; // dropped by close()
      if (!this.enqueue(request)) {
        this.#fail(request, new HandoffError(`the handoff queue is full (${this.#options.queueSize}); the handoff to ${endpointKey(request.target)} held for a trial dial dropped`, 'ERR_HANDOFF_QUEUE_FULL'));
      }
    });
  }

  #retryOrFail(request: HandoffRequest, error: Error): void {
    const delay = retryDelay(request.attempt);
    const last = request.attempt >= this.#options.maxHandoffRetries;
    if (this.#closed || last || performance.now() + delay >= request.deadline) {
      const why = last ? `after ${request.attempt} attempts` : 'before the MOVING deadline';
      this.#fail(request, new HandoffError(`handoff to ${endpointKey(request.target)} failed ${why}: ${error.message}`, 'ERR_HANDOFF_FAILED', { cause: error }));
      return;
    }
    this.#setStage(request, 'retried', undefined, error);
    const timer = setTimeout(() => {
      this.#retries.delete(timer);
      if (!this.enqueue(request)) {
        this.#fail(request, new HandoffError(`the handoff queue is full (${this.#options.queueSize}); retry of the handoff to ${endpointKey(request.target)} dropped`, 'ERR_HANDOFF_QUEUE_FULL'));
      }
    }, delay);
    timer.unref();
    this.#retries.add(timer);
  }

  #fail(request: HandoffRequest, error: Error): void {
    this.#setStage(request, 'failed', undefined, error);
  }

  #setStage(request: HandoffRequest, stage: HandoffStage, replacement: Connection | undefined, error: Error | undefined): void {
    request.stage = stage;
    if (stage === 'started') this.#dialling.add(request);
    else this.#dialling.delete(request);
    this.#events.stage(request, replacement, error);
  }
}
