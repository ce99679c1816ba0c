import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Simulator, type EndpointType } from '../../src/simulator/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { RawClient } from './support/raw-client.js';

let redis: RedisServer;
let sim: Simulator;
let a: { id: string; port: number };
let b: { id: string; port: number };
let clients: RawClient[] = [];

const connect = async (port: number, host = '127.0.0.1'): Promise<RawClient> => {
  const client = await RawClient.connect(host, port);
  clients.push(client);
  return client;
};
const optedIn = async (port: number, type?: string | null, host?: string): Promise<RawClient> => {
  const client = await connect(port, host);
  await client.handshake(type);
  return client;
};

beforeAll(async () => {
  redis = await startRedis();
  const upstream = { host: redis.host, port: redis.port };
  sim = await Simulator.start({
    nodes: [{ upstream }, { upstream }],
    timings: { migrateWaitMs: 250, failoverWaitMs: 250, smigrateWaitMs: 250, movingTimeS: 1 },
    defaultInterceptors: ['cluster'],
  });
  [a, b] = sim.nodes().map((n) => ({ id: n.id, port: n.port })) as [typeof a, typeof b];
});

afterEach(async () => {
  for (const c of clients) c.close();
  clients = [];
  await sim.setFaults({ notifications: true });
});

afterAll(async () => {
  await sim?.close();
  await redis?.stop();
});

describe('notifications: shapes and sequence numbers', () => {
  it('migrate and failover send the real shapes, with increasing seqs and completion = next seq', async () => {
    const client = await optedIn(a.port, 'internal-ip');
    const base = sim.seq;
    const migrate = await sim.migrate();
    const failover = await sim.failover();
    await client.waitPush('FAILED_OVER');
    expect(client.pushes).toEqual([
      ['MIGRATING', base + 1, 1, '["1"]'],
      ['MIGRATED', base + 2, '["1"]'],
      ['FAILING_OVER', base + 3, 1, '["1"]'],
      ['FAILED_OVER', base + 4, '["1"]'],
    ]);
    expect(migrate).toMatchObject({ seq: base + 1, completionSeq: base + 2 });
    expect(failover).toMatchObject({ seq: base + 3, completionSeq: base + 4 });
  });

  it('sends only to opted-in connections, each exactly once per event, across nodes', async () => {
    const on = await optedIn(a.port, 'external-ip');
    const onB = await optedIn(b.port, 'external-ip');
    const never = await optedIn(a.port, null);
    const off = await optedIn(a.port, 'external-ip');
    await off.call(['CLIENT', 'MAINT_NOTIFICATIONS', 'OFF']);
    const result = await sim.migrate();
    await on.waitPush('MIGRATED');
    await onB.waitPush('MIGRATED');
    await on.call(['PING']);
    await never.call(['PING']);
    await off.call(['PING']);
    for (const c of [on, onB]) expect(c.pushes.map((p) => p[0])).toEqual(['MIGRATING', 'MIGRATED']);
    expect(never.pushes).toEqual([]);
    expect(off.pushes).toEqual([]);
    expect(result.delivered).toEqual({ MIGRATING: 2, MIGRATED: 2 });
  });

  it('gives a connection that opts in during the window the notification right after its +OK', async () => {
    const early = await optedIn(a.port, 'external-ip');
    const running = sim.migrate({ waitMs: 800 });
    await early.waitPush('MIGRATING');
    const late = await connect(a.port);
    await late.call(['HELLO', '3'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON']);
    await late.waitPush('MIGRATING');
    const okAt = late.received.findIndex((r) => r.value === 'OK');
    expect(late.received[okAt + 1]).toEqual({ kind: 'push', value: ['MIGRATING', early.pushes[0]![1], 1, '["1"]'] });
    // Opting in again during the same window does not repeat the event.
    expect(await late.call(['CLIENT', 'MAINT_NOTIFICATIONS', 'ON'])).toEqual(['OK']);
    await running;
    await late.waitPush('MIGRATED');
    expect(late.pushes.map((p) => p[0])).toEqual(['MIGRATING', 'MIGRATED']);
  });

  it('notifications off (update_cluster_config) silences every node', async () => {
    const client = await optedIn(a.port, 'external-ip');
    await sim.setFaults({ notifications: false });
    const result = await sim.failover();
    await client.call(['PING']);
    expect(client.pushes).toEqual([]);
    expect(result.delivered).toEqual({ FAILING_OVER: 0, FAILED_OVER: 0 });
  });
});

describe('notifications: MOVING', () => {
  const types: Array<[EndpointType | undefined, (port: number) => string | null]> = [
    ['internal-ip', (p) => `127.0.0.3:${p}`],
    ['external-ip', (p) => `127.0.0.3:${p}`],
    ['internal-fqdn', (p) => `localhost:${p}`],
    ['external-fqdn', (p) => `localhost:${p}`],
    ['none', () => null],
    [undefined, (p) => `127.0.0.3:${p}`],
  ];

  it('announces the target per endpoint type, reachable and on another host; old connections close after time_s', async () => {
    await (await connect(a.port)).call(['SET', 'moving-key', 'same-data']);
    const byType = await Promise.all(types.map(([type]) => optedIn(a.port, type)));
    const bystander = await optedIn(b.port, 'external-ip');
    const started = Date.now();
    const running = sim.moving({ from: [a.id], to: b.id });
    for (const client of byType) await client.waitPush('MOVING');
    types.forEach(([, expected], i) => {
      const push = byType[i]!.pushesOf('MOVING')[0]!;
      expect(push).toEqual(['MOVING', sim.seq, 1, expected(b.port)]);
    });
    for (const [type, expected] of types) {
      const target = expected(b.port);
      if (target === null) continue;
      const [host, port] = target.split(':') as [string, string];
      expect(host).not.toBe('127.0.0.1');
      const moved = await connect(Number(port), host);
      expect(await moved.call(['HELLO', '3'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', type ?? 'external-ip'], ['GET', 'moving-key']))
        .toMatchObject([expect.anything(), 'OK', 'same-data']);
      expect(moved.pushesOf('MOVING')).toEqual([]);
    }
    const result = await running;
    for (const client of byType) await client.waitClosed();
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(bystander.closed).toBe(false);
    expect(bystander.pushes).toEqual([]);
    expect(result.delivered).toEqual({ MOVING: types.length });
    expect(result.closed).toBeGreaterThanOrEqual(types.length);
  });

  it('sends MOVING to a connection that opts in on the old node during the window, and closes it too', async () => {
    const first = await optedIn(a.port, 'external-ip');
    const running = sim.moving({ from: [a.id], to: b.id });
    await first.waitPush('MOVING');
    const late = await optedIn(a.port, 'external-fqdn');
    await late.waitPush('MOVING');
    expect(late.pushesOf('MOVING')[0]).toEqual(['MOVING', first.pushesOf('MOVING')[0]![1], 1, `localhost:${b.port}`]);
    await running;
    await late.waitClosed();
    await first.waitClosed();
  });

  it('moves a lone node onto itself: the announced host differs and moved connections stay', async () => {
    const old = await optedIn(a.port, 'external-ip');
    const running = sim.moving({ from: [a.id], to: a.id });
    await old.waitPush('MOVING');
    const [, , , endpoint] = old.pushesOf('MOVING')[0]!;
    expect(endpoint).toBe(`127.0.0.2:${a.port}`);
    const moved = await optedIn(a.port, 'external-ip', '127.0.0.2');
    await running;
    await old.waitClosed();
    expect(await moved.call(['PING'])).toEqual(['PONG']);
    expect(moved.pushes).toEqual([]);
  });
});

describe('notifications: SMIGRATING / SMIGRATED', () => {
  it('sends SMIGRATING then SMIGRATED triplets and updates the simulated CLUSTER SLOTS', async () => {
    const client = await optedIn(a.port, 'external-ip');
    const before = await client.call(['CLUSTER', 'SLOTS']);
    expect(before[0]).toEqual([[0, 8191, ['127.0.0.1', a.port, `proxy-id-${a.port}`]], [8192, 16383, ['127.0.0.1', b.port, `proxy-id-${b.port}`]]]);
    const result = await sim.smigrate({ from: a.id, to: b.id, slots: '0-99,200' });
    await client.waitPush('SMIGRATED');
    expect(client.pushes).toEqual([
      ['SMIGRATING', result.seq, '0-99,200'],
      ['SMIGRATED', result.seq + 1, [[`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`, '0-99,200']]],
    ]);
    const [after] = await client.call(['cluster', 'slots']);
    expect((after as unknown[])[0]).toEqual([0, 99, ['127.0.0.1', b.port, `proxy-id-${b.port}`]]);
  });
});

describe('notifications: replay of the last completion', () => {
  it('replays the last MIGRATED to a connection that opts in later when enabled', async () => {
    const upstream = { host: redis.host, port: redis.port };
    const replaying = await Simulator.start({ nodes: [{ upstream }], replayLastCompletion: true, timings: { migrateWaitMs: 50 } });
    try {
      const port = replaying.nodes()[0]!.port;
      const result = await replaying.migrate();
      const client = await optedIn(port, 'external-ip');
      await client.waitPush('MIGRATED');
      expect(client.pushes).toEqual([['MIGRATED', result.completionSeq, '["1"]']]);
    } finally {
      await replaying.close();
    }
  });
});
