/**
 * Reconnection delays: exponential from `initialDelay`, capped at `maxDelay`, with full jitter on
 * the upper half (so a fleet of clients that lost the same server does not reconnect in step).
 */
export interface BackoffOptions {
  /** Milliseconds before the first retry. Default 50. */
  initialDelay: number;
  /** Upper bound in milliseconds. Default 2000. */
  maxDelay: number;
  /** Give up after this many failed attempts in a row (Infinity = never). Default Infinity. */
  maxAttempts: number;
}

/** Returns the delay before retry number `attempt` (1-based), or false to give up. */
export type ReconnectStrategy = (attempt: number, cause: Error | undefined) => number | false;

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = Object.freeze({ initialDelay: 50, maxDelay: 2000, maxAttempts: Infinity });

export function exponentialBackoff(options: BackoffOptions, random: () => number = Math.random): ReconnectStrategy {
  return (attempt) => {
    if (attempt > options.maxAttempts) return false;
    const ceiling = Math.min(options.maxDelay, options.initialDelay * 2 ** Math.min(attempt - 1, 30));
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  };
}
