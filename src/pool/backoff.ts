import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionRole, Endpoint } from '../connection/index.js';
import type { HookChain } from '../hooks/index.js';

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

export type RetryOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly stopped: boolean; readonly attempts: number; readonly cause: Error | undefined };

export interface RetryOptions<T> {
  strategy: ReconnectStrategy;
  /** Why a retry is needed at all (the failure that started the loop). */
  cause: Error | undefined;
  /** Aborting it ends the loop at once, also in the middle of a wait (close, destroy). */
  signal: AbortSignal;
  hooks: HookChain;
  role: ConnectionRole;
  endpoint: Endpoint;
  /** Told before each wait, after the strategy chose its delay. */
  onAttempt?(attempt: number, delay: number, cause: Error | undefined): void;
  /** One try; a rejection becomes the next attempt's cause. */
  attempt(): Promise<T>;
}

/**
 * The reconnect loop of everything that reconnects (the shared connection, pub/sub): ask the
 * strategy for a delay, report the attempt to the hooks, wait, try. Ends with the value of the
 * first successful try, when the strategy gives up, or when `signal` is aborted.
 */
export async function retryWithBackoff<T>(options: RetryOptions<T>): Promise<RetryOutcome<T>> {
  const { signal, hooks } = options;
  let cause = options.cause;
  for (let attempt = 1; ; attempt++) {
    const delay = options.strategy(attempt, cause);
    if (delay === false) return { ok: false, stopped: false, attempts: attempt - 1, cause };
    options.onAttempt?.(attempt, delay, cause);
    const listeners = hooks.table.onReconnectAttempt;
    if (listeners.length > 0) {
      hooks.emit(listeners, 'onReconnectAttempt', { server: options.endpoint, role: options.role, attempt, delay, cause });
    }
    try {
      await sleep(delay, undefined, { signal });
      return { ok: true, value: await options.attempt() };
    } catch (error) {
      if (signal.aborted) return { ok: false, stopped: true, attempts: attempt, cause };
      cause = error as Error;
    }
  }
}
