import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReplyError, type Client } from '../../../src/index.js';
import { waitFor } from '../../helpers/wait.js';
import { PROTOCOLS, useRedisServer } from './setup.js';

const redis = useRedisServer();

describe.each(PROTOCOLS)('keys and expiry (RESP%i)', (protocol) => {
  let client: Client;
  beforeAll(async () => {
    client = await redis.client(protocol);
  });
  beforeEach(async () => {
    await client.flushDb();
  });

  it('del, unlink, exists (counting repeats), touch', async () => {
    await client.mSet({ a: '1', b: '2', c: '3', d: '4' });
    expect(await client.exists('a', 'a', 'b', 'missing')).toBe(3);
    expect(await client.touch('a', 'b', 'missing')).toBe(2);
    expect(await client.del('a', 'b', 'missing')).toBe(2);
    expect(await client.unlink('c', 'missing')).toBe(1);
    expect(await client.exists('a', 'b', 'c')).toBe(0);
    expect(await client.exists('d')).toBe(1);
  });

  it('type names every kind of key, "none" for a missing one', async () => {
    await client.set('s', 'v');
    await client.rPush('l', 'x');
    await client.hSet('h', 'f', 'v');
    await client.sAdd('set', 'm');
    await client.zAdd('z', { score: 1, value: 'm' });
    expect(await client.type('s')).toBe('string');
    expect(await client.type('l')).toBe('list');
    expect(await client.type('h')).toBe('hash');
    expect(await client.type('set')).toBe('set');
    expect(await client.type('z')).toBe('zset');
    expect(await client.type('missing')).toBe('none');
  });

  it('expire, ttl, pTTL, persist; -1 without expiry and -2 for a missing key', async () => {
    await client.set('k', 'v');
    expect(await client.ttl('k')).toBe(-1);
    expect(await client.pTTL('k')).toBe(-1);
    expect(await client.ttl('missing')).toBe(-2);
    expect(await client.pTTL('missing')).toBe(-2);
    expect(await client.expire('k', 100)).toBe(1);
    expect(await client.ttl('k')).toBeGreaterThan(95);
    expect(await client.expire('missing', 100)).toBe(0);
    expect(await client.persist('k')).toBe(1);
    expect(await client.persist('k')).toBe(0);
    expect(await client.ttl('k')).toBe(-1);
  });

  it('expire conditions NX, XX, GT, LT', async () => {
    await client.set('k', 'v');
    expect(await client.expire('k', 100, 'XX')).toBe(0);
    expect(await client.expire('k', 100, 'NX')).toBe(1);
    expect(await client.expire('k', 200, 'NX')).toBe(0);
    expect(await client.expire('k', 50, 'GT')).toBe(0);
    expect(await client.expire('k', 300, 'GT')).toBe(1);
    expect(await client.expire('k', 400, 'LT')).toBe(0);
    expect(await client.expire('k', 150, 'LT')).toBe(1);
    const ttl = await client.ttl('k');
    expect(ttl).toBeGreaterThan(145);
    expect(ttl).toBeLessThanOrEqual(150);
    expect(await client.pExpire('k', 500_000, 'XX')).toBe(1);
    expect(await client.pTTL('k')).toBeGreaterThan(495_000);
  });

  it('expireAt, pExpireAt and expireTime', async () => {
    const at = Math.floor(Date.now() / 1000) + 3600;
    await client.set('k', 'v');
    expect(await client.expireTime('k')).toBe(-1);
    expect(await client.expireTime('missing')).toBe(-2);
    expect(await client.expireAt('k', at)).toBe(1);
    expect(await client.expireTime('k')).toBe(at);
    expect(await client.pExpireAt('k', (at + 10) * 1000)).toBe(1);
    expect(await client.expireTime('k')).toBe(at + 10);
    expect(await client.expireAt('k', at, 'GT')).toBe(0);
    expect(await client.expireTime('k')).toBe(at + 10);
  });

  it('a key with a short pExpire disappears; an expireAt in the past deletes at once', async () => {
    await client.set('short', 'v');
    expect(await client.pExpire('short', 30)).toBe(1);
    await waitFor(async () => (await client.exists('short')) === 0, 'the key to expire');
    expect(await client.get('short')).toBeNull();
    await client.set('past', 'v');
    expect(await client.expireAt('past', 1)).toBe(1);
    expect(await client.exists('past')).toBe(0);
  });

  it('rename, renameNX, copy', async () => {
    await client.set('a', '1');
    await client.set('b', '2');
    expect(await client.rename('a', 'a2')).toBe('OK');
    expect(await client.get('a2')).toBe('1');
    expect(await client.exists('a')).toBe(0);
    expect(await client.renameNX('a2', 'b')).toBe(0);
    expect(await client.renameNX('a2', 'c')).toBe(1);
    const missing = await client.rename('nope', 'x').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ReplyError);
    expect((missing as Error).message).toMatch(/no such key/);

    expect(await client.copy('c', 'b')).toBe(0);
    expect(await client.copy('c', 'b', { REPLACE: true })).toBe(1);
    expect(await client.get('b')).toBe('1');
    expect(await client.copy('c', 'fresh')).toBe(1);
    expect(await client.mGet(['c', 'fresh'])).toEqual(['1', '1']);
  });

  it('keys with a pattern, randomKey', async () => {
    expect(await client.randomKey()).toBeNull();
    await client.mSet({ 'user:1': 'a', 'user:2': 'b', 'order:1': 'c' });
    expect((await client.keys('user:*')).sort()).toEqual(['user:1', 'user:2']);
    expect(await client.keys('nothing*')).toEqual([]);
    expect(['user:1', 'user:2', 'order:1']).toContain(await client.randomKey());
  });

  it('one scan step returns a cursor string and a batch of keys', async () => {
    await client.mSet({ a: '1', b: '2' });
    const [cursor, keys] = await client.scan(0, { COUNT: 100 });
    expect(cursor).toBe('0');
    expect(keys.sort()).toEqual(['a', 'b']);
  });
});
