import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RespValue } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe('push frames on the shared connection', () => {
  it('RESP3 invalidation pushes arrive between replies, go to the push event, and are never taken as replies', async () => {
    const client = await connectedClient({ port: redis.port });
    const writer = await connectedClient({ port: redis.port });
    const pushes: RespValue[][] = [];
    client.on('push', (frame) => pushes.push(frame));
    expect(await client.sendCommand(['CLIENT', 'TRACKING', 'ON'])).toBe('OK');
    for (let i = 0; i < 20; i++) await client.set(`tracked:${i}`, String(i));
    expect(await client.mGet(Array.from({ length: 20 }, (_, i) => `tracked:${i}`))).toHaveLength(20);
    // Invalidate every tracked key while the client keeps a stream of commands in flight.
    const replies: Array<Promise<unknown>> = [];
    for (let i = 0; i < 20; i++) {
      replies.push(writer.set(`tracked:${i}`, `changed-${i}`));
      replies.push(client.incr('tracked:counter'));
    }
    await Promise.all(replies);
    await waitFor(() => pushes.flat(2).filter((k) => typeof k === 'string' && k.startsWith('tracked:')).length >= 20, 'every invalidation');
    expect(pushes.every((frame) => frame[0] === 'invalidate')).toBe(true);
    // The replies stayed matched to their commands: the counter counted exactly 20 INCRs.
    expect(await client.get('tracked:counter')).toBe('20');
    expect(await client.get('tracked:7')).toBe('changed-7');
  });
});

describe('XREAD BLOCK', () => {
  it('runs on a lease; the shared connection keeps serving until XADD answers it', async () => {
    const client = await connectedClient({ port: redis.port, commandTimeout: 200 });
    const read = client.sendCommand(['XREAD', 'BLOCK', '5000', 'STREAMS', 'events', '$']);
    await waitFor(() => client.connections().some((c) => c.role === 'lease' && c.pendingReplies === 1), 'XREAD written on a lease');
    for (let i = 0; i < 5; i++) expect(await client.ping()).toBe('PONG');
    // Past commandTimeout: a blocking command's timeout is its block time plus commandTimeout.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const id = await client.sendCommand(['XADD', 'events', '*', 'field', 'value']);
    const result = (await read) as Record<string, unknown> | unknown[];
    expect(JSON.stringify(result)).toContain(String(id));
    expect(JSON.stringify(result)).toContain('value');
  });
});
