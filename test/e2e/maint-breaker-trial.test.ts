/**
 * The handoff circuit breaker's trial dial (issue 19, found by the soak): a burst of failed
 * handoffs to one endpoint opens its breaker, and a later MOVING there, once the endpoint accepts
 * again, must not be refused for the rest of the 60 s reset timeout (the server closes the old
 * connections at time_s whatever the client does). Each MOVING gets one trial dial while the
 * breaker is open; the other handoffs to that endpoint wait for its outcome. Real redis-server
 * behind the maintenance simulator; node B refuses connections, then accepts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client, type ClientOptions } from '../../src/index.js';
import { movingFrame, Simulator, type NodeInfo } from '../../src/simulator/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { lostWrites, maintenanceRecorder, progress, startLoad } from './support/maintenance.js';

let redis: RedisServer;
let sim: Simulator;
let a: NodeInfo;
let b: NodeInfo;
let direct: Client;
let clients: Client[] = [];

/** A reset timeout no test waits for: only a MOVING can let a dial through the open breaker. */
const BREAKER = { circuitBreakerFailureThreshold: 2, circuitBreakerResetTimeout: 600_000, maxHandoffRetries: 1 } as const;
/** The shared connection and two idle ones: three handoffs per MOVING, past the threshold. */
const CONNECTIONS = 3;

beforeAll(async () => {
  redis = await startRedis();
  const upstream = { host: redis.host, port: redis.port };
  sim = await Simulator.start({ nodes: [{ upstream }, { upstream }] });
  [a, b] = sim.nodes() as [NodeInfo, NodeInfo];
  direct = createClient({ port: redis.port, maintNotifications: { mode: 'disabled' } });
  await direct.connect();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await sim.setFaults({ refuseConnections: false, connectDelayMs: 0, latencyMs: 0 });
  await waitFor(() => sim.nodes().every((n) => n.activeConnections === 0), 'every client connection closed');
});

afterAll(async () => {
  await direct?.close();
  await sim?.close();
  await redis?.stop();
});

async function onA(options: ClientOptions): Promise<Client> {
  const client = createClient({ port: a.port, minIdleConns: CONNECTIONS - 1, ...options });
  clients.push(client);
  client.on('error', () => undefined);
  await client.connect();
  await waitFor(() => client.connections().length === CONNECTIONS, `${CONNECTIONS} connections`);
  return client;
}

const codeOf = (event: Record<string, unknown>): string | undefined => (event.error as { code?: string } | undefined)?.code;
const bySeq = (events: Array<Record<string, unknown>>, seq: number) => events.filter((e) => e.seq === seq);

describe('a MOVING to an endpoint whose breaker is open', () => {
  it('once the endpoint accepts again, a new MOVING hands every connection off, with zero command errors through time_s', { timeout: 30_000 }, async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], maintNotifications: { mode: 'enabled', ...BREAKER } });
    const stats = () => client.maintNotifications!.getCircuitBreakerStats();

    // B refuses: every handoff of the first MOVING fails and the breaker opens. The server closes
    // the connections at time_s; they reconnect to A (no load runs yet, so nothing fails).
    await sim.setFaults({ refuseConnections: true }, [b.id]);
    const first = await sim.moving({ from: [a.id], to: b.id, timeS: 1 });
    expect(bySeq(recorder.handoffs('failed'), first.seq)).toHaveLength(CONNECTIONS);
    expect(stats().map((s) => s.state)).toEqual(['open']);
    const endpoint = stats()[0]!.endpoint;
    await waitFor(() => recorder.of('onConnectionClosed').filter((e) => e.reason === 'server_close').length === CONNECTIONS, 'the server to close them');
    await waitFor(() => client.isReady && client.connections().length > 0 && client.connections().every((c) => c.endpoint.port === a.port && c.state === 'ready'),
      'a connection back on A');
    const transitionsBefore = recorder.of('onCircuitBreakerStateChange').length;

    // B accepts again, well inside the reset timeout. A new MOVING: one trial, then the rest.
    await sim.setFaults({ refuseConnections: false }, [b.id]);
    const load = startLoad(client, 20, 'breaker-trial:');
    await progress(load, 100);
    const moving = sim.moving({ from: [a.id], to: b.id, timeS: 2 });
    await waitFor(() => recorder.handoffs('succeeded').length > 0, 'the trial handoff');
    const second = await moving;
    await progress(load, 100);
    const { errors, acknowledged } = await load.stop();

    expect(errors).toEqual([]);
    expect(await lostWrites(direct, acknowledged)).toEqual([]);
    // Every connection that got this MOVING was handed off, one dial each: the trial, then the
    // others once it closed the breaker (connections that joined A during the first window may
    // get none and stay: the server does not close those).
    expect(second.delivered.MOVING).toBeGreaterThan(0);
    expect(bySeq(recorder.handoffs('failed'), second.seq)).toEqual([]);
    expect(bySeq(recorder.handoffs('succeeded'), second.seq)).toHaveLength(second.delivered.MOVING!);
    expect(bySeq(recorder.handoffs('started'), second.seq)).toHaveLength(second.delivered.MOVING!);
    const transitions = recorder.of('onCircuitBreakerStateChange').slice(transitionsBefore).map((e) => `${String(e.endpoint)} ${String(e.from)}->${String(e.to)} ${String(e.reason)}`);
    expect(transitions).toEqual([`${endpoint} open->half-open trial-dial`, `${endpoint} half-open->closed trials-succeeded`]);
    expect(stats()).toMatchObject([{ endpoint, state: 'closed', failures: 0 }]);
    expect(client.connections().filter((c) => c.endpoint.port === b.port)).toHaveLength(second.delivered.MOVING!);
  });

  it('a lease whose handshake gets the MOVING while another trial dial is out is held for it, then reopens at the endpoint', { timeout: 30_000 }, async () => {
    const recorder = maintenanceRecorder();
    const client = createClient({ port: a.port, hooks: [recorder], maintNotifications: { mode: 'enabled', ...BREAKER, circuitBreakerFailureThreshold: 1 } });
    clients.push(client);
    client.on('error', () => undefined);
    await client.connect();
    const [first] = client.connections();
    await sim.setFaults({ refuseConnections: true }, [b.id]);
    await sim.moving({ from: [a.id], to: b.id, timeS: 1 });
    await waitFor(() => recorder.of('onConnectionClosed').some((e) => e.connectionId === first!.id && e.reason === 'server_close'), 'the server to close it');
    await waitFor(() => client.isReady && client.connections().some((c) => c.role === 'shared' && c.endpoint.port === a.port && c.state === 'ready'), 'a connection back on A');
    expect(client.maintNotifications!.getCircuitBreakerStats().map((s) => s.state)).toEqual(['open']);

    // B accepts, after 3 s: the next MOVING's trial dial (from the shared connection, through the
    // handoff worker) is out that long. A's replies take 400 ms, so a lease dialled just before
    // that MOVING is still in its handshake when the MOVING reaches it: it reopens at B only
    // after waiting for the trial (the manager's reopen path, not the worker's).
    await sim.setFaults({ refuseConnections: false, connectDelayMs: 3000 }, [b.id]);
    await sim.setFaults({ latencyMs: 400 }, [a.id]);
    const popped = client.blPop('breaker-held:list', 20);
    const moving = sim.moving({ from: [a.id], to: b.id, timeS: 9 });
    moving.catch(() => undefined); // awaited below
    const seq = sim.seq;
    await waitFor(() => recorder.handoffs('succeeded').some((e) => e.seq === seq && e.role === 'lease'), 'the lease reopened at B', 15_000);
    const lease = recorder.handoffs().filter((e) => e.seq === seq && e.role === 'lease');
    expect(lease.map((e) => e.stage)).toEqual(['held', 'started', 'succeeded']);
    expect(lease[2]!.to).toEqual({ host: b.ipHost, port: b.port });
    const trial = recorder.handoffs().filter((e) => e.seq === seq && e.role === 'shared').map((e) => e.stage);
    expect(trial).toEqual(['queued', 'started', 'succeeded']);
    await direct.rPush('breaker-held:list', 'x');
    expect(await popped).toEqual({ key: 'breaker-held:list', element: 'x' });
    expect(client.maintNotifications!.getCircuitBreakerStats().map((s) => s.state)).toEqual(['closed']);
    await moving;
  });

  it('a flood of the same MOVING admits one trial dial: refused by the endpoint, the rest are refused; accepted, the rest follow', { timeout: 30_000 }, async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], maintNotifications: { mode: 'enabled', ...BREAKER } });
    const target = `${b.ipHost}:${b.port}`;
    const flood = (seq: number, copies: number): void => {
      const results = sim.sendToAll(Buffer.concat(Array.from({ length: copies }, () => movingFrame(seq, 30, target))), [a.id]);
      expect(results).toHaveLength(CONNECTIONS);
    };
    const state = () => client.maintNotifications!.getCircuitBreakerStats().find((s) => s.endpoint === target)?.state;
    /** The stages of each connection whose handoff of this MOVING was held. */
    const stagesOfHeld = (seq: number): string[][] => bySeq(recorder.handoffs('held'), seq).map((held) =>
      bySeq(recorder.handoffs(), seq).filter((e) => e.connectionId === held.connectionId).map((e) => String(e.stage)));
    const base = sim.seq + 1_000;
    await sim.setFaults({ refuseConnections: true }, [b.id]);
    flood(base, 1);
    await waitFor(() => recorder.handoffs('failed').length === CONNECTIONS, 'the first handoffs to fail');
    expect(state()).toBe('open');

    // Still refusing: 500 copies of a new MOVING on each connection, 1 500 pushes, one dial.
    const before = recorder.of('onCircuitBreakerStateChange').length;
    flood(base + 1, 500);
    await waitFor(() => bySeq(recorder.handoffs('failed'), base + 1).length === CONNECTIONS, 'every handoff of the flood to end');
    expect(recorder.of('onNotificationHandled').filter((e) => e.seq === base + 1)).toHaveLength(CONNECTIONS * 500);
    expect(bySeq(recorder.handoffs('started'), base + 1)).toHaveLength(1);
    // The others waited for the trial's outcome ('held'; both, unless the trial failed before they
    // reached a worker) and were then refused.
    expect(stagesOfHeld(base + 1)).not.toEqual([]);
    for (const stages of stagesOfHeld(base + 1)) expect(stages).toEqual(['queued', 'held', 'failed']);
    const failed = bySeq(recorder.handoffs('failed'), base + 1).map(codeOf).sort();
    expect(failed).toEqual(['ERR_HANDOFF_CIRCUIT_OPEN', 'ERR_HANDOFF_CIRCUIT_OPEN', 'ERR_HANDOFF_FAILED']);
    expect(recorder.of('onCircuitBreakerStateChange').slice(before).map((e) => `${String(e.from)}->${String(e.to)} ${String(e.reason)}`))
      .toEqual(['open->half-open trial-dial', 'half-open->open trial-failed']);
    expect(state()).toBe('open');
    // A duplicate after the trial failed does nothing more.
    flood(base + 1, 100);
    await waitFor(() => recorder.of('onNotificationHandled').filter((e) => e.seq === base + 1).length === CONNECTIONS * 600, 'the duplicates handled');
    expect(bySeq(recorder.handoffs('started'), base + 1)).toHaveLength(1);

    // Accepting: the next MOVING's flood is one trial, then every other connection follows.
    await sim.setFaults({ refuseConnections: false }, [b.id]);
    const load = startLoad(client, 20, 'breaker-flood:');
    await progress(load, 100);
    flood(base + 2, 500);
    await waitFor(() => bySeq(recorder.handoffs('succeeded'), base + 2).length === CONNECTIONS, 'every connection handed off');
    await progress(load, 100);
    const { errors, acknowledged } = await load.stop();
    expect(errors).toEqual([]);
    expect(await lostWrites(direct, acknowledged)).toEqual([]);
    expect(bySeq(recorder.handoffs('started'), base + 2)).toHaveLength(CONNECTIONS);
    // Held for the trial, then admitted once it succeeded.
    expect(stagesOfHeld(base + 2)).not.toEqual([]);
    for (const stages of stagesOfHeld(base + 2)) expect(stages).toEqual(['queued', 'held', 'started', 'succeeded']);
    expect(bySeq(recorder.handoffs('failed'), base + 2)).toEqual([]);
    expect(state()).toBe('closed');
    expect(client.maintNotifications!.getActiveOperations()).toEqual([]);
  });
});
