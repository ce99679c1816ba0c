import { describe, expect, it } from 'vitest';
import { blockingTimeout, mayBlock } from '../../../src/client/routing.js';
import type { CommandArgument } from '../../../src/protocol/index.js';

/** Every command blockingTimeout knows, with arguments that block for 2 s. */
const BLOCKING: CommandArgument[][] = [
  ['BLPOP', 'k', 2],
  ['BRPOP', 'k', 2],
  ['BRPOPLPUSH', 'a', 'b', 2],
  ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', 2],
  ['BZPOPMIN', 'k', 2],
  ['BZPOPMAX', 'k', 2],
  ['BLMPOP', 2, 1, 'k', 'LEFT'],
  ['BZMPOP', 2, 1, 'k', 'MIN'],
  ['XREAD', 'BLOCK', 2000, 'STREAMS', 's', '$'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'block', 2000, 'STREAMS', 's', '>'],
  ['WAIT', 1, 2000],
  ['WAITAOF', 1, 0, 2000],
];

describe('routing: blocking commands', () => {
  it.each(BLOCKING.map((args) => [args[0] as string, args] as const))('%s blocks for its own time plus the command timeout, and mayBlock says so', (name, args) => {
    expect(mayBlock(name)).toBe(true);
    expect(blockingTimeout(name, args, 500)).toBe(2500);
  });

  it('blocking forever (0), or a command timeout of 0, gives no reply timeout (0)', () => {
    expect(blockingTimeout('BLPOP', ['BLPOP', 'k', 0], 500)).toBe(0);
    expect(blockingTimeout('BLPOP', ['BLPOP', 'k', 2], 0)).toBe(0);
    expect(blockingTimeout('XREAD', ['XREAD', 'BLOCK', 0, 'STREAMS', 's', '$'], 500)).toBe(0);
  });

  it('commands that do not block get undefined, whatever mayBlock guessed from their first letter', () => {
    for (const args of [['GET', 'k'], ['SET', 'k', 'v'], ['BITCOUNT', 'k'], ['XADD', 's', '*', 'f', 'v'], ['XREAD', 'STREAMS', 's', '0'], ['WATCH', 'k']] as CommandArgument[][]) {
      expect(blockingTimeout(args[0] as string, args, 500)).toBeUndefined();
    }
    expect(mayBlock('GET')).toBe(false);
    expect(mayBlock('SET')).toBe(false);
    expect(mayBlock('BITCOUNT')).toBe(true);
  });
});
