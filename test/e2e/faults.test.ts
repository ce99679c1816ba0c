import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../src/simulator/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { RawClient } from './support/raw-client.js';

let redis: RedisServer;
let sim: Simulator;
let port: number;
let clients: RawClient[] = [];

const connect = async (): Promise<RawClient> => {
  const client = await RawClient.connect('127.0.0.1', port);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  redis = await startRedis();
  sim = await Simulator.start({ nodes: [{ upstream: { host: redis.host, port: redis.port } }] });
  port = sim.nodes()[0]!.port;
});

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await sim.setFaults({ latencyMs: 0, connectDelayMs: 0, refuseConnections: false, blackhole: false, notifications: true });
});

afterAll(async () => {
  await sim?.close();
  await redis?.stop();
});

describe('fault knobs', () => {
  it('latency delays every reply and keeps them in order', async () => {
    const client = await connect();
    await sim.setFaults({ latencyMs: 150 });
    const started = Date.now();
    const replies = await client.call(['ECHO', '1'], ['ECHO', '2'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON'], ['ECHO', '3']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
    expect(replies).toEqual(['1', '2', 'OK', '3']);
    await sim.setFaults({ latencyMs: 0 });
    const fast = Date.now();
    await client.call(['PING']);
    expect(Date.now() - fast).toBeLessThan(145);
  });

  it('connect delay accepts at once but holds traffic', async () => {
    await sim.setFaults({ connectDelayMs: 200 });
    const started = Date.now();
    const client = await connect();
    const connectedIn = Date.now() - started;
    expect(await client.call(['PING'])).toEqual(['PONG']);
    expect(connectedIn).toBeLessThan(150);
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('drop closes every connection of the node', async () => {
    const one = await connect();
    const two = await connect();
    await one.call(['PING']);
    await two.call(['PING']);
    expect(sim.dropConnections()).toBe(2);
    await one.waitClosed();
    await two.waitClosed();
    await waitFor(() => sim.connections().length === 0, 'records to go');
  });

  it('refuse makes new connections fail with ECONNREFUSED while open ones keep working', async () => {
    const open = await connect();
    await sim.setFaults({ refuseConnections: true });
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.on('error', resolve);
      socket.on('connect', () => resolve(Object.assign(new Error('connected'), { code: 'CONNECTED' })));
    });
    expect(error.code).toBe('ECONNREFUSED');
    expect(await open.call(['PING'])).toEqual(['PONG']);
    await sim.setFaults({ refuseConnections: false });
    expect(await (await connect()).call(['PING'])).toEqual(['PONG']);
  });

  it('blackhole swallows traffic both ways; lifting it serves again', async () => {
    const client = await connect();
    await client.call(['PING']);
    await sim.setFaults({ blackhole: true });
    client.send(['SET', 'blackholed', '1']);
    const fresh = await connect();
    fresh.send(['PING']);
    // A negative check needs a bounded wait: a reply would take well under a millisecond here.
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(client.replies).toEqual(['PONG']);
    expect(fresh.replies).toEqual([]);
    expect(client.closed).toBe(false);
    await sim.setFaults({ blackhole: false });
    expect(await fresh.call(['GET', 'blackholed'])).toEqual([null]);
  });

  it('notifications off keeps the handshake working but sends nothing', async () => {
    const client = await connect();
    await client.handshake('external-ip');
    await sim.setFaults({ notifications: false });
    await sim.migrate({ waitMs: 20 });
    await client.call(['PING']);
    expect(client.pushes).toEqual([]);
  });

  it('an idle timeout closes idle clients', async () => {
    const timed = await Simulator.start({ nodes: [{ upstream: { host: redis.host, port: redis.port }, idleTimeoutMs: 100 }] });
    try {
      const client = await RawClient.connect('127.0.0.1', timed.nodes()[0]!.port);
      clients.push(client);
      expect(await client.call(['PING'])).toEqual(['PONG']);
      await client.waitClosed(2000);
    } finally {
      await timed.close();
    }
  });
});
