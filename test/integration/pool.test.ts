import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockingTimeout, mayBlock } from '../../src/client/routing.js';
import { PoolTimeoutError, type ConnectionClosedEvent, type Hook } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

let redis: RedisServer;
let other: RedisServer;
beforeAll(async () => {
  [redis, other] = await Promise.all([startRedis(), startRedis()]);
});
afterAll(async () => {
  await Promise.all([redis.stop(), other.stop()]);
});

describe('pool', () => {
  it('every command the server flags as blocking goes to a lease (mayBlock and blockingTimeout know it)', async () => {
    const client = await connectedClient({ port: redis.port });
    const commands = (await client.sendCommand(['COMMAND'])) as Array<[string, number, Iterable<unknown>]>;
    const blocking = commands.filter(([, , flags]) => Array.from(flags).includes('blocking')).map(([name]) => name.toUpperCase());
    expect(blocking).toContain('BLPOP');
    for (const name of blocking) {
      expect(mayBlock(name), name).toBe(true);
      // Arguments that block for 1 (s or ms) in whichever position the command reads it from.
      expect(blockingTimeout(name, [name, 'BLOCK', 1, 1], 1000), name).toBeTypeOf('number');
    }
  });

  it('a blocking BLPOP runs on a lease while the shared connection keeps serving', async () => {
    const client = await connectedClient({ port: redis.port });
    const popped = client.blPop('pool:list', 5);
    await waitFor(() => client.connections().some((c) => c.role === 'lease'), 'the lease to be taken');
    for (let i = 0; i < 20; i++) expect(await client.incr('pool:counter')).toBe(i + 1);
    await client.rPush('pool:list', 'x');
    expect(await popped).toEqual({ key: 'pool:list', element: 'x' });
    await waitFor(() => client.connections().some((c) => c.role === 'idle'), 'the lease to return idle');
  });

  it('maxActiveConns: a lease beyond the cap waits, then fails with PoolTimeoutError', async () => {
    const client = await connectedClient({ port: redis.port, maxActiveConns: 2, poolTimeout: 100 });
    const first = client.blPop('pool:cap', 2);
    await waitFor(() => client.connections().length === 2, 'the first lease');
    const error = await client.blPop('pool:cap', 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolTimeoutError);
    expect((error as Error).message).toMatch(/maxActiveConns=2/);
    await client.rPush('pool:cap', 'done');
    expect(await first).toEqual({ key: 'pool:cap', element: 'done' });
  });

  it('a waiting lease gets the connection released before its timeout', async () => {
    const client = await connectedClient({ port: redis.port, maxActiveConns: 2, poolTimeout: 5_000 });
    const first = client.blPop('pool:wait', 5);
    await waitFor(() => client.connections().length === 2, 'the first lease');
    const second = client.blPop('pool:wait', 5);
    await client.rPush('pool:wait', 'a', 'b');
    expect((await Promise.all([first, second])).map((r) => r?.element).sort()).toEqual(['a', 'b']);
  });

  it('minIdleConns keeps idle connections ready', async () => {
    const client = await connectedClient({ port: redis.port, minIdleConns: 2 });
    await waitFor(() => client.connections().filter((c) => c.role === 'idle').length === 2, 'two idle connections');
  });

  it('connMaxIdleTime closes idle connections with reason pool_eviction_idle', async () => {
    const closed: ConnectionClosedEvent[] = [];
    const hook: Hook = { onConnectionClosed: (e) => closed.push(e) };
    const client = await connectedClient({ port: redis.port, connMaxIdleTime: 100, hooks: [hook] });
    await client.blPop('pool:idle', 0.01);
    await waitFor(() => closed.some((e) => e.reason === 'pool_eviction_idle'), 'an idle eviction', 5_000);
    expect(client.connections().filter((c) => c.role === 'idle')).toEqual([]);
  });

  it('swap() replaces the shared connection in place, keeping the caller’s order', async () => {
    const client = await connectedClient({ port: redis.port });
    await client.del('pool:swap');
    const replacement = await client.pool.open('shared', { endpoint: { host: '127.0.0.1', port: other.port } });
    const order: number[] = [];
    const replies: Array<Promise<unknown>> = [];
    for (let i = 0; i < 300; i++) {
      replies.push(client.rPush('pool:swap', String(i)).then(() => order.push(i)));
      if (i === 150) {
        const oldId = client.pool.shared.connection!.id;
        expect(client.pool.swap(oldId, replacement)).toBe('swapped');
        expect(client.connections().find((c) => c.role === 'retiring')?.id).toBe(oldId);
      }
    }
    await Promise.all(replies);
    expect(order).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(client.connections().find((c) => c.role === 'shared')?.endpoint.port).toBe(other.port);
    // Everything issued before the swap in this turn was unwritten, so it moved with the swap.
    const onOther = await connectedClient({ port: other.port });
    const onFirst = await connectedClient({ port: redis.port });
    expect((await onFirst.lLen('pool:swap')) + (await onOther.lLen('pool:swap'))).toBe(300);
    expect(await onOther.lRange('pool:swap', -1, -1)).toEqual(['299']);
  });

  it('swap() of an unknown id returns false', async () => {
    const client = await connectedClient({ port: redis.port });
    const replacement = await client.pool.open('shared');
    expect(client.pool.swap(999_999, replacement)).toBe('not-found');
    expect(client.connections().filter((c) => c.role === 'handoff').map((c) => c.id)).toEqual([replacement.id]);
    replacement.destroy(undefined, 'application_close');
  });
});
