import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionError, type ReconnectingEvent } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

let redis: RedisServer;
beforeEach(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await redis.stop();
});

describe('reconnection', () => {
  it('after SIGKILL and a restart on the same port, commands queued meanwhile complete in order', async () => {
    const client = await connectedClient({ port: redis.port, reconnect: { initialDelay: 10, maxDelay: 50 } });
    const reconnecting: ReconnectingEvent[] = [];
    client.on('reconnecting', (e) => reconnecting.push(e));
    let readies = 0;
    client.on('ready', () => readies++);
    expect(await client.set('before', '1')).toBe('OK');

    await redis.kill();
    await waitFor(() => !client.isReady, 'the client to notice the lost connection');
    const queued = Array.from({ length: 50 }, (_, i) => client.rPush('order', String(i)));
    await redis.restart();
    const lengths = await Promise.all(queued);

    expect(lengths).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await client.lRange('order', 0, -1)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    expect(reconnecting.length).toBeGreaterThan(0);
    expect(reconnecting[0]!.attempt).toBe(1);
    expect(readies).toBe(1);
  });

  it('with no error listener, a lost connection does not crash the process', async () => {
    const client = await connectedClient({ port: redis.port, reconnect: { initialDelay: 10, maxDelay: 20 } });
    expect(client.listenerCount('error')).toBe(0);
    await redis.kill();
    await waitFor(() => !client.isReady, 'disconnect');
    await redis.restart();
    await waitFor(() => client.isReady, 'reconnect');
    expect(await client.ping()).toBe('PONG');
  });

  it('emits error with the cause when a listener is attached', async () => {
    const client = await connectedClient({ port: redis.port, reconnect: { initialDelay: 10, maxDelay: 20 } });
    const errors: Error[] = [];
    client.on('error', (e) => errors.push(e));
    await redis.kill();
    await waitFor(() => errors.length > 0, 'an error event');
    expect(errors[0]).toBeInstanceOf(ConnectionError);
    expect(errors[0]!.message).toContain(String(redis.port));
  });

  it('offline queue disabled: commands fail fast while disconnected', async () => {
    const client = await connectedClient({ port: redis.port, offlineQueue: false, reconnect: { initialDelay: 5_000 } });
    await redis.kill();
    await waitFor(() => !client.isReady, 'disconnect');
    await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_NOT_CONNECTED', message: /offline queue is disabled/ });
  });

  it('offline queue full: the command beyond maxLength is rejected, the others wait and succeed', async () => {
    const client = await connectedClient({ port: redis.port, offlineQueue: { maxLength: 3 }, reconnect: { initialDelay: 10, maxDelay: 20 } });
    await redis.kill();
    await waitFor(() => !client.isReady, 'disconnect');
    const accepted = [client.incr('q'), client.incr('q'), client.incr('q')];
    await expect(client.incr('q')).rejects.toMatchObject({ code: 'ERR_OFFLINE_QUEUE_FULL' });
    await redis.restart();
    expect(await Promise.all(accepted)).toEqual([1, 2, 3]);
  });

  it('reconnect: false ends the client and fails queued commands', async () => {
    const client = await connectedClient({ port: redis.port, reconnect: false });
    let ended = false;
    client.on('end', () => (ended = true));
    await redis.kill();
    await waitFor(() => ended, 'end');
    await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_NOT_CONNECTED' });
  });

  it('gives up after maxAttempts and fails what was queued, naming the endpoint', async () => {
    const client = await connectedClient({ port: redis.port, reconnect: { initialDelay: 5, maxDelay: 10, maxAttempts: 2 } });
    await redis.kill();
    await waitFor(() => !client.isReady, 'disconnect');
    const error = await client.get('k').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(new RegExp(`gave up reconnecting to 127\\.0\\.0\\.1:${redis.port} after 2 attempts`));
  });

  it('a non-zero db survives reconnects, also when chosen with select()', async () => {
    const client = await connectedClient({ port: redis.port, db: 3, reconnect: { initialDelay: 10, maxDelay: 20 } });
    await client.set('where', 'db3');
    await client.select(5);
    await client.set('where', 'db5');
    await redis.kill();
    await redis.restart();
    await waitFor(() => client.isReady, 'reconnect');
    await client.set('after', 'restart');
    const probe = await connectedClient({ port: redis.port, db: 5 });
    expect(await probe.get('after')).toBe('restart');
    expect(client.db).toBe(5);
  });
});
