import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReconnectAttemptEvent } from '../../src/index.js';
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

describe.each([3, 2] as const)('pub/sub over RESP%i', (protocol) => {
  it('subscribe, psubscribe and ssubscribe deliver messages to their listeners', async () => {
    const subscriber = await connectedClient({ port: redis.port, protocol });
    const publisher = await connectedClient({ port: redis.port });
    const got: string[] = [];
    await subscriber.subscribe(['news', 'sports'], (message, channel) => got.push(`${channel}:${message}`));
    await subscriber.pSubscribe('log.*', (message, channel, pattern) => got.push(`${pattern}|${channel}:${message}`));
    if (protocol === 3) await subscriber.sSubscribe('shard', (message, channel) => got.push(`s:${channel}:${message}`));
    expect(await publisher.publish('news', 'a')).toBe(1);
    await publisher.publish('sports', 'b');
    await publisher.publish('log.error', 'c');
    if (protocol === 3) await publisher.sPublish('shard', 'd');
    const expected = ['news:a', 'sports:b', 'log.*|log.error:c', ...(protocol === 3 ? ['s:shard:d'] : [])];
    await waitFor(() => got.length === expected.length, 'every message');
    expect(got).toEqual(expected);
    // Ordinary commands on the same client still use the shared connection.
    expect(await subscriber.set('k', 'v')).toBe('OK');
  });

  it('unsubscribe of the last listener stops delivery and releases the connection', async () => {
    const subscriber = await connectedClient({ port: redis.port, protocol });
    const publisher = await connectedClient({ port: redis.port });
    const got: string[] = [];
    const listener = (message: string): void => void got.push(message);
    await subscriber.subscribe('c', listener);
    await publisher.publish('c', '1');
    await waitFor(() => got.length === 1, 'first message');
    await subscriber.unsubscribe('c', listener);
    expect(await publisher.publish('c', '2')).toBe(0);
    await waitFor(() => !subscriber.connections().some((c) => c.role === 'pubsub'), 'the pubsub connection to close');
  });

  it('resubscribes after the server is killed and restarted on the same port', async () => {
    const attempts: ReconnectAttemptEvent[] = [];
    const subscriber = await connectedClient({
      port: redis.port, protocol, reconnect: { initialDelay: 10, maxDelay: 50 }, hooks: [{ onReconnectAttempt: (e) => attempts.push(e) }],
    });
    const got: string[] = [];
    await subscriber.subscribe('alerts', (message) => got.push(message));
    await subscriber.pSubscribe('metrics.*', (message) => got.push(message));
    let resubscribed = 0;
    subscriber.on('resubscribed', () => resubscribed++);
    await redis.kill();
    await redis.restart();
    await waitFor(() => resubscribed === 1, 'resubscription');
    const publisher = await connectedClient({ port: redis.port });
    expect(await publisher.publish('alerts', 'back')).toBe(1);
    expect(await publisher.publish('metrics.cpu', '42')).toBe(1);
    await waitFor(() => got.length === 2, 'messages after the restart');
    expect(got).toEqual(['back', '42']);
    expect(attempts.find((a) => a.role === 'pubsub')).toMatchObject({ attempt: 1, server: { host: '127.0.0.1', port: redis.port } });
  });

  it('a throwing listener is reported through error and does not stop other listeners', async () => {
    const subscriber = await connectedClient({ port: redis.port, protocol });
    const publisher = await connectedClient({ port: redis.port });
    const errors: Error[] = [];
    subscriber.on('error', (e) => errors.push(e));
    const got: string[] = [];
    await subscriber.subscribe('x', () => {
      throw new Error('listener bug');
    });
    await subscriber.subscribe('x', (m) => got.push(m));
    await publisher.publish('x', 'still delivered');
    await waitFor(() => got.length === 1 && errors.length === 1, 'delivery and the error');
    expect(errors[0]!.message).toBe('listener bug');
  });
});
