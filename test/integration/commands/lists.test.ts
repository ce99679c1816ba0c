import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '../../../src/index.js';
import { waitFor } from '../../helpers/wait.js';
import { PROTOCOLS, useRedisServer } from './setup.js';

const redis = useRedisServer();

/** `blocked_clients` from INFO clients: how many connections sit in a blocking command. */
async function blockedClients(client: Client): Promise<number> {
  const info = await client.info('clients');
  const match = /blocked_clients:(\d+)/.exec(info);
  if (!match) throw new Error(`no blocked_clients in INFO clients:\n${info}`);
  return Number(match[1]);
}

describe.each(PROTOCOLS)('lists (RESP%i)', (protocol) => {
  let client: Client;
  beforeAll(async () => {
    client = await redis.client(protocol);
  });
  beforeEach(async () => {
    await client.flushDb();
  });

  it('lPush / rPush return the length; lRange reads in order', async () => {
    expect(await client.rPush('l', 'b', 'c')).toBe(2);
    expect(await client.lPush('l', 'a', 'z')).toBe(4);
    expect(await client.lRange('l', 0, -1)).toEqual(['z', 'a', 'b', 'c']);
    expect(await client.lRange('l', 1, 2)).toEqual(['a', 'b']);
    expect(await client.lRange('missing', 0, -1)).toEqual([]);
    expect(await client.lLen('l')).toBe(4);
    expect(await client.lLen('missing')).toBe(0);
  });

  it('lPushX / rPushX only push onto an existing list', async () => {
    expect(await client.lPushX('l', 'x')).toBe(0);
    expect(await client.rPushX('l', 'x')).toBe(0);
    expect(await client.exists('l')).toBe(0);
    await client.rPush('l', 'm');
    expect(await client.lPushX('l', 'a')).toBe(2);
    expect(await client.rPushX('l', 'z', 'zz')).toBe(4);
    expect(await client.lRange('l', 0, -1)).toEqual(['a', 'm', 'z', 'zz']);
  });

  it('lPop / rPop, with counts, null on a missing key', async () => {
    await client.rPush('l', '1', '2', '3', '4', '5');
    expect(await client.lPop('l')).toBe('1');
    expect(await client.rPop('l')).toBe('5');
    expect(await client.lPopCount('l', 2)).toEqual(['2', '3']);
    expect(await client.rPopCount('l', 5)).toEqual(['4']);
    expect(await client.lPop('l')).toBeNull();
    expect(await client.rPop('l')).toBeNull();
    expect(await client.lPopCount('l', 2)).toBeNull();
    expect(await client.rPopCount('l', 2)).toBeNull();
  });

  it('lIndex, lSet, lInsert, lRem, lTrim', async () => {
    await client.rPush('l', 'a', 'b', 'a', 'c', 'a');
    expect(await client.lIndex('l', 0)).toBe('a');
    expect(await client.lIndex('l', -2)).toBe('c');
    expect(await client.lIndex('l', 99)).toBeNull();
    expect(await client.lSet('l', 1, 'B')).toBe('OK');
    expect(await client.lInsert('l', 'BEFORE', 'c', 'x')).toBe(6);
    expect(await client.lInsert('l', 'AFTER', 'nope', 'x')).toBe(-1);
    expect(await client.lRange('l', 0, -1)).toEqual(['a', 'B', 'a', 'x', 'c', 'a']);
    expect(await client.lRem('l', -1, 'a')).toBe(1);
    expect(await client.lRem('l', 0, 'a')).toBe(2);
    expect(await client.lRange('l', 0, -1)).toEqual(['B', 'x', 'c']);
    expect(await client.lTrim('l', 1, -1)).toBe('OK');
    expect(await client.lRange('l', 0, -1)).toEqual(['x', 'c']);
  });

  it('lPos with RANK and MAXLEN, lPosCount', async () => {
    await client.rPush('l', 'a', 'b', 'c', 'b', 'd', 'b');
    expect(await client.lPos('l', 'b')).toBe(1);
    expect(await client.lPos('l', 'b', { RANK: 2 })).toBe(3);
    expect(await client.lPos('l', 'b', { RANK: -1 })).toBe(5);
    expect(await client.lPos('l', 'd', { MAXLEN: 3 })).toBeNull();
    expect(await client.lPos('l', 'zz')).toBeNull();
    expect(await client.lPosCount('l', 'b', 0)).toEqual([1, 3, 5]);
    expect(await client.lPosCount('l', 'b', 2, { RANK: -1 })).toEqual([5, 3]);
    expect(await client.lPosCount('l', 'zz', 0)).toEqual([]);
  });

  it('lMove moves an element between lists', async () => {
    await client.rPush('src', '1', '2', '3');
    expect(await client.lMove('src', 'dst', 'LEFT', 'RIGHT')).toBe('1');
    expect(await client.lMove('src', 'dst', 'RIGHT', 'LEFT')).toBe('3');
    expect(await client.lRange('src', 0, -1)).toEqual(['2']);
    expect(await client.lRange('dst', 0, -1)).toEqual(['3', '1']);
    expect(await client.lMove('missing', 'dst', 'LEFT', 'LEFT')).toBeNull();
  });

  describe('blocking commands on a lease', () => {
    it('blPop returns at once when the list has data', async () => {
      await client.rPush('l', 'x', 'y');
      expect(await client.blPop('l', 1)).toEqual({ key: 'l', element: 'x' });
      expect(await client.brPop(['missing', 'l'], 1)).toEqual({ key: 'l', element: 'y' });
    });

    it('blPop is answered by a later lPush from the same client while the shared connection keeps serving', async () => {
      const popped = client.blPop(['q1', 'q2'], 0);
      await waitFor(async () => (await blockedClients(client)) === 1, 'BLPOP to block on the server');
      // BLPOP holds a lease with its reply pending; the shared connection is not held up by it.
      const lease = client.connections().find((c) => c.role === 'lease' && c.pendingReplies === 1);
      expect(lease).toBeDefined();
      const shared = client.connections().find((c) => c.role === 'shared');
      expect(shared!.id).not.toBe(lease!.id);
      expect(await client.ping()).toBe('PONG');
      await client.set('during', 'block');
      expect(await client.get('during')).toBe('block');
      expect(await client.lPush('q2', 'hello')).toBe(1);
      expect(await popped).toEqual({ key: 'q2', element: 'hello' });
      expect(await client.lLen('q2')).toBe(0);
      expect(await blockedClients(client)).toBe(0);
    });

    it('two blocked pops at once each get their own connection and element', async () => {
      const first = client.blPop('a', 0);
      const second = client.brPop('b', 0);
      await waitFor(async () => (await blockedClients(client)) === 2, 'both pops to block');
      await client.rPush('b', 'for-b');
      await client.rPush('a', 'for-a');
      expect(await second).toEqual({ key: 'b', element: 'for-b' });
      expect(await first).toEqual({ key: 'a', element: 'for-a' });
    });

    it('blPop and brPop resolve to null on timeout', async () => {
      const started = Date.now();
      expect(await client.blPop('empty', 0.1)).toBeNull();
      expect(Date.now() - started).toBeGreaterThanOrEqual(90);
      expect(await client.brPop(['empty', 'empty2'], 0.05)).toBeNull();
    });

    it('blMove waits for an element and moves it; null on timeout', async () => {
      const moved = client.blMove('src', 'dst', 'RIGHT', 'LEFT', 0);
      await waitFor(async () => (await blockedClients(client)) === 1, 'BLMOVE to block');
      await client.rPush('src', 'a', 'b');
      expect(await moved).toBe('b');
      expect(await client.lRange('dst', 0, -1)).toEqual(['b']);
      expect(await client.lRange('src', 0, -1)).toEqual(['a']);
      expect(await client.blMove('empty', 'dst', 'LEFT', 'LEFT', 0.05)).toBeNull();
    });

    it('brPopLPush moves the tail element, null on timeout', async () => {
      await client.rPush('src', '1', '2');
      expect(await client.brPopLPush('src', 'dst', 1)).toBe('2');
      expect(await client.lRange('dst', 0, -1)).toEqual(['2']);
      expect(await client.brPopLPush('empty', 'dst', 0.05)).toBeNull();
    });

    it('bzPopMin waits for a member and returns key, value and a numeric score; null on timeout', async () => {
      const popped = client.bzPopMin(['z1', 'z2'], 0);
      await waitFor(async () => (await blockedClients(client)) === 1, 'BZPOPMIN to block');
      await client.zAdd('z2', [{ score: 2.5, value: 'b' }, { score: -1, value: 'a' }]);
      expect(await popped).toEqual({ key: 'z2', value: 'a', score: -1 });
      expect(await client.bzPopMax('z2', 1)).toEqual({ key: 'z2', value: 'b', score: 2.5 });
      expect(await client.bzPopMin('z2', 0.05)).toBeNull();
    });

    it('a blocking command inside a pipeline runs on a lease too', async () => {
      const replies = client.pipeline().rPush('p', 'x').blPop('p', 1).blPop('p', 0.05).exec();
      expect(await replies).toEqual([1, { key: 'p', element: 'x' }, null]);
    });
  });
});
