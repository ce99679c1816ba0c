import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientClosedError, ConnectionError, createClient, InvalidArgumentError, TimeoutError } from '../../src/index.js';
import { connectedClient, track } from '../helpers/clients.js';
import { startHostileServer } from '../helpers/hostile-server.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis.stop();
});

describe('client lifecycle', () => {
  it('refuses commands before connect() with ClientClosedError', async () => {
    const client = track(createClient({ port: redis.port }));
    await expect(client.get('k')).rejects.toMatchObject({ code: 'ERR_CLIENT_CLOSED', message: /call connect\(\) first/ });
  });

  it('connect() resolves with the client; URL options work', async () => {
    const client = track(createClient(redis.url));
    expect(await client.connect()).toBe(client);
    expect(client.isReady).toBe(true);
    expect(await client.ping()).toBe('PONG');
  });

  it('close() is graceful: replies pending at close time still arrive', async () => {
    const client = await connectedClient({ port: redis.port });
    const pending = Array.from({ length: 500 }, (_, i) => client.set(`close:${i}`, String(i)));
    const closed = client.close();
    const results = await Promise.all(pending);
    await closed;
    expect(results.every((r) => r === 'OK')).toBe(true);
    await expect(client.get('close:1')).rejects.toBeInstanceOf(ClientClosedError);
    const check = await connectedClient({ port: redis.port });
    expect(await check.get('close:499')).toBe('499');
  });

  it('destroy() fails pending commands with ClientClosedError and emits end once', async () => {
    const client = await connectedClient({ port: redis.port, commandTimeout: 0 });
    let ends = 0;
    client.on('end', () => ends++);
    const blocked = client.sendCommand(['DEBUG', 'SLEEP', '0']).catch((e: unknown) => e);
    const pending = client.get('x');
    client.destroy();
    await expect(pending).rejects.toBeInstanceOf(ClientClosedError);
    await blocked;
    client.destroy();
    expect(ends).toBe(1);
  });

  it('an unreachable endpoint rejects connect() with a ConnectionError naming host:port', async () => {
    const port = await freePort();
    const client = track(createClient({ port, reconnect: false }));
    const error = await client.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).message).toContain(`127.0.0.1:${port}`);
    expect(client.isOpen).toBe(false);
  });

  it('a server that accepts but never answers fails the handshake after connectTimeout', async () => {
    const silent = await startHostileServer(() => true); // every command "handled" by leaving it unanswered
    try {
      const client = track(createClient({ port: silent.port, connectTimeout: 150 }));
      const error = await client.connect().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TimeoutError);
      expect((error as TimeoutError).command).toBe('HELLO');
    } finally {
      await silent.close();
    }
  });

  it('falls back to AUTH and RESP2 when the server has no HELLO', async () => {
    const old = await startHostileServer((command, socket) => {
      // Redis 5's own words for HELLO, args and all, rather than the helper's shorter RESP2 refusal.
      if (command[0] === 'HELLO') socket.write("-ERR unknown command 'HELLO', with args beginning with: '3'\r\n");
      else if (command[0] === 'AUTH') socket.write('+OK\r\n');
      else if (command[0] === 'GET') socket.write('$5\r\nhello\r\n');
      else return false;
      return true;
    });
    try {
      const client = track(createClient({ port: old.port, password: 'pw', name: 'legacy' }));
      await client.connect();
      expect(await client.get('k')).toBe('hello');
      expect(old.commands.map((c) => c[0])).toEqual(['HELLO', 'AUTH', 'CLIENT', 'CLIENT', 'CLIENT', 'GET']);
      expect(old.commands[1]).toEqual(['AUTH', 'pw']);
      expect(old.commands[2]).toEqual(['CLIENT', 'SETNAME', 'legacy']);
    } finally {
      await old.close();
    }
  });

  it('rejects commands with unsendable arguments without touching the connection', async () => {
    const client = await connectedClient({ port: redis.port });
    await expect(client.sendCommand(['SET', 'k', undefined as unknown as string])).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(client.set('k', NaN)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await expect(client.sendCommand(['MULTI'])).rejects.toThrow(/client\.multi\(\)/);
    expect(await client.set('k', 'still fine')).toBe('OK');
  });

  it('HELLO reply shape from a RESP3 server is accepted', async () => {
    const fake = await startHostileServer(() => false); // nothing scripted: Redis 7's RESP3 HELLO reply
    try {
      const client = track(createClient({ port: fake.port }));
      await client.connect();
      expect(await client.ping()).toBe('PONG');
    } finally {
      await fake.close();
    }
  });

  it('close() interrupts a blocking command waiting forever on a lease instead of hanging', async () => {
    const client = track(createClient({ port: redis.port }));
    await client.connect();
    const pending = client.blPop('never-pushed', 0).catch((e: unknown) => e);
    await waitFor(() => client.connections().some((c) => c.role === 'lease' && c.pendingReplies === 1), 'BLPOP written on its lease');
    const other = client.set('during-close', '1');
    await client.close();
    expect(await other).toBe('OK');
    const error = await pending;
    expect(error).toBeInstanceOf(ClientClosedError);
    expect((error as Error).message).toMatch(/blocking command/);
  });

  it('pipelines and transactions refuse commands that would change the shared connection', async () => {
    const client = await connectedClient({ port: redis.port });
    for (const args of [['SELECT', '5'], ['MULTI'], ['SUBSCRIBE', 'x'], ['WATCH', 'k']]) {
      expect(() => client.pipeline().sendCommand(args)).toThrow(InvalidArgumentError);
      expect(() => client.multi().sendCommand(args)).toThrow(/cannot be queued/);
    }
    expect(await client.ping()).toBe('PONG');
    expect(client.db).toBe(0);
  });
});
