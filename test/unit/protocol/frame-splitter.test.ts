import { describe, expect, it } from 'vitest';
import { Decoder, FrameSplitter, ProtocolError } from '../../../src/protocol/index.js';
import { makeRandom, mutate, randomFrame } from '../../helpers/fuzz.js';

interface Split {
  frames: string[];
  pushes: boolean[];
}

function split(chunks: Buffer[], inline = false): Split {
  const splitter = new FrameSplitter({ inline });
  const out: Split = { frames: [], pushes: [] };
  for (const chunk of chunks) {
    splitter.feed(chunk, (buffer, start, end, isPush) => {
      out.frames.push(buffer.toString('latin1', start, end));
      out.pushes.push(isPush);
    });
  }
  return out;
}

/** Cuts `bytes` into chunks at random points. */
function chunked(bytes: Buffer, rand: () => number): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const n = 1 + Math.floor(rand() * 12);
    chunks.push(bytes.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

describe('FrameSplitter', () => {
  it('reports each top-level frame with its exact bytes and whether it is a push', () => {
    const frames = ['+OK\r\n', '$5\r\nhe\r\no\r\n', '*2\r\n:1\r\n*1\r\n_\r\n', '>3\r\n$6\r\nMOVING\r\n:1\r\n_\r\n',
      '%1\r\n+a\r\n~1\r\n#t\r\n', '$-1\r\n', '*-1\r\n', '*0\r\n', '|1\r\n+ttl\r\n:3\r\n:42\r\n', '|0\r\n+x\r\n'];
    const result = split([Buffer.from(frames.join(''))]);
    expect(result.frames).toEqual(frames);
    expect(result.pushes).toEqual([false, false, false, true, false, false, false, false, false, false]);
  });

  it('gives the same frames whatever the chunking, byte by byte included', () => {
    const rand = makeRandom(7);
    for (let round = 0; round < 200; round++) {
      const frames = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => randomFrame(rand));
      const bytes = Buffer.from(frames.join(''));
      const whole = split([bytes]);
      expect(whole.frames).toEqual(frames);
      expect(split(chunked(bytes, rand)).frames).toEqual(frames);
      if (round < 20) expect(split([...bytes].map((b) => Buffer.from([b]))).frames).toEqual(frames);
    }
  });

  it('agrees with the Decoder on where frames end and which are pushes', () => {
    const rand = makeRandom(99);
    const frames = Array.from({ length: 500 }, () => randomFrame(rand));
    const bytes = Buffer.from(frames.join(''));
    const kinds: string[] = [];
    const decoder = new Decoder({ onReply: () => kinds.push('reply'), onPush: () => kinds.push('push'), onError: () => kinds.push('error') });
    decoder.feed(bytes);
    const result = split(chunked(bytes, rand));
    expect(result.pushes.map((p) => (p ? 'push' : 'reply'))).toEqual(kinds);
  });

  it('copies a frame spread over chunks once and keeps later frames in the chunk', () => {
    const big = 'x'.repeat(100_000);
    const bytes = Buffer.from(`$${big.length}\r\n${big}\r\n+after\r\n`);
    const result = split([bytes.subarray(0, 10), bytes.subarray(10, 50_000), bytes.subarray(50_000)]);
    expect(result.frames).toEqual([`$${big.length}\r\n${big}\r\n`, '+after\r\n']);
  });

  it('splits inline commands only when asked to', () => {
    expect(split([Buffer.from('PING\r\nSET a b\n*1\r\n$4\r\nPING\r\n')], true).frames).toEqual([
      'PING\r\n', 'SET a b\n', '*1\r\n$4\r\nPING\r\n',
    ]);
    expect(() => split([Buffer.from('PING\r\n')])).toThrow(ProtocolError);
  });

  it('tracks a partial frame', () => {
    const splitter = new FrameSplitter();
    const seen: string[] = [];
    const onFrame = (b: Buffer, s: number, e: number): void => void seen.push(b.toString('latin1', s, e));
    splitter.feed(Buffer.from('*2\r\n:1\r\n'), onFrame);
    expect(splitter.hasPartialFrame).toBe(true);
    splitter.feed(Buffer.from(':2\r\n'), onFrame);
    expect(splitter.hasPartialFrame).toBe(false);
    expect(seen).toEqual(['*2\r\n:1\r\n:2\r\n']);
  });

  it('throws ProtocolError on garbage, then ignores input until reset', () => {
    const splitter = new FrameSplitter();
    const seen: string[] = [];
    const onFrame = (b: Buffer, s: number, e: number): void => void seen.push(b.toString('latin1', s, e));
    expect(() => splitter.feed(Buffer.from('+OK\r\n?bad\r\n'), onFrame)).toThrow(ProtocolError);
    expect(seen).toEqual(['+OK\r\n']);
    splitter.feed(Buffer.from('+late\r\n'), onFrame);
    expect(seen).toEqual(['+OK\r\n']);
    splitter.reset();
    splitter.feed(Buffer.from('+late\r\n'), onFrame);
    expect(seen).toEqual(['+OK\r\n', '+late\r\n']);
  });

  it('never throws anything but ProtocolError on mutated streams', () => {
    const rand = makeRandom(1234);
    for (let round = 0; round < 500; round++) {
      const bytes = mutate(rand, Buffer.from(Array.from({ length: 4 }, () => randomFrame(rand)).join('')));
      try {
        split(chunked(bytes, rand));
      } catch (err) {
        expect(err).toBeInstanceOf(ProtocolError);
      }
    }
  });
});
