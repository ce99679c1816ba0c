import { describe, expect, it } from 'vitest';
import { Interceptors } from '../../../src/simulator/interceptors.js';

const b = (s: string): Buffer => Buffer.from(s);
const match = (i: Interceptors, s: string): string | undefined => i.match(b(s), 0, s.length)?.toString();

describe('Interceptors', () => {
  it('match whole commands ignoring case; newest first; same name replaces', () => {
    const i = new Interceptors();
    expect(i.isEmpty).toBe(true);
    i.add('a', b('*1\r\n$4\r\nPING\r\n'), b('+A\r\n'));
    i.add('b', b('*1\r\n$4\r\nping\r\n'), b('+B\r\n'));
    expect(match(i, '*1\r\n$4\r\nPiNg\r\n')).toBe('+B\r\n');
    expect(match(i, '*1\r\n$4\r\nPING\r\nX')).toBeUndefined();
    i.add('b', b('nothing'), b(''));
    expect(match(i, '*1\r\n$4\r\nping\r\n')).toBe('+A\r\n');
    expect(i.remove('a')).toBe(true);
    expect(i.stats()).toEqual([{ name: 'b', invokeCount: 1, matchCount: 0 }]);
  });

  it('a scenario answers the next N commands, then goes away', () => {
    const i = new Interceptors();
    i.setScenario([b('+1\r\n'), b('+2\r\n')]);
    expect(i.stats()).toEqual([{ name: 'scenario-interceptor', matchLimit: 2, invokeCount: 0, matchCount: 0 }]);
    expect([match(i, 'x'), match(i, 'y'), match(i, 'z')]).toEqual(['+1\r\n', '+2\r\n', undefined]);
    expect(i.isEmpty).toBe(true);
  });
});
