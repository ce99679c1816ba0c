import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectedClient } from '../helpers/clients.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('write batching', () => {
  it('every command issued in one event-loop turn goes out in one socket write', async () => {
    const client = await connectedClient({ port: redis.port });
    const write = vi.spyOn(net.Socket.prototype, 'write');
    const replies = Array.from({ length: 200 }, (_, i) => client.set(`batch:${i}`, String(i)));
    replies.push(client.pipeline().get('batch:0').get('batch:199').exec() as unknown as Promise<'OK'>);
    await Promise.all(replies);
    expect(write).toHaveBeenCalledTimes(1);
  });

  it('commands issued by awaiting callers in the same turn share a write too', async () => {
    const client = await connectedClient({ port: redis.port });
    await client.set('turn', '0');
    const write = vi.spyOn(net.Socket.prototype, 'write');
    // 50 callers each await a first command, then issue a second one from their continuation:
    // all continuations run in one microtask drain, so the second wave is one write as well.
    await Promise.all(Array.from({ length: 50 }, async () => {
      await client.get('turn');
      await client.incr('turn');
    }));
    expect(write).toHaveBeenCalledTimes(2);
    expect(await client.get('turn')).toBe('50');
  });

  it('Buffer arguments are written with the rest of the batch, byte-exact', async () => {
    const client = await connectedClient({ port: redis.port });
    const payload = Buffer.from([0, 255, 13, 10, 36, 42]);
    const cork = vi.spyOn(net.Socket.prototype, 'cork');
    const uncork = vi.spyOn(net.Socket.prototype, 'uncork');
    await Promise.all([client.set('bin:a', payload), client.set('bin:b', 'text'), client.set('bin:c', payload)]);
    // Text and Buffer chunks are written between one cork and one uncork: a single writev.
    expect(cork).toHaveBeenCalledTimes(1);
    expect(uncork).toHaveBeenCalledTimes(1);
    vi.restoreAllMocks();
    expect(await client.sendCommand(['GET', 'bin:c'], { returnBuffers: true })).toEqual(payload);
  });
});
