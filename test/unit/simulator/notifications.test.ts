import { describe, expect, it } from 'vitest';
import {
  failedOverFrame, failingOverFrame, formatSlots, migratedFrame, migratingFrame, movingFrame, parseSlots, smigratedFrame, smigratingFrame,
} from '../../../src/simulator/index.js';
import { decode } from '../../helpers/decode.js';

describe('notification frames', () => {
  it('have the exact wire shapes of the real server', () => {
    expect(movingFrame(7, 3, '127.0.0.2:16380').toString()).toBe('>4\r\n$6\r\nMOVING\r\n:7\r\n:3\r\n$15\r\n127.0.0.2:16380\r\n');
    expect(movingFrame(8, 3, null).toString()).toBe('>4\r\n$6\r\nMOVING\r\n:8\r\n:3\r\n_\r\n');
    expect(migratingFrame(1, 3, '["1"]').toString()).toBe('>4\r\n$9\r\nMIGRATING\r\n:1\r\n:3\r\n$5\r\n["1"]\r\n');
    expect(migratedFrame(2, '["1"]').toString()).toBe('>3\r\n$8\r\nMIGRATED\r\n:2\r\n$5\r\n["1"]\r\n');
  });

  it('decode to what clients parse', () => {
    const frames = Buffer.concat([
      failingOverFrame(3, 2, 's'), failedOverFrame(4, 's'), smigratingFrame(5, '1-3'),
      smigratedFrame(6, [{ source: 'a:1', destination: 'b:2', slots: '1-3' }, { source: 'a:1', destination: 'c:3', slots: '9' }]),
    ]);
    const { pushes, errors } = decode(frames);
    expect(errors).toEqual([]);
    expect(pushes).toEqual([
      ['FAILING_OVER', 3, 2, 's'], ['FAILED_OVER', 4, 's'], ['SMIGRATING', 5, '1-3'],
      ['SMIGRATED', 6, [['a:1', 'b:2', '1-3'], ['a:1', 'c:3', '9']]],
    ]);
  });

  it('format and parse slot lists', () => {
    expect(formatSlots([5, 1, 2, 3, 9, 10, 3])).toBe('1-3,5,9-10');
    expect(parseSlots('1-3,5')).toEqual([1, 2, 3, 5]);
    expect(() => parseSlots('5-1')).toThrow(RangeError);
    expect(() => parseSlots('16384')).toThrow(/0-16383/);
    expect(() => parseSlots('x')).toThrow(/invalid slot range "x"/);
  });
});
