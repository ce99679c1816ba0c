/**
 * Circuit breakers for handoff dials, one per destination endpoint.
 *
 *   closed ──failureThreshold consecutive failures──▶ open
 *   open ──resetTimeout elapsed (noticed by tryAcquire, state, stats)──▶ half-open
 *   half-open ──maxRequests successes──▶ closed
 *   half-open ──any failure──▶ open (the reset timeout starts again)
 *   any ──reset()──▶ closed
 *
 * go-redis only ever asks "is it open?", so its breakers never reach half-open; here the open →
 * half-open move happens whenever the breaker is consulted. No timers: a breaker never keeps the
 * process alive.
 */

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
  /** Trial attempts a half-open breaker admits; that many successes close it. */
  maxRequests: number;
  /** The clock; default `Date.now`. */
  now?: () => number;
}

/** Called once per state change. A throwing listener is ignored. */
export type BreakerStateListener = (from: BreakerState, to: BreakerState, breaker: CircuitBreaker) => void;

/** The breaker of one endpoint: ask `tryAcquire()` before a dial, then record its outcome. */
export class CircuitBreaker {
  /** "host:port" of the destination. */
  readonly endpoint: string;
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  readonly #onStateChange: BreakerStateListener | undefined;
  #state: BreakerState = 'closed';
  #changedAt: number;
  #lastUsed: number;
  #failures = 0;
  #successes = 0;
  #requests = 0;
  #lastFailureTime: number | undefined;
  #lastSuccessTime: number | undefined;

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

  /** True when an attempt may go ahead: always when closed, never when open, up to maxRequests when half-open. */
  tryAcquire(): boolean {
    this.#lastUsed = this.#now();
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.#requests >= this.#options.maxRequests)) return false;
    this.#requests++;
    return true;
  }

  /** An attempt succeeded. A late result while open changes nothing but the time. */
  recordSuccess(): void {
    this.#lastUsed = this.#lastSuccessTime = this.#now();
    const state = this.state;
    if (state === 'open') return;
    this.#successes++;
    if (state === 'closed') this.#failures = 0;
    else if (this.#successes >= this.#options.maxRequests) this.#transition('closed');
  }

  /** An attempt failed. */
  recordFailure(): void {
    this.#lastUsed = this.#lastFailureTime = this.#now();
    const state = this.state;
    this.#failures++;
    if (state === 'half-open' || (state === 'closed' && this.#failures >= this.#options.failureThreshold)) this.#transition('open');
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

  /** Closes the breaker and zeroes its counters. */
  reset(): void {
    this.#lastUsed = this.#now();
    if (this.#state === 'closed') this.#failures = this.#successes = this.#requests = 0;
    else this.#transition('closed');
  }

  /**
   * True when nothing used this breaker (tryAcquire, record*, reset) for `idleMs` and forgetting it
   * loses nothing: an open breaker whose reset timeout still runs must be kept, or the endpoint
   * would be dialled again at once.
   */
  isIdle(idleMs: number): boolean {
    const now = this.#now();
    const stillRefusing = this.#state === 'open' && now - this.#changedAt < this.#options.resetTimeout;
    return !stillRefusing && now - this.#lastUsed >= idleMs;
  }

  #refresh(): void {
    if (this.#now() - this.#changedAt < this.#options.resetTimeout) return;
    if (this.#state === 'open') this.#transition('half-open');
    // A trial whose outcome was never recorded would otherwise hold the breaker half-open forever.
    else if (this.#state === 'half-open' && this.#requests >= this.#options.maxRequests) {
      this.#changedAt = this.#now();
      this.#requests = this.#successes;
    }
  }

  #transition(to: BreakerState): void {
    const from = this.#state;
    this.#state = to;
    this.#changedAt = this.#now();
    this.#successes = this.#requests = 0;
    if (to === 'closed') this.#failures = 0;
    try {
      this.#onStateChange?.(from, to, this);
    } catch {
      // A listener must not be able to break the breaker.
    }
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
