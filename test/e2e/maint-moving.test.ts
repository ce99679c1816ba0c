/**
 * MOVING handoffs end to end: hitless behind the maintenance simulator (two nodes in front of one
 * real redis-server), under a 100-caller load. The bar: zero command errors, every acknowledged
 * write readable afterwards, every connection (shared, idle, blocking, pub/sub) moved by the
 * client itself before the server would have closed it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, HandoffError, type Client, type ClientOptions, type Endpoint, type Hook } from '../../src/index.js';
import { movingFrame, Simulator, type EndpointType, type NodeInfo } from '../../src/simulator/index.js';
import { connectedClient, track } from '../helpers/clients.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { lostWrites, maintenanceRecorder, progress, startLoad } from './support/maintenance.js';

let redis: RedisServer;
let sim: Simulator;
let a: NodeInfo;
let b: NodeInfo;
let direct: Client;

beforeAll(async () => {
  redis = await startRedis();
  const upstream = { host: redis.host, port: redis.port };
  sim = await Simulator.start({ nodes: [{ upstream }, { upstream }], timings: { movingTimeS: 2 } });
  [a, b] = sim.nodes() as [NodeInfo, NodeInfo];
  direct = createClient({ port: redis.port, maintNotifications: { mode: 'disabled' } });
  await direct.connect();
});

afterEach(async () => {
  await sim.setFaults({ latencyMs: 0, connectDelayMs: 0, refuseConnections: false, blackhole: false, notifications: true });
});

afterAll(async () => {
  await direct?.close();
  await sim?.close();
  await redis?.stop();
});

const onA = (options: ClientOptions = {}): Promise<Client> => connectedClient({ port: a.port, ...options });

/** What each endpoint type makes the simulator announce for node B. */
function announced(type: EndpointType): Endpoint {
  if (type === 'none') return { host: '127.0.0.1', port: a.port };
  return { host: type.endsWith('-ip') ? b.ipHost : b.fqdnHost, port: b.port };
}

describe('MOVING moves every connection, with zero errors and no lost writes', () => {
  const types: EndpointType[] = ['internal-ip', 'internal-fqdn', 'external-ip', 'external-fqdn', 'none'];
  it.each(types)('endpoint type %s: shared, idle, blocking and pub/sub connections', async (type) => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], minIdleConns: 2, maintNotifications: { mode: 'enabled', endpointType: type } });
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    await waitFor(() => client.connections().filter((c) => c.role === 'idle').length === 2, 'two idle connections');
    const channel = `moving:${type}`;
    const messages: string[] = [];
    await client.subscribe(channel, (message) => messages.push(message));
    const list = `moving:list:${type}`;
    const popped = client.blPop(list, 0);
    await waitFor(() => client.connections().some((c) => c.role === 'lease' && c.pendingReplies === 1), 'BLPOP waiting on a lease');
    // The leases took the idle connections; the pool refills to minIdleConns in the background.
    const roles = (): string[] => client.connections().map((c) => c.role).sort();
    await waitFor(() => roles().join() === 'idle,idle,lease,pubsub,shared', 'every kind of connection');
    const before = new Map(client.connections().map((c) => [c.id, c.role]));

    const load = startLoad(client, 100, `moving:${type}:`);
    await progress(load, 200);
    const dialsBefore = recorder.of('onDial').length;
    const moving = sim.moving({ from: [a.id], to: b.id });
    // Every connection gets its replacement; the blocking one keeps waiting on its old connection
    // and moves when its command returns.
    await waitFor(() => recorder.handoffs('succeeded').length === before.size, 'five handoffs');
    expect(recorder.handoffs('failed')).toEqual([]);
    const blocking = [...before].find(([, role]) => role === 'lease')![0];
    expect(client.connections().find((c) => c.role === 'lease')?.id).toBe(blocking);
    await direct.lPush(list, 'element');
    expect(await popped).toEqual({ key: list, element: 'element' });
    await waitFor(() => !client.connections().some((c) => c.id === blocking), 'the blocking lease moved on release');
    await progress(load, 200);
    // A connection made during the window goes to the announced endpoint, not the configured one.
    const during = client.blPop(`moving:other:${type}`, 0.05);
    await during;

    const result = await moving;
    const { errors: commandErrors, acknowledged } = await load.stop();
    expect(commandErrors).toEqual([]);
    expect(errors).toEqual([]);
    expect(await lostWrites(direct, acknowledged)).toEqual([]);
    // The client closed every old connection itself, before time_s: the server had none left to close.
    expect(result.closed).toBe(0);
    const target = announced(type);
    for (const info of client.connections()) {
      expect(before.has(info.id)).toBe(false);
      expect(info.endpoint).toEqual(target);
    }
    const closed = recorder.of('onConnectionClosed').filter((e) => before.has(e.connectionId as number));
    expect(closed.map((e) => e.reason)).toEqual(Array(before.size).fill('handoff'));
    // Every dial since the MOVING went to the new endpoint: replacements, refills, the lease made during the window.
    const dials = recorder.of('onDial').slice(dialsBefore).map((e) => e.server as Endpoint);
    expect(dials.length).toBeGreaterThanOrEqual(before.size);
    expect(dials.filter((server) => server.port !== target.port || server.host !== target.host)).toEqual([]);
    expect(client.maintNotifications!.getActiveOperations()).toEqual([]);
    // Pub/sub kept working on its new connection.
    await direct.publish(channel, 'after');
    await waitFor(() => messages.includes('after'), 'a message after the move');
  });
});

describe('connection use across a MOVING', () => {
  it('idle / used as the hook events tell it matches connections() before, during and after the handoffs', async () => {
    const states = new Map<number, string>();
    const hook: Hook = {
      name: 'use',
      onConnectionStateChange: (e) => void states.set(e.connectionId, e.state),
      onConnectionClosed: (e) => void states.delete(e.connectionId),
    };
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [hook, recorder], minIdleConns: 2, maintNotifications: { mode: 'enabled' } });
    await client.subscribe('use:moving', () => undefined);
    const count = (state: string): number => [...states.values()].filter((s) => s === state).length;
    const listed = (...roles: string[]): number => client.connections().filter((c) => roles.includes(c.role)).length;
    // Every open connection is known, in the state it last reported: serving ones used, waiting ones
    // idle, and a retiring one (closing after its handoff) in whichever it was.
    const consistent = (): boolean => {
      const used = count('used');
      const idle = count('idle');
      const serving = listed('shared', 'lease', 'pubsub');
      const waiting = listed('idle', 'handoff');
      return used + idle === client.connections().length && used >= serving && idle >= waiting && used + idle - serving - waiting === listed('retiring');
    };
    await waitFor(consistent, 'consistent before');
    const moving = sim.moving({ from: [a.id], to: b.id });
    // Sampled on every handoff step while the replacements come and go.
    const samples: boolean[] = [];
    client.addHook({ name: 'sample', onHandoff: () => void samples.push(consistent()) });
    await waitFor(() => recorder.handoffs('succeeded').length === 4, 'four handoffs');
    await waitFor(() => client.connections().every((c) => c.endpoint.port === b.port), 'the old connections closed');
    await waitFor(consistent, 'consistent after');
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every(Boolean)).toBe(true);
    await moving;
  });
});

describe('handoffs never stall traffic', () => {
  it('a 500 ms connect delay at the new node: the old connection keeps serving while the handoff dials', async () => {
    const recorder = maintenanceRecorder();
    let okAtStart = -1;
    let okAtSwap = -1;
    const client = await onA({
      maintNotifications: { mode: 'enabled' },
      hooks: [recorder, {
        onHandoff: (e) => {
          if (e.stage === 'started') okAtStart = load.ok;
          if (e.stage === 'succeeded') okAtSwap = load.ok;
        },
      }],
    });
    await sim.setFaults({ connectDelayMs: 500 }, [b.id]);
    const load = startLoad(client, 100, 'delay:');
    await progress(load, 200);
    const moving = sim.moving({ from: [a.id], to: b.id, timeS: 3 });
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'the handoff');
    await progress(load, 200);
    const { errors, acknowledged } = await load.stop();
    await moving;
    expect(errors).toEqual([]);
    expect(await lostWrites(direct, acknowledged)).toEqual([]);
    // While the new connection waited 500 ms for the node, hundreds of commands completed on the old one.
    expect(okAtSwap - okAtStart).toBeGreaterThan(500);
  });

  it('an unreachable endpoint: retries, the breaker opens then half-opens, traffic stays on the old connection until the server closes it', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({
      hooks: [recorder],
      maintNotifications: {
        mode: 'enabled', maxHandoffRetries: 3, handoffTimeout: 500, circuitBreakerFailureThreshold: 2, circuitBreakerResetTimeout: 300,
      },
    });
    const shared = client.connections().find((c) => c.role === 'shared')!.id;
    await sim.setFaults({ refuseConnections: true }, [b.id]);
    const load = startLoad(client, 20, 'unreachable:');
    const moving = sim.moving({ from: [a.id], to: b.id, timeS: 3 });
    await waitFor(() => recorder.handoffs('failed').length === 1, 'the handoff to give up', 10_000);
    // Until the server closes it, the old connection serves: no error so far.
    await progress(load, 100);
    expect(load.errors).toEqual([]);
    expect(client.connections().find((c) => c.role === 'shared')!.id).toBe(shared);
    expect(recorder.handoffs('started').length).toBe(3);
    expect(recorder.handoffs('retried').length).toBe(2);
    expect(recorder.handoffs('failed')[0]!.error).toBeInstanceOf(HandoffError);
    const transitions = recorder.of('onCircuitBreakerStateChange').map((e) => `${String(e.from)}->${String(e.to)} ${String(e.reason)}`);
    // The retry after the breaker opened is its trial: admitted for this MOVING at once, or, when
    // the 300 ms reset timeout has passed by then, half-opened by that.
    expect(transitions).toEqual(['closed->open failure-threshold', expect.stringMatching(/^open->half-open (trial-dial|reset-timeout)$/), 'half-open->open trial-failed']);
    expect(client.maintNotifications!.getActiveOperations()).toEqual([]);
    // The failed endpoint no longer receives new connections: a new lease goes to the configured one
    // (where it may get the MOVING too, and cannot follow it either).
    expect(client.maintNotifications!.getState().redirects).toEqual([]);
    expect(await client.blPop('unreachable:list', 0.01)).toBeNull();
    await waitFor(() => client.connections().some((c) => c.role === 'idle'), 'the lease released');
    expect(client.connections().filter((c) => c.role === 'idle').map((c) => c.endpoint.port)).toEqual([a.port]);
    // The server closes the old connection at time_s: ordinary reconnection to the configured endpoint.
    await moving;
    await waitFor(() => client.isReady && client.connections().find((c) => c.role === 'shared')!.id !== shared, 'a reconnect');
    await progress(load, 100);
    const { acknowledged } = await load.stop();
    for (const error of load.errors) expect((error as { code?: string }).code).toMatch(/^ERR_CONNECTION/);
    expect(await lostWrites(direct, acknowledged)).toEqual([]);
    // No socket leaked: the nodes hold exactly the client's connections.
    await waitFor(() => sim.nodes().reduce((n, node) => n + node.activeConnections, 0) === client.connections().length, 'no leaked connection');
  });
});

describe('duplicates, stale events and storms', () => {
  const frames = (from: number, count: number, endpoint: string): Buffer =>
    Buffer.concat(Array.from({ length: count }, (_, i) => movingFrame(from + i, 5, endpoint)));

  it('a duplicate and a stale MOVING are ignored; a storm of 10 000 MOVING does one handoff per connection', { timeout: 60_000 }, async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], minIdleConns: 1, maintNotifications: { mode: 'enabled' } });
    await waitFor(() => client.connections().length === 2, 'two connections');
    const load = startLoad(client, 20, 'storm:');
    // 5 000 MOVING to each connection in one burst: 10 000 notifications.
    sim.sendToAll(frames(100_000, 5_000, `127.0.0.1:${b.port}`), [a.id]);
    await waitFor(() => recorder.of('onNotificationHandled').length === 10_000, 'every notification handled', 45_000);
    await waitFor(() => recorder.handoffs('succeeded').length === 2, 'two handoffs');
    const handled = recorder.of('onNotificationHandled');
    expect(handled.filter((e) => e.outcome === 'handled')).toHaveLength(2);
    expect(handled.filter((e) => e.outcome === 'ignored')).toHaveLength(10_000 - 2);
    expect(recorder.handoffs('started')).toHaveLength(2);
    // The event that moved them, replayed on the new connections, is stale there.
    const replay = recorder.calls.length;
    sim.sendToAll(movingFrame(100_000, 5, `127.0.0.1:${a.port}`), [b.id]);
    await waitFor(() => recorder.of('onNotificationHandled').length === 10_002, 'the replay handled');
    expect(recorder.calls.slice(replay).filter((c) => c.member === 'onNotificationHandled').map((c) => c.event.outcome)).toEqual(['ignored', 'ignored']);
    expect(recorder.calls.slice(replay).some((c) => c.member === 'onHandoff')).toBe(false);
    const { errors } = await load.stop();
    expect(errors).toEqual([]);
    expect(client.maintNotifications!.getActiveOperations()).toEqual([]);
  });
});

describe('a MOVING to where the connection already is', () => {
  it('is ignored: nothing dialled, no handoff, the same connection serves on', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], maintNotifications: { mode: 'enabled' } });
    const [before] = client.connections();
    expect(before!.endpoint).toEqual({ host: '127.0.0.1', port: a.port });
    const dials = recorder.of('onDial').length;
    sim.sendToAll(movingFrame(7, 2, `127.0.0.1:${a.port}`), [a.id]);
    await waitFor(() => recorder.of('onNotificationHandled').length === 1, 'the MOVING handled');
    expect(recorder.of('onNotificationHandled')[0]).toMatchObject({ outcome: 'ignored', detail: `the connection already uses 127.0.0.1:${a.port}` });
    expect(await client.set('moving:same', 'here')).toBe('OK');
    expect(await client.get('moving:same')).toBe('here');
    expect(client.connections().map((c) => c.id)).toEqual([before!.id]);
    expect(recorder.of('onHandoff')).toEqual([]);
    expect(recorder.of('onDial')).toHaveLength(dials);
    expect(client.maintNotifications!.getActiveOperations()).toEqual([]);
    // A later MOVING elsewhere still moves it.
    sim.sendToAll(movingFrame(8, 2, `127.0.0.1:${b.port}`), [a.id]);
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'the real handoff');
  });
});

/** `client` subscribed to `channel` while numbered messages (1, 2, …) are published there directly, until `stop()`. */
async function numberedStream(client: Client, channel: string): Promise<{ received: Set<number>; published: number; stop(): Promise<void> }> {
  const received = new Set<number>();
  await client.subscribe(channel, (message) => received.add(Number(message)));
  let publishing = true;
  const stream = { received, published: 0, stop: async () => {
    publishing = false;
    await publisher;
  } };
  const publisher = (async () => {
    while (publishing) await direct.publish(channel, String(++stream.published));
  })();
  await waitFor(() => received.size > 100, 'messages flowing');
  return stream;
}

describe('leases across MOVING', () => {
  it('pub/sub: numbered messages published throughout, none missed (duplicates allowed)', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], maintNotifications: { mode: 'enabled' } });
    const stream = await numberedStream(client, 'numbers');
    const { received } = stream;
    const moving = sim.moving({ from: [a.id], to: b.id });
    await waitFor(() => recorder.handoffs('succeeded').length === 2, 'shared and pub/sub handed off');
    await waitFor(() => received.size > stream.published - 5 && stream.published > 500, 'messages after the move');
    await stream.stop();
    const { published } = stream;
    await waitFor(() => received.size === published, `all ${published} messages`);
    for (let n = 1; n <= published; n++) expect(received.has(n)).toBe(true);
    expect((await moving).closed).toBe(0);
    expect(client.connections().find((c) => c.role === 'pubsub')!.endpoint.port).toBe(b.port);
  });

  it('pub/sub: the old connection is drained before it closes: with its node 200 ms slower, nothing in flight on it is lost', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], maintNotifications: { mode: 'enabled' } });
    const stream = await numberedStream(client, 'slow-numbers');
    const { received } = stream;
    // Messages reach the subscriber through A 200 ms late; the new subscription on B is confirmed
    // long before those 200 ms of messages have come through the old connection.
    const old = client.connections().find((c) => c.role === 'pubsub')!.id;
    await sim.setFaults({ latencyMs: 200 }, [a.id]);
    const moving = sim.moving({ from: [a.id], to: b.id });
    moving.catch(() => undefined); // awaited below
    try {
      await waitFor(() => recorder.handoffs('succeeded').filter((e) => e.role === 'pubsub').length === 1, 'the pub/sub connection handed off');
      const later = stream.published + 100;
      await waitFor(() => received.has(later), 'messages published after the move');
    } finally {
      await stream.stop();
    }
    const { published } = stream;
    // Once the old connection has closed, everything it was sent has been read.
    await waitFor(() => recorder.of('onConnectionClosed').some((e) => e.connectionId === old), 'the old pub/sub connection closed');
    await waitFor(() => received.has(published), 'the last message', 5_000);
    const missing = Array.from({ length: published }, (_, i) => i + 1).filter((n) => !received.has(n));
    expect(missing).toEqual([]);
    expect((await moving).closed).toBe(0);
    expect(client.connections().find((c) => c.role === 'pubsub')!.endpoint.port).toBe(b.port);
  });

  it('WATCH across MOVING: exec() fails with ERR_HANDOFF_WATCH instead of running; nothing is written', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], maintNotifications: { mode: 'enabled' } });
    await direct.set('watched', 'before');
    let moving: Promise<unknown> = Promise.resolve();
    const outcome = client.watch('watched', async (tx) => {
      await tx.get('watched');
      moving = sim.moving({ from: [a.id], to: b.id });
      await waitFor(() => recorder.handoffs().some((e) => e.role === 'lease' && e.stage === 'succeeded'), 'the watch lease marked for handoff');
      return tx.multi().set('watched', 'after').exec();
    });
    await expect(outcome).rejects.toMatchObject({ code: 'ERR_HANDOFF_WATCH', name: 'HandoffError' });
    expect(await direct.get('watched')).toBe('before');
    await moving;
    // The next watch() runs on a moved connection and succeeds.
    expect(await client.watch('watched', async (tx) => tx.multi().set('watched', 'again').exec())).toEqual(['OK']);
    expect(await direct.get('watched')).toBe('again');
  });

  it('close() during a handoff whose handshake never completes abandons it and leaves no socket behind', async () => {
    const recorder = maintenanceRecorder();
    const client = track(createClient({ port: a.port, hooks: [recorder], maintNotifications: { mode: 'enabled', handoffTimeout: 60_000 } }));
    await client.connect();
    // B accepts and reads, but never answers: the replacement's HELLO would wait for handoffTimeout.
    await sim.setFaults({ blackhole: true }, [b.id]);
    const moving = sim.moving({ from: [a.id], to: b.id, timeS: 1 });
    await waitFor(() => sim.nodes().find((n) => n.id === b.id)!.activeConnections === 1, 'the replacement connected to B');
    await client.close();
    await waitFor(() => sim.nodes().every((n) => n.activeConnections === 0), 'every connection closed');
    const failed = recorder.handoffs('failed');
    expect(failed).toHaveLength(1);
    expect(String((failed[0]!.error as Error).message)).toMatch(/abandoned: the client is closing/);
    await moving;
  });
});
