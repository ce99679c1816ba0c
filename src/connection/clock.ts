import { performance } from 'node:perf_hooks';
import { nextTick } from 'node:process';

/** A moment shared by everything that reads the clock in one turn (or one socket read). */
export interface Instant {
  readonly time: number;
}

// `var`, not `let`: V8 guards every read of a module-level `let` against use before its
// declaration (a temporal-dead-zone check), and these are read twice per hooked command.
/** The current turn's instant; undefined once the turn (or the read) is over. */
var current: Instant | undefined;
/** A tick that ends the turn's timestamp is queued. */
var expiring = false;
/** Socket reads in progress (see `readStarted`): each one ends the timestamp itself. */
var reads = 0;

const expire = (): void => {
  expiring = false;
  current = undefined;
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
 *
 * It is an object, not a number: a command keeps a reference to the instant it started in,
 * because a number stored in an object field gets a heap box of its own per object, while the
 * instant is allocated once per turn and shared by every command of that turn.
 */
export function turnInstant(): Instant {
  // Only the first read of a turn reads the clock; this stays small enough for V8 to inline
  // wherever a hooked command reads the time.
  return current !== undefined ? current : readClock();
}

function readClock(): Instant {
  current = { time: performance.now() };
  if (reads === 0 && !expiring) {
    expiring = true;
    nextTick(expire);
  }
  return current;
}

/** A connection starts handling a socket read: replies answered in it share one timestamp. */
export function readStarted(): void {
  reads++;
}

/** The socket read is handled: the next timestamp is read anew. */
export function readEnded(): void {
  if (--reads === 0) current = undefined;
}
