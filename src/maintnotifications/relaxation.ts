/**
 * Relaxed timeouts of one connection, one window per reason. MIGRATING, FAILING_OVER and
 * SMIGRATING open a window; their completions close it (a completion without a window, or a
 * second one, does nothing). Every window also has a backstop: it closes by itself after
 * `maxDuration` ms, so a completion the server never sends cannot leave a connection relaxed
 * forever. A second start of an open window only moves its backstop later.
 *
 * The connection applies max(normal, relaxed) and keeps "no timeout" unbounded; a command
 * written while a window was open keeps the relaxed timeout after it closes (Connection).
 */
import { performance } from 'node:perf_hooks';
import type { Connection } from '../connection/index.js';
import type { RelaxationReason, TimeoutUnrelaxedEvent } from '../hooks/index.js';

export interface RelaxationEvents {
  relaxed(connection: Connection, reason: RelaxationReason, timeout: number, maxDuration: number): void;
  unrelaxed(connection: Connection, reason: RelaxationReason, cause: TimeoutUnrelaxedEvent['cause'], duration: number): void;
}

interface Window {
  readonly timeout: number;
  readonly openedAt: number;
  /** performance.now() when the backstop fires. */
  endsAt: number;
  timer: NodeJS.Timeout;
  release: () => void;
}

/** A window as `getState()` reports it. */
export interface RelaxationInfo {
  readonly reason: RelaxationReason;
  readonly timeout: number;
  /** Milliseconds until the backstop closes it. */
  readonly remaining: number;
}

export class Relaxations {
  readonly #connection: Connection;
  readonly #events: RelaxationEvents;
  readonly #windows = new Map<RelaxationReason, Window>();

  constructor(connection: Connection, events: RelaxationEvents) {
    this.#connection = connection;
    this.#events = events;
  }

  get size(): number {
    return this.#windows.size;
  }

  /** Opens the window for `reason`, or moves an open one's backstop later. */
  open(reason: RelaxationReason, timeout: number, maxDuration: number): void {
    const endsAt = performance.now() + maxDuration;
    const open = this.#windows.get(reason);
    if (open !== undefined) {
      if (endsAt > open.endsAt) {
        clearTimeout(open.timer);
        open.endsAt = endsAt;
        open.timer = this.#backstop(reason, maxDuration);
      }
      return;
    }
    this.#windows.set(reason, {
      timeout, openedAt: performance.now(), endsAt, timer: this.#backstop(reason, maxDuration), release: this.#connection.relaxTimeouts(timeout),
    });
    this.#events.relaxed(this.#connection, reason, timeout, maxDuration);
  }

  /** Closes the window for `reason`; false when none was open. */
  close(reason: RelaxationReason, cause: TimeoutUnrelaxedEvent['cause']): boolean {
    const window = this.#windows.get(reason);
    if (window === undefined) return false;
    this.#windows.delete(reason);
    clearTimeout(window.timer);
    window.release();
    this.#events.unrelaxed(this.#connection, reason, cause, performance.now() - window.openedAt);
    return true;
  }

  closeAll(cause: TimeoutUnrelaxedEvent['cause']): void {
    for (const reason of [...this.#windows.keys()]) this.close(reason, cause);
  }

  /** The open windows, to re-open on a connection that replaces this one. */
  info(): RelaxationInfo[] {
    const now = performance.now();
    return [...this.#windows].map(([reason, w]) => ({ reason, timeout: w.timeout, remaining: Math.max(0, w.endsAt - now) }));
  }

  #backstop(reason: RelaxationReason, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => this.close(reason, 'deadline'), ms);
    timer.unref();
    return timer;
  }
}
