/**
 * go-redis's maintenance-notification bugs and quirks (reference/maintnotifications.md §3–§4 and
 * §7.3) that apply to hitless, one `describe` each, named after the issue or quirk. Each asserts
 * what hitless deliberately does instead (DESIGN.md "Deliberate differences"), end to end: real
 * redis-servers behind the maintenance simulator.
 *
 * Elsewhere already: #3788 (maint-handshake.test.ts), MaxHandoffRetries 20 kept silently
 * (maint-handshake.test.ts, configuration errors), "no timeout" replaced by the relaxed one
 * (maint-relaxed-timeouts.test.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError, createClient, HandoffError, TimeoutError, type Client, type ClientOptions, type Endpoint, type Hook,
} from '../../src/index.js';
import { movingFrame, Simulator, type NodeInfo, type ScenarioResult } from '../../src/simulator/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { lostWrites, maintenanceRecorder, progress, startLoad } from './support/maintenance.js';

let redis: RedisServer;
/** Requires a password the clients do not have: a handshake there fails (NOAUTH). */
let locked: RedisServer;
let sim: Simulator;
let a: NodeInfo;
let b: NodeInfo;
/** In front of `locked`. */
let c: NodeInfo;
/** Refuses the opt-in like open-source Redis. */
let oss: NodeInfo;
let direct: Client;
let clients: Client[] = [];
let scenarios: Array<Promise<unknown>> = [];
let seq = 10_000;

beforeAll(async () => {
  [redis, locked] = await Promise.all([startRedis(), startRedis({ args: ['--requirepass', 'not-the-clients'] })]);
  const upstream = { host: redis.host, port: redis.port };
  sim = await Simulator.start({
    nodes: [{ upstream }, { upstream }, { upstream: { host: locked.host, port: locked.port } }, { upstream, maintSupport: 'oss' }],
    timings: { migrateWaitMs: 300, movingTimeS: 2 },
  });
  [a, b, c, oss] = sim.nodes() as [NodeInfo, NodeInfo, NodeInfo, NodeInfo];
  direct = createClient({ port: redis.port, maintNotifications: { mode: 'disabled' } });
  await direct.connect();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(scenarios.splice(0));
  await sim.setFaults({ latencyMs: 0, connectDelayMs: 0, refuseConnections: false, blackhole: false, notifications: true });
  await waitFor(() => sim.nodes().every((n) => n.activeConnections === 0), 'every client connection closed');
});

afterAll(async () => {
  await direct?.close();
  await sim?.close();
  await redis?.stop();
  await locked?.stop();
});

/** A connected client on node A, destroyed after the test. */
async function onA(options: ClientOptions = {}): Promise<Client> {
  const client = createClient({ port: a.port, ...options });
  clients.push(client);
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A simulator scenario, awaited after the test at the latest. */
function scenario<T>(promise: Promise<T>): Promise<T> {
  scenarios.push(promise);
  return promise;
}

/** MOVING to `target` on every connection at node `from`, straight from the simulator (no close at time_s). */
function sendMoving(target: Endpoint | null, from: NodeInfo = a, timeS = 5): number {
  const s = ++seq;
  const results = sim.sendToAll(movingFrame(s, timeS, target === null ? null : `${target.host}:${target.port}`), [from.id]);
  expect(results.length).toBeGreaterThan(0);
  for (const result of results) expect(result.success).toBe(true);
  return s;
}

const at = (info: NodeInfo): Endpoint => ({ host: info.ipHost, port: info.port });
const nodeInfo = (id: string): NodeInfo => sim.nodes().find((n) => n.id === id)!;
const codeOf = (error: unknown): string | undefined => (error as { code?: string } | undefined)?.code;

describe('go-redis quirk: activeMovingOps leak (§3.3)', () => {
  it('getActiveOperations() lists a handoff while it runs and is empty once it succeeded', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], maintNotifications: { mode: 'enabled' } });
    await sim.setFaults({ connectDelayMs: 300 }, [b.id]);
    const shared = client.connections()[0]!.id;
    const s = sendMoving(at(b));
    await waitFor(() => recorder.handoffs('started').length === 1, 'the handoff started');
    expect(client.maintNotifications!.getActiveOperations()).toMatchObject([{ seq: s, connectionId: shared, to: at(b), stage: 'started', attempt: 1 }]);
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'the handoff');
    expect(client.maintNotifications!.getActiveOperations()).toEqual([]);
  });

  it('and once it failed, after a retry (unreachable target)', async () => {
    const recorder = maintenanceRecorder();
    let activeWhileRetrying = -1;
    let client!: Client;
    const probe: Hook = {
      onHandoff: (e) => {
        if (e.stage === 'retried') activeWhileRetrying = client.maintNotifications!.getActiveOperations().length;
      },
    };
    client = await onA({ hooks: [recorder, probe], maintNotifications: { mode: 'enabled', maxHandoffRetries: 2 } });
    await sim.setFaults({ refuseConnections: true }, [b.id]);
    sendMoving(at(b));
    await waitFor(() => recorder.handoffs('failed').length === 1, 'the handoff to give up');
    expect(recorder.handoffs('retried')).toHaveLength(1);
    expect(activeWhileRetrying).toBe(1);
    expect(client.maintNotifications!.getActiveOperations()).toEqual([]);
    expect(client.maintNotifications!.getState().connections.map((s) => s.handoff)).toEqual([undefined]);
    expect(await client.ping()).toBe('PONG');
  });
});

describe('go-redis quirk: an opened circuit breaker never half-opens (§4)', () => {
  it('open admits one trial dial per new MOVING; after circuitBreakerResetTimeout it is half-open; a successful handoff there closes it', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({
      hooks: [recorder],
      maintNotifications: {
        mode: 'enabled', maxHandoffRetries: 1, circuitBreakerFailureThreshold: 1, circuitBreakerResetTimeout: 1000, circuitBreakerMaxRequests: 1,
      },
    });
    const endpoint = `${b.ipHost}:${b.port}`;
    const stats = () => client.maintNotifications!.getCircuitBreakerStats().find((s) => s.endpoint === endpoint);
    await sim.setFaults({ refuseConnections: true }, [b.id]);
    sendMoving(at(b));
    await waitFor(() => recorder.handoffs('failed').length === 1, 'the first handoff to fail');
    expect(stats()?.state).toBe('open');

    // While open, a new MOVING gets one trial dial (B still refuses it): the breaker opens again.
    // (maint-breaker-trial.test.ts: the other handoffs of that MOVING are refused without a dial.)
    const dials = recorder.of('onDial').length;
    sendMoving(at(b));
    await waitFor(() => recorder.handoffs('failed').length === 2, 'the trial to fail');
    expect(codeOf(recorder.handoffs('failed')[1]!.error)).toBe('ERR_HANDOFF_FAILED');
    expect(recorder.of('onDial').length).toBe(dials + 1);
    expect(stats()?.state).toBe('open');

    await waitFor(() => stats()?.state === 'half-open', 'the breaker to half-open', 5_000);
    await sim.setFaults({ refuseConnections: false }, [b.id]);
    sendMoving(at(b));
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'a handoff through the half-open breaker');
    expect(stats()?.state).toBe('closed');
    const transitions = recorder.of('onCircuitBreakerStateChange').map((e) => `${String(e.endpoint)} ${String(e.from)}->${String(e.to)}`);
    expect(transitions).toEqual([
      `${endpoint} closed->open`, `${endpoint} open->half-open`, `${endpoint} half-open->open`, `${endpoint} open->half-open`, `${endpoint} half-open->closed`,
    ]);
    expect(client.connections()[0]!.endpoint).toEqual(at(b));
  });
});

describe('go-redis quirk: socket leaks when the replacement\'s handshake fails (§4)', () => {
  it('the dialled socket is closed, and the old connection is not: it keeps serving a load with zero errors', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], maintNotifications: { mode: 'enabled', maxHandoffRetries: 1 } });
    const shared = client.connections()[0]!.id;
    const load = startLoad(client, 20, 'socket-leak:');
    await progress(load, 100);
    const totalBefore = nodeInfo(c.id).totalConnections;
    sendMoving(at(c));
    await waitFor(() => recorder.handoffs('failed').length === 1, 'the handoff to fail');
    const [failed] = recorder.handoffs('failed');
    expect(failed!.error).toBeInstanceOf(HandoffError);
    expect(String((failed!.error as Error).message)).toMatch(/NOAUTH/);
    // C did get the replacement's connection, and it is gone again.
    expect(nodeInfo(c.id).totalConnections).toBe(totalBefore + 1);
    await waitFor(() => nodeInfo(c.id).activeConnections === 0, 'the replacement socket closed');
    // The old connection was not closed by the failure.
    expect(recorder.of('onConnectionClosed').filter((e) => e.connectionId === shared)).toEqual([]);
    await progress(load, 200);
    expect(client.connections().map((x) => [x.id, x.state])).toEqual([[shared, 'ready']]);
    expect(sim.connections(a.id)).toHaveLength(1);
    const { errors, acknowledged } = await load.stop();
    expect(errors).toEqual([]);
    expect(await lostWrites(direct, acknowledged)).toEqual([]);
  });
});

describe('go-redis quirk: the post-handoff relaxation is applied even when init fails (§3.4)', () => {
  it('a failed handshake and a failed dial leave no HANDOFF window anywhere; a successful handoff does open one', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], maintNotifications: { mode: 'enabled', maxHandoffRetries: 1 } });
    sendMoving(at(c));
    await waitFor(() => recorder.handoffs('failed').length === 1, 'the handshake to fail');
    await sim.setFaults({ refuseConnections: true }, [b.id]);
    sendMoving(at(b));
    await waitFor(() => recorder.handoffs('failed').length === 2, 'the dial to fail');
    const handoffWindows = (): Array<Record<string, unknown>> => recorder.of('onTimeoutRelaxed').filter((e) => e.reason === 'HANDOFF');
    expect(handoffWindows()).toEqual([]);
    expect(client.maintNotifications!.getState().connections.map((x) => x.relaxed)).toEqual([[]]);
    // The control: the same connection, handed off for real, gets the window on its replacement.
    await sim.setFaults({ refuseConnections: false }, [b.id]);
    sendMoving(at(b));
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'the handoff');
    expect(handoffWindows().map((e) => e.connectionId)).toEqual([recorder.handoffs('succeeded')[0]!.replacementId]);
  });
});

describe('go-redis quirk: the relaxed timeout replaces the normal one (§3.4)', () => {
  it('commandTimeout 1000, relaxedTimeout 50, replies 200 ms late during MIGRATING: no timeout', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ commandTimeout: 1000, hooks: [recorder], maintNotifications: { mode: 'enabled', relaxedTimeout: 50 } });
    const migration = scenario(sim.migrate({ nodes: [a.id], waitMs: 1500 }));
    await waitFor(() => recorder.of('onTimeoutRelaxed').length === 1, 'the MIGRATING window');
    expect(recorder.of('onTimeoutRelaxed')[0]).toMatchObject({ reason: 'MIGRATING', timeout: 50 });
    await sim.setFaults({ latencyMs: 200 }, [a.id]);
    const results = await Promise.allSettled([client.set('relaxed:k', 'v'), client.get('relaxed:k'), client.ping()]);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason)).toEqual([]);
    expect(client.maintNotifications!.getState().connections[0]!.relaxed).toMatchObject([{ reason: 'MIGRATING', timeout: 50 }]);
    await sim.setFaults({ latencyMs: 0 }, [a.id]);
    await migration;
    expect(results.some((r) => r.status === 'rejected' && r.reason instanceof TimeoutError)).toBe(false);
  });
});

describe('go-redis #3853: auto stays auto after a successful opt-in, and falls back per server', () => {
  it('after an accepted opt-in, a refusing server is still quiet (not promoted to enabled), and other servers still opt in', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder] });
    expect(client.maintNotifications!.mode).toBe('auto');
    expect(sim.connections(a.id)).toMatchObject([{ optedIn: true }]);
    expect(client.maintNotifications!.getState().mode).toBe('auto');

    // A MOVING to the refusing node: the handoff's handshake falls back quietly; the handoff succeeds.
    sendMoving(at(oss));
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'the handoff to the refusing node');
    expect(recorder.handoffs('failed')).toEqual([]);
    expect(client.connections()[0]!.endpoint).toEqual(at(oss));
    expect(sim.connections(oss.id)).toMatchObject([{ optedIn: false }]);
    expect(recorder.of('onMaintenanceFallback')).toMatchObject([{ server: at(oss) }]);
    expect(await client.ping()).toBe('PONG');

    // Another server is asked again and accepts: the refusal did not switch notifications off.
    const other = await client.pool.open('lease', { endpoint: at(b) });
    expect(sim.connections(b.id)).toMatchObject([{ optedIn: true }]);
    const state = client.maintNotifications!.getState();
    expect(state.mode).toBe('auto');
    expect(state.fallbacks).toEqual([at(oss)]);
    expect(state.connections.find((x) => x.connectionId === other.id)).toMatchObject({ optedIn: true });
    other.destroy(undefined, 'application_close');
  });
});

describe('go-redis #3675 / #3707: a nil maintNotifications config', () => {
  it.each([['undefined', undefined], ['{}', {}]] as const)('maintNotifications: %s takes the defaults (auto) and connects', async (_what, maintNotifications) => {
    const client = await onA({ maintNotifications, minIdleConns: 2 });
    await waitFor(() => client.connections().length === 3, 'three connections');
    expect(client.maintNotifications!.mode).toBe('auto');
    expect(sim.connections(a.id)).toHaveLength(3);
    for (const info of sim.connections(a.id)) expect(info.optedIn).toBe(true);
    expect(await Promise.all([client.ping(), client.blPop('nil-config', 0.05), client.blPop('nil-config', 0.05)])).toEqual(['PONG', null, null]);
  });

  it('maintNotifications: null is a ConfigError naming maintNotifications', () => {
    let thrown: unknown;
    try {
      clients.push(createClient({ port: a.port, maintNotifications: null as never }));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).field).toBe('maintNotifications');
    expect((thrown as Error).message).toMatch(/expected an object, got null/);
  });
});

describe('go-redis quirk: a marked-but-unqueued idle connection popped from the pool is destroyed (§3.2)', () => {
  it('endpoint type none: an idle connection leased during the time_s / 2 wait serves its lease, and is handed off on release', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ minIdleConns: 1, hooks: [recorder], maintNotifications: { mode: 'enabled', endpointType: 'none' } });
    await waitFor(() => client.connections().some((x) => x.role === 'idle'), 'an idle connection');
    const idle = client.connections().find((x) => x.role === 'idle')!.id;
    await direct.del('unqueued');
    const movingDone = scenario(sim.moving({ from: [a.id], to: b.id, timeS: 2 }));
    await waitFor(() => recorder.of('onNotificationHandled').filter((e) => e.type === 'MOVING').length === 2, 'MOVING on both connections');
    expect(recorder.of('onNotificationHandled').find((e) => e.connectionId === idle)?.detail).toMatch(/in 1000 ms$/);
    expect(recorder.handoffs()).toEqual([]);

    // Leased while marked and not queued yet.
    const popped = client.blPop('unqueued', 0);
    await waitFor(() => client.connections().some((x) => x.id === idle && x.role === 'lease' && x.pendingReplies === 1), 'the marked connection leased');
    await waitFor(() => recorder.handoffs('succeeded').some((e) => e.connectionId === idle), 'its handoff, while leased');
    // Not destroyed: still the lease's connection, still waiting for its reply.
    expect(client.connections().find((x) => x.id === idle)).toMatchObject({ role: 'lease', state: 'ready', pendingReplies: 1 });
    expect(recorder.of('onConnectionClosed').filter((e) => e.connectionId === idle)).toEqual([]);
    await direct.rPush('unqueued', 'element');
    expect(await popped).toEqual({ key: 'unqueued', element: 'element' });
    // On release the replacement takes its place; the old one is closed by the handoff.
    const replacement = recorder.handoffs('succeeded').find((e) => e.connectionId === idle)!.replacementId;
    await waitFor(() => recorder.of('onConnectionClosed').some((e) => e.connectionId === idle), 'the old connection closed on release');
    expect(client.connections().some((x) => x.id === idle)).toBe(false);
    expect(recorder.of('onConnectionClosed').filter((e) => e.connectionId === idle).map((e) => e.reason)).toEqual(['handoff']);
    expect(client.connections().find((x) => x.id === replacement)).toMatchObject({ role: 'idle', endpoint: { host: '127.0.0.1', port: a.port } });
    expect((await movingDone).closed).toBe(0);
  });
});

describe('go-redis quirk: a notification on an idle connection is only seen at its next use (§1.3)', () => {
  it('an idle lease connection relaxes on MIGRATING at once, and unrelaxes on MIGRATED, while never used', async () => {
    const recorder = maintenanceRecorder();
    let client!: Client;
    const rolesAtRelax = new Map<number, string | undefined>();
    const probe: Hook = {
      onTimeoutRelaxed: (e) => void rolesAtRelax.set(e.connectionId, client.connections().find((x) => x.id === e.connectionId)?.role),
    };
    client = await onA({ minIdleConns: 1, hooks: [recorder, probe], maintNotifications: { mode: 'enabled' } });
    await waitFor(() => client.connections().some((x) => x.role === 'idle'), 'an idle connection');
    const idle = client.connections().find((x) => x.role === 'idle')!.id;
    const migration = scenario(sim.migrate({ nodes: [a.id], waitMs: 300 }));
    await waitFor(() => rolesAtRelax.has(idle), 'the idle connection relaxed');
    expect(rolesAtRelax.get(idle)).toBe('idle');
    expect(client.maintNotifications!.getState().connections.find((x) => x.connectionId === idle)!.relaxed).toMatchObject([{ reason: 'MIGRATING' }]);
    await migration;
    await waitFor(() => recorder.of('onTimeoutUnrelaxed').some((e) => e.connectionId === idle), 'the idle connection unrelaxed');
    expect(recorder.of('onTimeoutUnrelaxed').find((e) => e.connectionId === idle)).toMatchObject({ reason: 'MIGRATING', cause: 'completed' });
    expect(client.connections().find((x) => x.id === idle)?.role).toBe('idle');
  });
});

describe('go-redis quirk: a handoff that cannot be queued removes the connection (§3.2 OnPut step 3)', () => {
  it('queue full: the connection stays in the pool and keeps serving', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ minIdleConns: 2, hooks: [recorder], maintNotifications: { mode: 'enabled', handoffQueueSize: 1, maxWorkers: 1 } });
    await waitFor(() => client.connections().length === 3, 'three connections');
    await sim.setFaults({ connectDelayMs: 300 }, [b.id]);
    sendMoving(at(b));
    await waitFor(() => recorder.handoffs('failed').length === 1, 'one handoff refused');
    const [failed] = recorder.handoffs('failed');
    expect(codeOf(failed!.error)).toBe('ERR_HANDOFF_QUEUE_FULL');
    const refused = failed!.connectionId as number;
    await waitFor(() => recorder.handoffs('succeeded').length === 2, 'the other two handoffs');
    expect(client.connections().find((x) => x.id === refused)).toMatchObject({ state: 'ready', endpoint: { host: '127.0.0.1', port: a.port } });
    expect(recorder.of('onConnectionClosed').filter((e) => e.connectionId === refused)).toEqual([]);
    // Use every connection at once (the shared one and each idle one leased): the refused one serves.
    const idleCount = client.connections().filter((x) => x.role === 'idle').length;
    await direct.del('kept');
    const pops = Array.from({ length: idleCount }, () => client.blPop('kept', 0));
    await waitFor(() => client.connections().filter((x) => x.role === 'lease' && x.pendingReplies === 1).length === idleCount, 'every idle connection leased');
    const serving = client.connections().filter((x) => x.role === 'shared' || x.role === 'lease').map((x) => x.id);
    expect(serving).toContain(refused);
    expect(await client.ping()).toBe('PONG');
    await direct.rPush('kept', ...Array.from({ length: idleCount }, (_, i) => `e${i}`));
    expect((await Promise.all(pops)).map((r) => r?.key)).toEqual(Array(idleCount).fill('kept'));
  });
});

describe('go-redis #3872: a failed handoff must not wedge the connection', () => {
  it('after a failed handoff (target unreachable), a newer MOVING moves the connection', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], maintNotifications: { mode: 'enabled', maxHandoffRetries: 1 } });
    const shared = client.connections()[0]!.id;
    await sim.setFaults({ refuseConnections: true }, [b.id]);
    sendMoving(at(b));
    await waitFor(() => recorder.handoffs('failed').length === 1, 'the failed handoff');
    await sim.setFaults({ refuseConnections: false }, [b.id]);
    const s = sendMoving(at(b));
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'the newer MOVING\'s handoff');
    expect(recorder.handoffs('succeeded')[0]).toMatchObject({ connectionId: shared, seq: s });
    await waitFor(() => client.connections().length === 1 && client.connections()[0]!.id !== shared, 'the swap, and the old connection drained');
    expect(client.connections().map((x) => x.endpoint)).toEqual([at(b)]);
    expect(await client.ping()).toBe('PONG');
  });
});
