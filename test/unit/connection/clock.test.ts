import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { readEnded, readStarted, turnInstant } from '../../../src/connection/clock.js';

const turnNow = (): number => turnInstant().time;

/** Spins until the real clock has moved past `t` (no timer: the turn must not end). */
function clockPasses(t: number): void {
  while (performance.now() <= t + 0.05);
}

describe('turnInstant', () => {
  it('is one shared object for the whole turn, so commands keep a reference instead of a boxed number', () => {
    expect(turnInstant()).toBe(turnInstant());
  });

  it('gives one timestamp for the whole synchronous turn', () => {
    const first = turnNow();
    clockPasses(first);
    expect(turnNow()).toBe(first);
  });

  it('reads the clock anew in the next turn (expiry on process.nextTick)', async () => {
    const first = turnNow();
    clockPasses(first);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(turnNow()).toBeGreaterThan(first);
  });

  it('inside a socket read, shares one timestamp and ends it when the read ends', () => {
    readStarted();
    let inside: number;
    try {
      inside = turnNow();
      clockPasses(inside);
      expect(turnNow()).toBe(inside);
    } finally {
      readEnded();
    }
    // Same synchronous turn, but the read is over: no stale value leaks into what follows.
    expect(turnNow()).toBeGreaterThan(inside);
  });

  it('nested reads end the timestamp only when the outermost read ends', () => {
    readStarted();
    readStarted();
    const inner = turnNow();
    clockPasses(inner);
    readEnded();
    expect(turnNow()).toBe(inner);
    readEnded();
    expect(turnNow()).toBeGreaterThan(inner);
  });

  it('a value read inside a read still expires after the read if read again outside it', async () => {
    readStarted();
    const inside = turnNow();
    readEnded();
    const after = turnNow(); // outside any read: a tick must end this one
    clockPasses(after);
    await new Promise<void>((resolve) => process.nextTick(resolve));
    expect(turnNow()).toBeGreaterThan(after);
    expect(after).toBeGreaterThanOrEqual(inside);
  });
});
