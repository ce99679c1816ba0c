import { describe, expect, it } from 'vitest';
import { CommandWriter, encodeCommands, invalidArgument } from '../../../src/protocol/index.js';
import { decode } from '../../helpers/decode.js';

describe('CommandWriter', () => {
  it('encodes strings and numbers as bulk strings with byte lengths', () => {
    expect(encodeCommands([['SET', 'k\u00e9', 12]]).toString()).toBe('*3\r\n$3\r\nSET\r\n$3\r\nk\u00e9\r\n$2\r\n12\r\n');
  });

  it('keeps Buffer arguments byte-exact', () => {
    const bin = Buffer.from([0, 255, 13, 10]);
    const out = encodeCommands([['SET', 'k', bin], ['GET', 'k']]);
    const expected = Buffer.concat([
      Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$4\r\n'), bin, Buffer.from('\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n'),
    ]);
    expect(out).toEqual(expected);
  });

  it('batches many commands into one take()', () => {
    const writer = new CommandWriter();
    for (let i = 0; i < 100; i++) writer.append(['INCR', `k${i}`]);
    const taken = writer.take();
    expect(typeof taken).toBe('string');
    expect(writer.take()).toBe('');
    // The encoded request is itself valid RESP: decode it back.
    expect(decode(taken as string).replies).toHaveLength(100);
  });

  it('rejects arguments that are not string, Buffer or finite number', () => {
    expect(invalidArgument([])).toMatch(/at least one/);
    expect(invalidArgument(['SET', 'k', undefined])).toMatch(/argument 2 is undefined/);
    expect(invalidArgument(['SET', 'k', NaN])).toMatch(/finite/);
    expect(invalidArgument(['SET', 'k', {}])).toMatch(/object/);
    expect(invalidArgument(['SET', 'k', 1, Buffer.from('x')])).toBeUndefined();
    expect(invalidArgument(['SET', 'k', null])).toMatch(/argument 2 is null/);
    expect(invalidArgument(['INCRBYFLOAT', 'k', -Infinity])).toMatch(/argument 2 is -Infinity; numbers must be finite/);
    expect(invalidArgument([Buffer.from('GET'), 'k'])).toBeUndefined();
    expect(invalidArgument(['MSET', 'a', '1', 'b', true])).toMatch(/argument 4 is boolean/);
  });
});
