import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from '../../../src/pool/index.js';

describe('exponentialBackoff', () => {
  it('doubles from initialDelay, capped at maxDelay, jittered within the upper half', () => {
    const low = exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: Infinity }, () => 0);
    const high = exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: Infinity }, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map((a) => low(a, undefined))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((a) => high(a, undefined))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('gives up after maxAttempts', () => {
    const strategy = exponentialBackoff({ initialDelay: 10, maxDelay: 10, maxAttempts: 2 });
    expect(strategy(2, undefined)).not.toBe(false);
    expect(strategy(3, undefined)).toBe(false);
  });

  it('does not overflow for very high attempt numbers', () => {
    expect(exponentialBackoff({ initialDelay: 50, maxDelay: 2000, maxAttempts: Infinity }, () => 0.5)(10_000, undefined)).toBe(1500);
  });
});
