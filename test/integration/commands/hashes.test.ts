import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReplyError, type Client } from '../../../src/index.js';
import { PROTOCOLS, useRedisServer } from './setup.js';

const redis = useRedisServer();

describe.each(PROTOCOLS)('hashes (RESP%i)', (protocol) => {
  let client: Client;
  beforeAll(async () => {
    client = await redis.client(protocol);
  });
  beforeEach(async () => {
    await client.flushDb();
  });

  it('hSet one field and an object of fields, hGet, hGetAll as a plain record', async () => {
    expect(await client.hSet('h', 'a', '1')).toBe(1);
    expect(await client.hSet('h', 'a', 'one')).toBe(0);
    expect(await client.hSet('h', { b: 2, c: 'three', 'with space': 'x y' })).toBe(3);
    expect(await client.hGet('h', 'a')).toBe('one');
    expect(await client.hGet('h', 'missing')).toBeNull();
    expect(await client.hGet('missing', 'a')).toBeNull();
    const all = await client.hGetAll('h');
    expect({ ...all }).toEqual({ a: 'one', b: '2', c: 'three', 'with space': 'x y' });
    expect(all['b']).toBe('2');
    expect(Object.keys(all).sort()).toEqual(['a', 'b', 'c', 'with space']);
  });

  it('hSet takes a Map or [field, value] pairs, Buffer fields included', async () => {
    expect(await client.hSet('h', new Map<string | Buffer, string | number>([['a', 1], [Buffer.from('b'), 'two']]))).toBe(2);
    expect(await client.hSet('h', [['c', '3'], [Buffer.from('a'), 'one']])).toBe(1);
    expect({ ...(await client.hGetAll('h')) }).toEqual({ a: 'one', b: 'two', c: '3' });
  });

  it('hGetAll with fields named __proto__ and constructor gives own properties and pollutes nothing', async () => {
    await client.hSet('h', [['__proto__', 'p'], ['constructor', 'c'], ['toString', 't']]);
    const all = await client.hGetAll('h');
    expect(Object.keys(all).sort()).toEqual(['__proto__', 'constructor', 'toString']);
    expect(Object.getOwnPropertyDescriptor(all, '__proto__')?.value).toBe('p');
    expect(all['constructor']).toBe('c');
    expect(({} as Record<string, unknown>)['toString']).toBe(Object.prototype.toString);
  });

  it('hGetAll of a missing key is an empty record', async () => {
    const all = await client.hGetAll('missing');
    expect(Object.keys(all)).toEqual([]);
  });

  it('hGetAll keeps numeric-looking fields as strings', async () => {
    await client.hSet('h', { '1': 'one', '10': 'ten', '-1': 'minus' });
    expect({ ...(await client.hGetAll('h')) }).toEqual({ '1': 'one', '10': 'ten', '-1': 'minus' });
  });

  it('hSetNX, hExists, hDel, hLen, hStrLen', async () => {
    expect(await client.hSetNX('h', 'f', 'v')).toBe(1);
    expect(await client.hSetNX('h', 'f', 'other')).toBe(0);
    expect(await client.hGet('h', 'f')).toBe('v');
    expect(await client.hExists('h', 'f')).toBe(1);
    expect(await client.hExists('h', 'g')).toBe(0);
    await client.hSet('h', { g: 'hello', k: 'x' });
    expect(await client.hLen('h')).toBe(3);
    expect(await client.hStrLen('h', 'g')).toBe(5);
    expect(await client.hStrLen('h', 'nope')).toBe(0);
    expect(await client.hDel('h', 'f', 'g', 'nope')).toBe(2);
    expect(await client.hLen('h')).toBe(1);
    expect(await client.hLen('missing')).toBe(0);
  });

  it('hMGet keeps order and nulls for missing fields', async () => {
    await client.hSet('h', { a: '1', c: '3' });
    expect(await client.hMGet('h', ['c', 'b', 'a'])).toEqual(['3', null, '1']);
    expect(await client.hMGet('missing', ['a'])).toEqual([null]);
  });

  it('hIncrBy, hIncrByFloat', async () => {
    expect(await client.hIncrBy('h', 'n', 5)).toBe(5);
    expect(await client.hIncrBy('h', 'n', -7)).toBe(-2);
    expect(await client.hIncrByFloat('h', 'f', 2.5)).toBe('2.5');
    expect(await client.hIncrByFloat('h', 'f', -0.5)).toBe('2');
    await client.hSet('h', 's', 'abc');
    const err = await client.hIncrBy('h', 's', 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as ReplyError).message).toMatch(/not an integer/);
  });

  it('hKeys, hVals, hRandField', async () => {
    await client.hSet('h', { a: '1', b: '2', c: '3' });
    expect((await client.hKeys('h')).sort()).toEqual(['a', 'b', 'c']);
    expect((await client.hVals('h')).sort()).toEqual(['1', '2', '3']);
    expect(['a', 'b', 'c']).toContain(await client.hRandField('h'));
    expect(await client.hRandField('missing')).toBeNull();
    expect(await client.hKeys('missing')).toEqual([]);
  });

  it('hRandFieldCount and hRandFieldCountWithValues', async () => {
    await client.hSet('h', { a: '1', b: '2', c: '3' });
    const fields = await client.hRandFieldCount('h', 2);
    expect(fields).toHaveLength(2);
    expect(new Set(fields).size).toBe(2);
    for (const f of fields) expect(['a', 'b', 'c']).toContain(f);
    expect((await client.hRandFieldCount('h', 10)).sort()).toEqual(['a', 'b', 'c']);
    const withValues = await client.hRandFieldCountWithValues('h', 3);
    expect(withValues.sort((x, y) => x.field.localeCompare(y.field))).toEqual([
      { field: 'a', value: '1' },
      { field: 'b', value: '2' },
      { field: 'c', value: '3' },
    ]);
    expect(await client.hRandFieldCount('missing', 2)).toEqual([]);
    expect(await client.hRandFieldCountWithValues('missing', 2)).toEqual([]);
  });

  it('hash commands on a string key fail with WRONGTYPE', async () => {
    await client.set('s', 'v');
    const err = await client.hGetAll('s').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as ReplyError).code).toBe('WRONGTYPE');
  });

  it('hGetAll is shaped the same inside a pipeline and a transaction', async () => {
    await client.hSet('h', { a: '1', b: '2' });
    const [piped] = await client.pipeline().hGetAll('h').exec();
    expect({ ...(piped as object) }).toEqual({ a: '1', b: '2' });
    const tx = await client.multi().hSet('h', 'c', '3').hGetAll('h').exec();
    expect(tx![0]).toBe(1);
    expect({ ...(tx![1] as object) }).toEqual({ a: '1', b: '2', c: '3' });
  });
});
