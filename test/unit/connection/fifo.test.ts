import { describe, expect, it } from 'vitest';
import { Fifo } from '../../../src/connection/fifo.js';

describe('Fifo', () => {
  it('keeps order across growth and wrap-around', () => {
    const fifo = new Fifo<number>();
    const seen: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 37; i++) fifo.push(next++);
      for (let i = 0; i < 23; i++) seen.push(fifo.shift()!);
    }
    while (fifo.length > 0) seen.push(fifo.shift()!);
    expect(seen).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(fifo.shift()).toBeUndefined();
    expect(fifo.peek()).toBeUndefined();
  });
});
