import { describe, expect, it } from 'vitest';
import { EVENT_KINDS, eventOrder, prng } from '../../../src/soak/events.js';

describe('soak event order', () => {
  const take = (seed: number, n: number): string[] => {
    const next = eventOrder(prng(seed));
    return Array.from({ length: n }, () => next());
  };

  it('the same seed gives the same events; another seed another order', () => {
    expect(take(7, 40)).toEqual(take(7, 40));
    expect(take(7, 40)).not.toEqual(take(8, 40));
  });

  it('every round holds every kind once, whatever the seed', () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1]) {
      const events = take(seed, EVENT_KINDS.length * 3);
      for (let round = 0; round < 3; round++) {
        const slice = events.slice(round * EVENT_KINDS.length, (round + 1) * EVENT_KINDS.length);
        expect([...slice].sort()).toEqual([...EVENT_KINDS].sort());
      }
    }
  });

  it('prng stays in [0, 1)', () => {
    const random = prng(123);
    for (let i = 0; i < 10_000; i++) {
      const x = random();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
    }
  });
});
