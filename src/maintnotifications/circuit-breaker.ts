/**
 * Circuit breakers for handoff dials, one per destination endpoint.
 *
 *   closed ──failureThreshold consecutive failures──▶ open
 *   open ──resetTimeout elapsed (noticed by acquire, state, stats)──▶ half-open (maxRequests trials)
 *   open ──an attempt for a MOVING whose trial this endpoint has not had yet──▶ half-open (1 trial)
 *   half-open ──as many successes as trials──▶ closed
 *   half-open ──any failure──▶ open (the reset timeout starts again)
 *   any ──reset()──▶ closed
 *
 * Why a MOVING may open the way early: the breaker is there to stop hammering a dead endpoint, but
 * a MOVING is the server saying the endpoint is where the connection must be by time_s, after
 * which the old connection is closed under its commands. Refusing it for the rest of a 60 s reset
 * timeout turns a burst of failed dials (a target that refused for half a second) into lost
 * connections long after the target is back. So each MOVING (source endpoint and seq) gets at most
 * one trial dial per destination while the breaker is open, admitted at once; the others for that
 * endpoint wait for its outcome (`acquire` says `wait`, `settled()` tells when to ask again), then
 * go ahead if it closed the breaker or are refused if it re-opened it. A flood of pushes therefore
 * dials at most once per seq, and never more than one trial at a time per endpoint. The seq that
 * opened the breaker has not had a trial either (its dials were ordinary ones): its first retry is
 * the trial, which is what lets a target that refused for a moment be reached before time_s.
 *
 * go-redis only ever asks "is it open?", so its breakers never reach half-open, and an open one
 * refuses every MOVING until it is collected; here open → half-open happens whenever the breaker
 * is consulted, and a new MOVING admits its trial. An outcome counts only in the phase (state
 * stint) its attempt was admitted in, so a late failure of a dial from before the breaker opened
 * cannot fail the trial. No timers: a breaker never keeps the process alive.
 */
import { performance } from 'node:perf_hooks';
import type { CircuitBreakerChangeReason } from '../hooks/index.js';

/** Where a breaker is in its cycle. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** A snapshot of one breaker. Times are `Date.now()` milliseconds. */
export interface BreakerStats {
  /** "host:port" of the destination. */
  readonly endpoint: string;
  readonly state: BreakerState;
  /** Consecutive failures (zeroed by a success while closed and when the breaker closes). */
  readonly failures: number;
  /** Successes since the last state change. */
  readonly successes: number;
  /** Attempts admitted since the last state change. */
  readonly requests: number;
  readonly lastFailureTime: number | undefined;
  readonly lastSuccessTime: number | undefined;
}

/** How a breaker trips and recovers. Durations are milliseconds. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open a closed breaker. */
  failureThreshold: number;
  /** How long an open breaker refuses before it admits trial attempts. */
  resetTimeout: number;
  /** Trial attempts a breaker half-open after its reset timeout admits; that many successes close it. */
  maxRequests: number;
  /** The clock; default `Date.now`. */
  now?: () => number;
}

/** The MOVING an attempt follows: the endpoint that sent it ("host:port") and its seq. */
export interface MovingKey {
  readonly source: string;
  readonly seq: number;
}

/**
 * What `acquire` decided: go ahead (`admitted`), don't dial (`refused`), or ask again once the
 * half-open trials in flight have an outcome (`wait`, see `settled()`).
 */
export type Admission = 'admitted' | 'refused' | 'wait';

/** Why a breaker changed state (see `CircuitBreakerEvent.reason`). */
export type BreakerChangeReason = CircuitBreakerChangeReason;

/** Called once per state change. A throwing listener is ignored. */
export type BreakerStateListener = (from: BreakerState, to: BreakerState, breaker: CircuitBreaker, reason: BreakerChangeReason) => void;

/**
 * Resolves at `breaker`'s next outcome (`settled()`) or at `deadline` (`performance.now()`
 * milliseconds, a MOVING's time_s), whichever comes first: how long an attempt told to `wait`
 * waits before asking again. Its timer is unref'd and cleared when it resolves; `timers`, when
 * given, holds it meanwhile, so that whoever owns the wait can clear it (e.g. on close).
 */
export function settledBy(breaker: CircuitBreaker, deadline: number, timers?: Set<NodeJS.Timeout>): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      timers?.delete(timer);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, deadline - performance.now()));
    timer.unref();
    timers?.add(timer);
    void breaker.settled().then(done);
  });
}

/** Sources whose newest trial seq a breaker remembers (a client talks to a handful of nodes). */
const MAX_SOURCES = 64;

/**
 * The breaker of one endpoint: `acquire()` before a dial, note `phase`, then record the outcome
 * with that phase.
 */
export class CircuitBreaker {
  /** "host:port" of the destination. */
  readonly endpoint: string;
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  readonly #onStateChange: BreakerStateListener | undefined;
  #state: BreakerState = 'closed';
  #phase = 0;
  #changedAt: number;
  #lastUsed: number;
  #failures = 0;
  #successes = 0;
  #requests = 0;
  /** Trials the current half-open stint admits: maxRequests after the reset timeout, 1 for a MOVING. */
  #trials = 0;
  /** Per source endpoint, the newest MOVING seq that had its trial here (seqs are per server). */
  readonly #trialSeqs = new Map<string, number>();
  #lastFailureTime: number | undefined;
  #lastSuccessTime: number | undefined;
  #settled: Promise<void> | undefined;
  #settle: (() => void) | undefined;

  constructor(endpoint: string, options: CircuitBreakerOptions, onStateChange?: BreakerStateListener) {
    this.endpoint = endpoint;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#onStateChange = onStateChange;
    this.#changedAt = this.#lastUsed = this.#now();
  }

  /** The current state, after moving an open breaker whose reset timeout has passed to half-open. */
  get state(): BreakerState {
    this.#refresh();
    return this.#state;
  }

  /** Counts state changes: pass it to `recordSuccess`/`recordFailure` so a late outcome is not taken for a newer attempt's. */
  get phase(): number {
    return this.#phase;
  }

  /**
   * May an attempt go ahead? Always when closed; when half-open, while trials are left (else
   * `wait`); when open, only for a MOVING (`moving`) whose trial this endpoint has not had yet,
   * which half-opens the breaker for that one trial.
   */
  acquire(moving?: MovingKey): Admission {
    this.#lastUsed = this.#now();
    const state = this.state;
    if (state === 'open') {
      if (moving === undefined || !this.#claimTrial(moving)) return 'refused';
      this.#transition('half-open', 'trial-dial', 1);
    } else if (state === 'half-open' && this.#requests >= this.#trials) {
      return 'wait';
    }
    this.#requests++;
    return 'admitted';
  }

  /**
   * Resolves at the next recorded outcome, state change or reset: when an attempt told to `wait`
   * should ask again. It does not keep the process alive (no timer); an attempt whose outcome is
   * never recorded leaves it pending until the reset timeout's round restart is noticed.
   */
  settled(): Promise<void> {
    return (this.#settled ??= new Promise<void>((resolve) => (this.#settle = resolve)));
  }

  /** An attempt succeeded. A late result (open, or another phase than `phase`) changes nothing but the time. */
  recordSuccess(phase?: number): void {
    this.#lastUsed = this.#lastSuccessTime = this.#now();
    const state = this.state;
    if (state !== 'open' && (phase === undefined || phase === this.#phase)) {
      this.#successes++;
      if (state === 'closed') this.#failures = 0;
      else if (this.#successes >= this.#trials) this.#transition('closed', 'trials-succeeded');
    }
    this.#wake();
  }

  /** An attempt failed. A late result (another phase than `phase`) changes nothing but the time. */
  recordFailure(phase?: number): void {
    this.#lastUsed = this.#lastFailureTime = this.#now();
    const state = this.state;
    if (phase === undefined || phase === this.#phase) {
      this.#failures++;
      if (state === 'half-open') this.#transition('open', 'trial-failed');
      else if (state === 'closed' && this.#failures >= this.#options.failureThreshold) this.#transition('open', 'failure-threshold');
    }
    this.#wake();
  }

  /** A snapshot (it also performs a due open → half-open move). */
  stats(): BreakerStats {
    return {
      endpoint: this.endpoint,
      state: this.state,
      failures: this.#failures,
      successes: this.#successes,
      requests: this.#requests,
      lastFailureTime: this.#lastFailureTime,
      lastSuccessTime: this.#lastSuccessTime,
    };
  }

  /** Closes the breaker, zeroes its counters and forgets which MOVINGs had their trial. */
  reset(): void {
    this.#lastUsed = this.#now();
    this.#trialSeqs.clear();
    if (this.#state === 'closed') this.#failures = this.#successes = this.#requests = 0;
    else this.#transition('closed', 'reset');
    this.#wake();
  }

  /**
   * True when nothing used this breaker (acquire, record*, reset) for `idleMs` and forgetting it
   * loses nothing: an open breaker whose reset timeout still runs must be kept, or the endpoint
   * would be dialled again at once.
   */
  isIdle(idleMs: number): boolean {
    const now = this.#now();
    const stillRefusing = this.#state === 'open' && now - this.#changedAt < this.#options.resetTimeout;
    return !stillRefusing && now - this.#lastUsed >= idleMs;
  }

  /** True (and remembered) when `moving` is newer than the last MOVING from its source that had a trial here. */
  #claimTrial({ source, seq }: MovingKey): boolean {
    const last = this.#trialSeqs.get(source);
    if (last !== undefined && seq <= last) return false;
    this.#trialSeqs.delete(source);
    this.#trialSeqs.set(source, seq);
    // Oldest first: a source not heard from for longest is the one to forget.
    if (this.#trialSeqs.size > MAX_SOURCES) this.#trialSeqs.delete(this.#trialSeqs.keys().next().value as string);
    return true;
  }

  #refresh(): void {
    if (this.#now() - this.#changedAt < this.#options.resetTimeout) return;
    if (this.#state === 'open') this.#transition('half-open', 'reset-timeout', this.#options.maxRequests);
    // A trial whose outcome was never recorded would otherwise hold the breaker half-open forever.
    else if (this.#state === 'half-open' && this.#requests >= this.#trials) {
      this.#changedAt = this.#now();
      this.#requests = this.#successes;
      this.#wake();
    }
  }

  #transition(to: BreakerState, reason: BreakerChangeReason, trials = 0): void {
    const from = this.#state;
    this.#state = to;
    this.#phase++;
    this.#trials = trials;
    this.#changedAt = this.#now();
    this.#successes = this.#requests = 0;
    if (to === 'closed') this.#failures = 0;
    try {
      this.#onStateChange?.(from, to, this, reason);
    } catch {
      // A listener must not be able to break the breaker.
    }
    this.#wake();
  }

  #wake(): void {
    const settle = this.#settle;
    this.#settled = this.#settle = undefined;
    settle?.();
  }
}

/** Options of `CircuitBreakers`: the breaker options plus how long an unused breaker is kept. */
export interface CircuitBreakersOptions extends CircuitBreakerOptions {
  /** Breakers unused for this long (ms) are forgotten on the next `get`/`stats`. Default 30 minutes. */
  idleMs?: number;
}

const DEFAULT_IDLE_MS = 30 * 60_000;

/** The breakers of one client, keyed by "host:port", created on demand. */
export class CircuitBreakers {
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #options: CircuitBreakersOptions;
  readonly #onStateChange: BreakerStateListener | undefined;

  constructor(options: CircuitBreakersOptions, onStateChange?: BreakerStateListener) {
    this.#options = options;
    this.#onStateChange = onStateChange;
  }

  /** The breaker of `endpoint` ("host:port"). Fetch it for each attempt rather than keeping it: idle ones are forgotten. */
  get(endpoint: string): CircuitBreaker {
    this.#collect();
    let breaker = this.#breakers.get(endpoint);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(endpoint, this.#options, this.#onStateChange);
      this.#breakers.set(endpoint, breaker);
    }
    return breaker;
  }

  /** A snapshot of every breaker still kept. */
  stats(): BreakerStats[] {
    this.#collect();
    return [...this.#breakers.values()].map((breaker) => breaker.stats());
  }

  /** Closes every breaker (listeners see the change) and forgets them all. */
  reset(): void {
    for (const breaker of this.#breakers.values()) breaker.reset();
    this.#breakers.clear();
  }

  // A client has a handful of endpoints, so a sweep on each access is cheaper than a timer.
  #collect(): void {
    const idleMs = this.#options.idleMs ?? DEFAULT_IDLE_MS;
    for (const [endpoint, breaker] of this.#breakers) {
      if (breaker.isIdle(idleMs)) this.#breakers.delete(endpoint);
    }
  }
}
