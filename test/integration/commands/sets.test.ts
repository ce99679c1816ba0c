import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReplyError, type Client } from '../../../src/index.js';
import { PROTOCOLS, useRedisServer } from './setup.js';

const redis = useRedisServer();
const sorted = (values: string[]): string[] => [...values].sort();

describe.each(PROTOCOLS)('sets (RESP%i)', (protocol) => {
  let client: Client;
  beforeAll(async () => {
    client = await redis.client(protocol);
  });
  beforeEach(async () => {
    await client.flushDb();
  });

  it('sAdd counts only new members; sMembers is an array (a RESP3 set too)', async () => {
    expect(await client.sAdd('s', 'a', 'b', 'a')).toBe(2);
    expect(await client.sAdd('s', 'b', 'c', 1)).toBe(2);
    const members = await client.sMembers('s');
    expect(Array.isArray(members)).toBe(true);
    expect(sorted(members)).toEqual(['1', 'a', 'b', 'c']);
    expect(await client.sMembers('missing')).toEqual([]);
    expect(await client.sCard('s')).toBe(4);
    expect(await client.sCard('missing')).toBe(0);
  });

  it('sIsMember, sMIsMember, sRem', async () => {
    await client.sAdd('s', 'a', 'b');
    expect(await client.sIsMember('s', 'a')).toBe(1);
    expect(await client.sIsMember('s', 'z')).toBe(0);
    expect(await client.sMIsMember('s', ['z', 'a', 'b'])).toEqual([0, 1, 1]);
    expect(await client.sRem('s', 'a', 'z')).toBe(1);
    expect(await client.sMembers('s')).toEqual(['b']);
  });

  it('sPop, sPopCount, sRandMember, sRandMemberCount', async () => {
    await client.sAdd('s', 'a', 'b', 'c', 'd');
    const one = await client.sPop('s');
    expect(['a', 'b', 'c', 'd']).toContain(one);
    expect(await client.sIsMember('s', one!)).toBe(0);
    const two = await client.sPopCount('s', 2);
    expect(two).toHaveLength(2);
    expect(await client.sCard('s')).toBe(1);
    const [last] = await client.sMembers('s');
    expect(await client.sRandMember('s')).toBe(last);
    expect(await client.sRandMemberCount('s', -3)).toEqual([last, last, last]);
    expect(await client.sRandMemberCount('s', 5)).toEqual([last]);
    expect(await client.sPop('missing')).toBeNull();
    expect(await client.sRandMember('missing')).toBeNull();
    expect(await client.sPopCount('missing', 2)).toEqual([]);
    expect(await client.sRandMemberCount('missing', 2)).toEqual([]);
  });

  it('sMove', async () => {
    await client.sAdd('from', 'x', 'y');
    expect(await client.sMove('from', 'to', 'x')).toBe(1);
    expect(await client.sMove('from', 'to', 'nope')).toBe(0);
    expect(await client.sMembers('from')).toEqual(['y']);
    expect(await client.sMembers('to')).toEqual(['x']);
  });

  it('sInter, sUnion, sDiff and their STORE forms, sInterCard', async () => {
    await client.sAdd('a', '1', '2', '3', '4');
    await client.sAdd('b', '3', '4', '5');
    expect(sorted(await client.sInter('a', 'b'))).toEqual(['3', '4']);
    expect(sorted(await client.sUnion('a', 'b'))).toEqual(['1', '2', '3', '4', '5']);
    expect(sorted(await client.sDiff('a', 'b'))).toEqual(['1', '2']);
    expect(await client.sInter('a', 'missing')).toEqual([]);
    expect(await client.sInterStore('i', 'a', 'b')).toBe(2);
    expect(await client.sUnionStore('u', 'a', 'b')).toBe(5);
    expect(await client.sDiffStore('d', 'b', 'a')).toBe(1);
    expect(sorted(await client.sMembers('i'))).toEqual(['3', '4']);
    expect(await client.sMembers('d')).toEqual(['5']);
    expect(await client.sCard('u')).toBe(5);
    expect(await client.sInterCard(['a', 'b'])).toBe(2);
    expect(await client.sInterCard(['a', 'b'], { LIMIT: 1 })).toBe(1);
    expect(await client.sInterCard('a')).toBe(4);
  });

  it('set commands on a string key fail with WRONGTYPE', async () => {
    await client.set('str', 'v');
    const err = await client.sAdd('str', 'x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as ReplyError).code).toBe('WRONGTYPE');
  });

  it('sMembers is shaped the same inside a transaction', async () => {
    const tx = await client.multi().sAdd('s', 'a', 'b').sMembers('s').sIsMember('s', 'a').exec();
    expect(tx![0]).toBe(2);
    expect(sorted(tx![1] as string[])).toEqual(['a', 'b']);
    expect(tx![2]).toBe(1);
  });
});
