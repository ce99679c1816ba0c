import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReplyError, type Client } from '../../../src/index.js';
import { PROTOCOLS, useRedisServer } from './setup.js';

const redis = useRedisServer();

describe.each(PROTOCOLS)('strings (RESP%i)', (protocol) => {
  let client: Client;
  beforeAll(async () => {
    client = await redis.client(protocol);
  });
  beforeEach(async () => {
    await client.flushDb();
  });

  it('set and get, get of a missing key is null', async () => {
    expect(await client.set('k', 'v')).toBe('OK');
    expect(await client.get('k')).toBe('v');
    expect(await client.get('missing')).toBeNull();
  });

  it('numbers and unicode values are sent as bulk strings', async () => {
    await client.set('n', 42);
    expect(await client.get('n')).toBe('42');
    await client.set('u', 'héllo ✓ 日本');
    expect(await client.get('u')).toBe('héllo ✓ 日本');
    expect(await client.strLen('u')).toBe(Buffer.byteLength('héllo ✓ 日本'));
    await client.set('empty', '');
    expect(await client.get('empty')).toBe('');
  });

  it('set with EX / PX sets a time to live', async () => {
    await client.set('ex', 'v', { EX: 100 });
    const ttl = await client.ttl('ex');
    expect(ttl).toBeGreaterThan(95);
    expect(ttl).toBeLessThanOrEqual(100);
    await client.set('px', 'v', { PX: 50_000 });
    const pttl = await client.pTTL('px');
    expect(pttl).toBeGreaterThan(45_000);
    expect(pttl).toBeLessThanOrEqual(50_000);
  });

  it('set with EXAT / PXAT sets an absolute expiry', async () => {
    const at = Math.floor(Date.now() / 1000) + 1000;
    await client.set('exat', 'v', { EXAT: at });
    expect(await client.expireTime('exat')).toBe(at);
    await client.set('pxat', 'v', { PXAT: at * 1000 });
    expect(await client.expireTime('pxat')).toBe(at);
  });

  it('set NX / XX return null when the condition prevents the write', async () => {
    expect(await client.set('k', 'a', { NX: true })).toBe('OK');
    expect(await client.set('k', 'b', { NX: true })).toBeNull();
    expect(await client.get('k')).toBe('a');
    expect(await client.set('other', 'x', { XX: true })).toBeNull();
    expect(await client.exists('other')).toBe(0);
    expect(await client.set('k', 'c', { XX: true })).toBe('OK');
    expect(await client.get('k')).toBe('c');
  });

  it('set with GET returns the old value, KEEPTTL keeps the expiry', async () => {
    expect(await client.set('k', 'one', { GET: true })).toBeNull();
    expect(await client.set('k', 'two', { GET: true, EX: 500 })).toBe('one');
    expect(await client.set('k', 'three', { KEEPTTL: true })).toBe('OK');
    expect(await client.ttl('k')).toBeGreaterThan(400);
    await client.set('k', 'four');
    expect(await client.ttl('k')).toBe(-1);
  });

  it('setNX, setEx, pSetEx', async () => {
    expect(await client.setNX('k', '1')).toBe(1);
    expect(await client.setNX('k', '2')).toBe(0);
    expect(await client.get('k')).toBe('1');
    expect(await client.setEx('e', 60, 'v')).toBe('OK');
    expect(await client.ttl('e')).toBeGreaterThan(55);
    expect(await client.pSetEx('p', 60_000, 'v')).toBe('OK');
    expect(await client.pTTL('p')).toBeGreaterThan(55_000);
    expect(await client.get('p')).toBe('v');
  });

  it('getDel, getEx, getSet', async () => {
    await client.set('k', 'v');
    expect(await client.getDel('k')).toBe('v');
    expect(await client.exists('k')).toBe(0);
    expect(await client.getDel('k')).toBeNull();

    await client.set('g', 'v');
    expect(await client.getEx('g', { EX: 300 })).toBe('v');
    expect(await client.ttl('g')).toBeGreaterThan(290);
    expect(await client.getEx('g', { PERSIST: true })).toBe('v');
    expect(await client.ttl('g')).toBe(-1);
    expect(await client.getEx('g', { PX: 300_000 })).toBe('v');
    expect(await client.pTTL('g')).toBeGreaterThan(290_000);
    expect(await client.getEx('nope')).toBeNull();

    expect(await client.getSet('s', 'first')).toBeNull();
    expect(await client.getSet('s', 'second')).toBe('first');
    expect(await client.get('s')).toBe('second');
  });

  it('mSet (object and pairs), mGet with a missing key, mSetNX', async () => {
    expect(await client.mSet({ a: '1', b: 2 })).toBe('OK');
    expect(await client.mSet([['c', '3'], [Buffer.from('d'), Buffer.from('4')]])).toBe('OK');
    expect(await client.mGet(['a', 'b', 'x', 'c', 'd'])).toEqual(['1', '2', null, '3', '4']);
    expect(await client.mSetNX({ a: 'new', z: 'z' })).toBe(0);
    expect(await client.exists('z')).toBe(0);
    expect(await client.mSetNX({ y: 'y', z: 'z' })).toBe(1);
    expect(await client.mGet(['y', 'z'])).toEqual(['y', 'z']);
  });

  it('incr, incrBy, decr, decrBy, incrByFloat', async () => {
    expect(await client.incr('n')).toBe(1);
    expect(await client.incrBy('n', 10)).toBe(11);
    expect(await client.decr('n')).toBe(10);
    expect(await client.decrBy('n', 15)).toBe(-5);
    expect(await client.incrBy('n', -5)).toBe(-10);
    expect(await client.incrByFloat('f', 1.5)).toBe('1.5');
    expect(await client.incrByFloat('f', 0.25)).toBe('1.75');
    expect(await client.get('f')).toBe('1.75');
  });

  it('incr on a non-integer value rejects with a ReplyError, GET on a list with WRONGTYPE', async () => {
    await client.set('s', 'abc');
    const notInt = await client.incr('s').catch((e: unknown) => e);
    expect(notInt).toBeInstanceOf(ReplyError);
    expect((notInt as ReplyError).code).toBe('ERR');
    expect((notInt as ReplyError).message).toMatch(/not an integer/);
    await client.rPush('list', 'x');
    const wrongType = await client.get('list').catch((e: unknown) => e);
    expect(wrongType).toBeInstanceOf(ReplyError);
    expect((wrongType as ReplyError).code).toBe('WRONGTYPE');
    // The connection keeps working after error replies.
    expect(await client.get('s')).toBe('abc');
  });

  it('append, strLen, getRange, setRange', async () => {
    expect(await client.append('k', 'Hello')).toBe(5);
    expect(await client.append('k', ' World')).toBe(11);
    expect(await client.strLen('k')).toBe(11);
    expect(await client.strLen('missing')).toBe(0);
    expect(await client.getRange('k', 0, 4)).toBe('Hello');
    expect(await client.getRange('k', -5, -1)).toBe('World');
    expect(await client.setRange('k', 6, 'Redis')).toBe(11);
    expect(await client.get('k')).toBe('Hello Redis');
    expect(await client.setRange('pad', 3, 'x')).toBe(4);
    expect(await client.get('pad')).toBe('\0\0\0x');
  });

  it('typed commands work in a pipeline and a transaction', async () => {
    const replies = await client.pipeline().set('a', '1').incr('a').get('a').get('missing').exec();
    expect(replies).toEqual(['OK', 2, '2', null]);
    const tx = await client.multi().set('b', 'x').append('b', 'yz').getDel('b').exec();
    expect(tx).toEqual(['OK', 3, 'xyz']);
  });
});
