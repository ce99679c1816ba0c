import { performance } from 'node:perf_hooks';

let cached = 0;
/** `cached` belongs to the current turn. */
let fresh = false;
/** A tick that ends the turn's timestamp is queued. */
let expiring = false;
/** Socket reads in progress (see `readStarted`): each one ends the timestamp itself. */
let reads = 0;

const expire = (): void => {
  expiring = false;
  fresh = false;
};

/**
 * `performance.now()` read about once per event-loop turn. Every command issued, or answered, in
 * the same turn shares the timestamp: reading the clock per command costs more than the hook
 * that wants it, and the replies of one socket read arrive at the same moment anyway. Durations
 * therefore have event-loop-turn resolution.
 *
 * The value expires on process.nextTick, not in a microtask: resolving a reply queues its
 * caller's continuation first, so a microtask would expire the clock after every command, while
 * a tick scheduled from the continuations runs only once they have all run. Inside a socket read
 * no tick is needed: the read ends the timestamp when it returns (a tick costs more than the rest
 * of a hooked command's bookkeeping on Node 26).
 */
export function turnNow(): number {
  if (!fresh) {
    cached = performance.now();
    fresh = true;
    if (reads === 0 && !expiring) {
      expiring = true;
      process.nextTick(expire);
    }
  }
  return cached;
}

/** A connection starts handling a socket read: replies answered in it share one timestamp. */
export function readStarted(): void {
  reads++;
}

/** The socket read is handled: the next timestamp is read anew. */
export function readEnded(): void {
  if (--reads === 0) fresh = false;
}
