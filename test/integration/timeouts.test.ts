import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimeoutError } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis({ args: ['--enable-debug-command', 'local'] });
});
afterAll(async () => {
  await redis.stop();
});

describe('command timeouts cover written commands', () => {
  it('a written command past commandTimeout fails with a TimeoutError naming it; so do the commands written behind it', async () => {
    const client = await connectedClient({ port: redis.port, commandTimeout: 100, reconnect: { initialDelay: 5, maxDelay: 10 } });
    const sleeping = client.sendCommand(['DEBUG', 'SLEEP', '0.5']).catch((e: unknown) => e);
    const behind = client.get('k').catch((e: unknown) => e);
    const [slow, next] = await Promise.all([sleeping, behind]);
    expect(slow).toBeInstanceOf(TimeoutError);
    expect(slow).toMatchObject({ code: 'ERR_TIMEOUT', command: 'DEBUG', timeout: 100 });
    expect((slow as Error).message).toContain(`127.0.0.1:${redis.port}`);
    expect(next).toBeInstanceOf(TimeoutError);
    expect((next as TimeoutError).command).toBe('GET');
    expect((next as Error).message).toMatch(/reply is unknown/);
    // The connection was replaced; new commands go through the new one.
    expect(await client.set('after-timeout', 'ok')).toBe('OK');
  });

  it('commands issued while the timed-out connection is replaced are sent on the new one', async () => {
    const client = await connectedClient({ port: redis.port, commandTimeout: 100, reconnect: { initialDelay: 50, maxDelay: 50 } });
    const slow = client.sendCommand(['DEBUG', 'SLEEP', '0.3']).catch((e: unknown) => e);
    const timedOut = await slow;
    expect(timedOut).toBeInstanceOf(TimeoutError);
    expect(client.isReady).toBe(false);
    const queued = await Promise.all([client.set('q1', 'a'), client.get('q1')]);
    expect(queued).toEqual(['OK', 'a']);
  });

  it('a relaxed window lets a slow command through; after release the normal timeout applies again', async () => {
    const client = await connectedClient({ port: redis.port, commandTimeout: 100 });
    const shared = client.pool.shared.connection!;
    const release = shared.relaxTimeouts(2_000);
    expect(await client.sendCommand(['DEBUG', 'SLEEP', '0.3'])).toBe('OK');
    release();
    await expect(client.sendCommand(['DEBUG', 'SLEEP', '0.3'])).rejects.toBeInstanceOf(TimeoutError);
  });

  it('a relaxed timeout never shortens the normal one', async () => {
    const client = await connectedClient({ port: redis.port, commandTimeout: 1_000 });
    const release = client.pool.shared.connection!.relaxTimeouts(50);
    expect(await client.sendCommand(['DEBUG', 'SLEEP', '0.2'])).toBe('OK');
    release();
  });

  it('commands with no timeout stay unbounded, also under a relaxed window', async () => {
    const client = await connectedClient({ port: redis.port, commandTimeout: 0 });
    const release = client.pool.shared.connection!.relaxTimeouts(50);
    expect(await client.sendCommand(['DEBUG', 'SLEEP', '0.2'])).toBe('OK');
    release();
  });

  it('a per-command timeout overrides the client default', async () => {
    const client = await connectedClient({ port: redis.port, commandTimeout: 5_000 });
    await expect(client.sendCommand(['DEBUG', 'SLEEP', '0.3'], { timeout: 50 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT', timeout: 50 });
  });

  it('a blocking command waits past commandTimeout (block time + commandTimeout applies)', async () => {
    const client = await connectedClient({ port: redis.port, commandTimeout: 100 });
    const popped = client.blPop('blocking-list', 0);
    const pusher = await connectedClient({ port: redis.port });
    await new Promise((resolve) => setTimeout(resolve, 250));
    await pusher.lPush('blocking-list', 'late');
    expect(await popped).toEqual({ key: 'blocking-list', element: 'late' });
  });
});
