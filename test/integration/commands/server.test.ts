import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError, ReplyError, type Client } from '../../../src/index.js';
import { PROTOCOLS, useRedisServer } from './setup.js';

const redis = useRedisServer();

describe.each(PROTOCOLS)('server basics (RESP%i)', (protocol) => {
  let client: Client;
  beforeAll(async () => {
    client = await redis.client(protocol);
  });
  beforeEach(async () => {
    await client.flushAll('SYNC');
  });

  it('ping and echo', async () => {
    expect(await client.ping()).toBe('PONG');
    expect(await client.ping('hello there')).toBe('hello there');
    expect(await client.echo('échø ✓')).toBe('échø ✓');
    expect(await client.echo('')).toBe('');
  });

  it('info returns the text report (RESP3 verbatim string without its format prefix)', async () => {
    const all = await client.info();
    expect(typeof all).toBe('string');
    expect(all).toMatch(/^# Server\r\n/);
    expect(all).toMatch(/redis_version:7\.\d+\.\d+/);
    expect(all).toContain('# Keyspace');
    const server = await client.info('server');
    expect(server).toMatch(/^# Server\r\n/);
    expect(server).not.toContain('# Clients');
    await client.set('k', 'v');
    expect(await client.info('keyspace')).toMatch(/db0:keys=1,/);
    // CLIENT INFO (a verbatim string in RESP3 too) shows the protocol this connection speaks.
    expect(await client.sendCommand(['CLIENT', 'INFO'])).toMatch(new RegExp(`resp=${protocol}`));
  });

  it('dbSize and flushDb', async () => {
    expect(await client.dbSize()).toBe(0);
    await client.mSet({ a: '1', b: '2', c: '3' });
    expect(await client.dbSize()).toBe(3);
    expect(await client.flushDb()).toBe('OK');
    expect(await client.dbSize()).toBe(0);
    await client.set('a', '1');
    expect(await client.flushDb('ASYNC')).toBe('OK');
    expect(await client.dbSize()).toBe(0);
  });

  it('time, clientId, clientGetName, publish', async () => {
    const [seconds, micros] = await client.time();
    expect(Math.abs(Number(seconds) - Date.now() / 1000)).toBeLessThan(60);
    expect(Number(micros)).toBeGreaterThanOrEqual(0);
    expect(Number(micros)).toBeLessThan(1_000_000);
    const id = await client.clientId();
    expect(Number.isInteger(id)).toBe(true);
    expect(id).toBeGreaterThan(0);
    expect(await client.clientGetName()).toBeNull();
    expect(await client.publish('nobody-listens', 'x')).toBe(0);
  });

  it('a named client reports its name', async () => {
    const named = await redis.client(protocol, { name: `named-resp${protocol}` });
    expect(await named.clientGetName()).toBe(`named-resp${protocol}`);
    await named.close();
  });

  describe('select', () => {
    let other: Client;
    beforeAll(async () => {
      other = await redis.client(protocol);
    });

    it('select switches the database for this client only', async () => {
      expect(other.db).toBe(0);
      expect(await other.select(2)).toBe('OK');
      expect(other.db).toBe(2);
      await other.set('k', 'in-db-2');
      expect(await other.dbSize()).toBe(1);
      expect(await client.get('k')).toBeNull();
      expect(await client.dbSize()).toBe(0);
      expect(await client.info('keyspace')).toMatch(/db2:keys=1,/);
      await other.select(0);
      expect(await other.get('k')).toBeNull();
      await other.select(2);
      expect(await other.get('k')).toBe('in-db-2');
      expect(await other.flushDb()).toBe('OK');
      await other.select(0);
    });

    it('sendCommand(["SELECT", n]) goes through select; leases opened later use the database', async () => {
      expect(await other.sendCommand(['SELECT', 3])).toBe('OK');
      expect(other.db).toBe(3);
      await other.rPush('q', 'db3');
      await client.rPush('q', 'db0');
      expect(await other.blPop('q', 1)).toEqual({ key: 'q', element: 'db3' });
      const tx = await other.multi().set('t', '1').dbSize().exec();
      expect(tx).toEqual(['OK', 1]);
      expect(await client.lRange('q', 0, -1)).toEqual(['db0']);
      await other.flushDb();
      await other.select(0);
    });

    it('select of a database that does not exist fails and keeps the current one', async () => {
      const err = await other.select(99).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReplyError);
      expect((err as Error).message).toMatch(/out of range/);
      expect(other.db).toBe(0);
      const bad = await other.select(-1).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(InvalidArgumentError);
      await other.set('still', 'db0');
      expect(await client.get('still')).toBe('db0');
    });
  });
});
