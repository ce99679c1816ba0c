/**
 * Variadic commands accept node-redis's arrays as well as rest arguments, and mixes of both:
 * each form sends the same command (checked by what the server then holds).
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '../../../src/index.js';
import { useRedisServer } from './setup.js';

const redis = useRedisServer();
const sorted = (values: string[]): string[] => [...values].sort();

describe('variadic commands: rest arguments, arrays, or both', () => {
  let client: Client;
  beforeAll(async () => {
    client = await redis.client(3);
  });
  beforeEach(async () => {
    await client.flushDb();
  });

  it('keys: del, unlink, exists, touch', async () => {
    await client.mSet({ a: '1', b: '2', c: '3', d: '4', e: '5' });
    expect(await client.exists(['a', 'b'], 'c', 'missing')).toBe(3);
    expect(await client.touch(['a', 'b'])).toBe(2);
    expect(await client.del(['a', 'b'])).toBe(2);
    expect(await client.unlink('c', ['d'])).toBe(2);
    expect(await client.exists(['a', 'b', 'c', 'd', 'e'])).toBe(1);
    // An empty list is sent as it is, and the server says what is wrong with it.
    await expect(client.del([])).rejects.toThrow(/wrong number of arguments for 'del'/);
  });

  it('lists: lPush, rPush, lPushX, rPushX', async () => {
    expect(await client.rPush('l', ['a', 'b'], 'c')).toBe(3);
    expect(await client.lPush('l', ['z', 'y'])).toBe(5);
    expect(await client.rPushX('l', ['d'])).toBe(6);
    expect(await client.lPushX('l', ['x'])).toBe(7);
    expect(await client.lPushX('missing', ['x'])).toBe(0);
    expect(await client.lRange('l', 0, -1)).toEqual(['x', 'y', 'z', 'a', 'b', 'c', 'd']);
  });

  it('hashes: hDel', async () => {
    await client.hSet('h', { f1: '1', f2: '2', f3: '3' });
    expect(await client.hDel('h', ['f1', 'f2'])).toBe(2);
    expect(await client.hGetAll('h')).toEqual({ f3: '3' });
  });

  it('sets: sAdd, sRem, sInter, sUnion, sDiff and their STORE forms', async () => {
    expect(await client.sAdd('s1', ['a', 'b', 'c'])).toBe(3);
    expect(await client.sAdd('s2', ['b', 'c'], 'd')).toBe(3);
    expect(await client.sRem('s1', ['c'])).toBe(1);
    expect(sorted(await client.sInter(['s1', 's2']))).toEqual(['b']);
    expect(sorted(await client.sUnion(['s1'], 's2'))).toEqual(['a', 'b', 'c', 'd']);
    expect(sorted(await client.sDiff(['s2', 's1']))).toEqual(['c', 'd']);
    expect(await client.sInterStore('i', ['s1', 's2'])).toBe(1);
    expect(await client.sUnionStore('u', ['s1', 's2'])).toBe(4);
    expect(await client.sDiffStore('d', ['s2', 's1'])).toBe(2);
  });

  it('sorted sets: zRem', async () => {
    await client.zAdd('z', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }, { score: 3, value: 'c' }]);
    expect(await client.zRem('z', ['a', 'b'])).toBe(2);
    expect(await client.zRange('z', 0, -1)).toEqual(['c']);
  });

  it('a Buffer is one value, not a list of bytes', async () => {
    expect(await client.sAdd('s', [Buffer.from('ab')], Buffer.from('cd'))).toBe(2);
    expect(sorted(await client.sMembers('s'))).toEqual(['ab', 'cd']);
  });
});
