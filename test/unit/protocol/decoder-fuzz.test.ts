import { describe, expect, it } from 'vitest';
import { Decoder, ProtocolError } from '../../../src/protocol/index.js';
import { makeRandom, mutate, randomFrame } from '../../helpers/fuzz.js';

const CASES = Number(process.env.HITLESS_FUZZ_CASES ?? 100_000);

describe('Decoder fuzz', () => {
  it(`${CASES} random and mutated streams: no throw, no hang, errors are ProtocolErrors`, () => {
    const rand = makeRandom(0xc0ffee);
    let protocolErrors = 0;
    let frames = 0;
    for (let n = 0; n < CASES; n++) {
      const valid = Buffer.from(randomFrame(rand) + randomFrame(rand));
      const input = n % 3 === 0 ? valid : mutate(rand, valid);
      const errors: unknown[] = [];
      const decoder = new Decoder({
        onReply: () => frames++,
        onPush: () => frames++,
        onError: (e) => errors.push(e),
      });
      // Feed in random-sized chunks: the resumable paths get exercised too.
      let at = 0;
      while (at < input.length) {
        const size = 1 + Math.floor(rand() * 8);
        decoder.feed(input.subarray(at, at + size));
        at += size;
      }
      expect(errors.length).toBeLessThanOrEqual(1);
      if (errors.length === 1) {
        expect(errors[0]).toBeInstanceOf(ProtocolError);
        protocolErrors++;
      }
      if (n % 3 === 0) expect(errors).toEqual([]);
    }
    // The mutations must actually produce both outcomes, or the test proves nothing.
    expect(protocolErrors).toBeGreaterThan(CASES / 10);
    expect(frames).toBeGreaterThan(CASES / 2);
  });
});
