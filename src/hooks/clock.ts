import { performance } from 'node:perf_hooks';

let cached = -1;
const expire = (): void => {
  cached = -1;
};

/**
 * `performance.now()` read about once per event-loop turn. Every command issued, or answered, in
 * the same turn shares the timestamp: reading the clock per command costs more than the hook
 * that wants it, and the replies of one socket read arrive at the same moment anyway. Durations
 * therefore have event-loop-turn resolution.
 *
 * The value expires on process.nextTick, not in a microtask: resolving a reply queues its
 * caller's continuation first, so a microtask would expire the clock after every command, while
 * a tick scheduled from the continuations runs only once they have all run.
 */
export function turnNow(): number {
  if (cached < 0) {
    cached = performance.now();
    process.nextTick(expire);
  }
  return cached;
}
