import { performance } from 'node:perf_hooks';

let cached = -1;
const expire = (): void => {
  cached = -1;
};

/**
 * `performance.now()` read once per event-loop turn (the value expires in a microtask). Every
 * command issued, or answered, in the same synchronous run shares the timestamp: reading the
 * clock per command costs more than the hook that wants it, and replies of one socket read
 * arrive at the same moment anyway. Durations therefore have event-loop-turn resolution.
 */
export function turnNow(): number {
  if (cached < 0) {
    cached = performance.now();
    queueMicrotask(expire);
  }
  return cached;
}
