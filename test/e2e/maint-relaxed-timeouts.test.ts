/**
 * Relaxed timeouts end to end: hitless behind the maintenance simulator (two nodes in front of one
 * real redis-server). The simulator's latency fault holds back everything a node sends to its
 * clients (replies and push frames alike, in order), so "the server is slow during the
 * maintenance" is real delay on the wire, not a mock.
 *
 * What the client promises (DESIGN.md "Deliberate differences" 2, api-brief):
 *   - MIGRATING / FAILING_OVER / SMIGRATING relax THAT connection: effective timeout =
 *     max(commandTimeout, relaxedTimeout); a command without a timeout stays unbounded;
 *   - the completion closes the window; extra or unmatched completions do nothing;
 *   - a window closes by itself after time_s×1000 + 2×relaxedTimeout;
 *   - a command written while the window was open keeps the relaxed timeout after it closes;
 *   - a replacement (MOVING handoff) gets a HANDOFF window plus its predecessor's open windows;
 *   - every relaxed event is matched by an unrelaxed one (metrics +1/−1 balance).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClient, TimeoutError, type Client, type ClientOptions, type MaintNotificationsOptions } from '../../src/index.js';
import {
  failedOverFrame, failingOverFrame, migratedFrame, migratingFrame, Simulator, smigratingFrame, type NodeInfo,
} from '../../src/simulator/index.js';
import { connectedClient } from '../helpers/clients.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { maintenanceRecorder, progress, startLoad, type Load } from './support/maintenance.js';

const SHARDS = '["1"]';

let redis: RedisServer;
let direct: Client;
let sim: Simulator;
let a: NodeInfo;
let b: NodeInfo;
let loads: Load[] = [];
/** Sequence numbers for hand-made frames: unique and increasing across the file. */
let seq = 10_000;
const nextSeq = (): number => ++seq;

beforeAll(async () => {
  redis = await startRedis();
  direct = createClient({ port: redis.port, maintNotifications: { mode: 'disabled' } });
  await direct.connect();
});

// A fresh simulator per test: no scenario window (MIGRATING, MOVING) of one test can reach the
// connections of the next.
beforeEach(async () => {
  const upstream = { host: redis.host, port: redis.port };
  sim = await Simulator.start({ nodes: [{ upstream }, { upstream }] });
  [a, b] = sim.nodes() as [NodeInfo, NodeInfo];
});

afterEach(async () => {
  // Faults off first, so what is still in flight drains quickly; then the loads, then the nodes.
  await sim.setFaults({ latencyMs: 0, connectDelayMs: 0, refuseConnections: false, blackhole: false, notifications: true });
  await Promise.all(loads.map((load) => load.stop()));
  loads = [];
  await sim.close();
});

afterAll(async () => {
  await direct?.close();
  await redis?.stop();
});

type Recorder = ReturnType<typeof maintenanceRecorder>;
type Event = Record<string, unknown>;

/** A client on node A with the recorder hooked in; destroyed after the test. */
async function onA(recorder: Recorder, options: Omit<ClientOptions, 'maintNotifications'> & { maint?: MaintNotificationsOptions }): Promise<Client> {
  const { maint, ...rest } = options;
  return connectedClient({
    host: '127.0.0.1',
    port: a.port,
    reconnect: { initialDelay: 5, maxDelay: 20 },
    hooks: [recorder],
    ...rest,
    maintNotifications: { mode: 'enabled', ...maint },
  });
}

const matches = (event: Event, filter: Event): boolean => Object.entries(filter).every(([k, v]) => event[k] === v);
const eventsOf = (recorder: Recorder, member: string, filter: Event = {}): Event[] => recorder.of(member).filter((e) => matches(e, filter));

/** Waits for the first `member` event matching `filter` and returns it. */
async function event(recorder: Recorder, member: string, filter: Event, timeoutMs = 5000): Promise<Event> {
  await waitFor(() => eventsOf(recorder, member, filter).length > 0, `${member} ${JSON.stringify(filter)}`, timeoutMs);
  return eventsOf(recorder, member, filter)[0]!;
}

function startLoadTracked(client: Client): Load {
  const load = startLoad(client, 100, `relax:${Date.now()}:${Math.random().toString(36).slice(2)}:`);
  loads.push(load);
  return load;
}

/** A scenario promise run in the background: no unhandled rejection if the simulator closes first. */
function background<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

const sharedId = (client: Client): number => client.connections().find((c) => c.role === 'shared')!.id;
const relaxedOf = (client: Client, connectionId: number) =>
  client.maintNotifications!.getState().connections.find((c) => c.connectionId === connectionId)?.relaxed;
const settle = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));

describe('relaxed timeouts: replies slower than the command timeout during a maintenance', () => {
  it.each([
    ['migrate', 'MIGRATING'],
    ['failover', 'FAILING_OVER'],
    ['smigrate', 'SMIGRATING'],
  ] as const)('%s: replies at 2× the timeout fail nothing under 100 callers; after the completion the timeout is back', async (kind, reason) => {
    const recorder = maintenanceRecorder();
    const client = await onA(recorder, { commandTimeout: 150, maint: { relaxedTimeout: 1500 } });
    const shared = sharedId(client);
    const load = startLoadTracked(client);
    await progress(load, 200);

    // MIGRATING (FAILING_OVER, SMIGRATING) arrives on a busy connection; the completion (MIGRATED,
    // FAILED_OVER, SMIGRATED with its triplets) follows after waitMs.
    const running = background(
      kind === 'migrate' ? sim.migrate({ waitMs: 2000 }) : kind === 'failover' ? sim.failover({ waitMs: 2000 }) : sim.smigrate({ from: a.id, waitMs: 2000 }),
    );
    expect(await event(recorder, 'onTimeoutRelaxed', { connectionId: shared, reason })).toMatchObject({ timeout: 1500 });
    await sim.setFaults({ latencyMs: 300 });
    // At most the ~100 commands in flight had their replies queued before the latency: 300 more
    // completions include at least 200 that waited 300 ms for their reply, twice the timeout.
    await progress(load, 300);
    const { errors } = await load.stop();
    expect(errors).toEqual([]);
    // (The window was open all along: an early close would have shown up as timeouts above.)
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed')).toEqual([]);

    // The completion is held back by the latency too: wait for the client to get it.
    const result = await running;
    expect(result.delivered).toMatchObject({ [reason]: 1 });
    expect(await event(recorder, 'onTimeoutUnrelaxed', { connectionId: shared, reason })).toMatchObject({ cause: 'completed' });
    expect(relaxedOf(client, shared)).toEqual([]);

    // Written after the window, with the server still slow: the normal timeout applies again.
    const late = await client.get('relax:after-window').catch((error: unknown) => error);
    expect(late).toBeInstanceOf(TimeoutError);
    expect(late).toMatchObject({ code: 'ERR_TIMEOUT', command: 'GET', timeout: 150 });
  });

  it('the effective timeout is max(normal, relaxed): a relaxedTimeout below commandTimeout never shortens it', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA(recorder, { commandTimeout: 1000, maint: { relaxedTimeout: 100 } });
    const shared = sharedId(client);
    const load = startLoadTracked(client);
    await progress(load, 200);

    // time_s 5: the window lasts until the MIGRATED below (its backstop is 5.2 s away).
    sim.sendToAll(migratingFrame(nextSeq(), 5, SHARDS));
    expect(await event(recorder, 'onTimeoutRelaxed', { connectionId: shared, reason: 'MIGRATING' })).toMatchObject({ timeout: 100, maxDuration: 5200 });
    expect(relaxedOf(client, shared)).toMatchObject([{ reason: 'MIGRATING', timeout: 100 }]);
    // 300 ms per reply: three times the relaxed timeout (go-redis would use 100 ms here and fail
    // them all), well within the normal one.
    await sim.setFaults({ latencyMs: 300 });
    await progress(load, 300);
    const { errors } = await load.stop();
    expect(errors).toEqual([]);
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed')).toEqual([]);

    sim.sendToAll(migratedFrame(nextSeq(), SHARDS));
    expect(await event(recorder, 'onTimeoutUnrelaxed', { connectionId: shared, reason: 'MIGRATING' })).toMatchObject({ cause: 'completed' });
  });

  it('"no timeout" stays none: BLPOP 0 written during a MIGRATING window waits past the relaxed timeout and the window', async () => {
    const recorder = maintenanceRecorder();
    // One idle lease kept ready, so the BLPOP goes to a connection that is already relaxed.
    const client = await onA(recorder, { commandTimeout: 100, minIdleConns: 1, maint: { relaxedTimeout: 200 } });
    await waitFor(() => client.connections().some((c) => c.role === 'idle'), 'an idle lease connection');
    await waitFor(() => sim.connections(a.id).filter((c) => c.optedIn).length === 2, 'both connections opted in at the simulator');
    const [sharedSim] = sim.connections(a.id);

    // time_s 0: the window's backstop (2 × 200 ms) is the clock of this test.
    sim.sendToAll(migratingFrame(nextSeq(), 0, SHARDS));
    await waitFor(() => eventsOf(recorder, 'onTimeoutRelaxed', { reason: 'MIGRATING' }).length === 2, 'both connections relaxed');
    const relaxedIds = eventsOf(recorder, 'onTimeoutRelaxed').map((e) => e.connectionId);

    const list = `relax:blpop:${Date.now()}`;
    let settled = false;
    const popped = settle(client.blPop(list, 0)).finally(() => (settled = true));
    await waitFor(() => client.connections().some((c) => c.role === 'lease' && c.pendingReplies === 1), 'BLPOP written on a lease');
    const lease = client.connections().find((c) => c.role === 'lease' && c.pendingReplies === 1)!.id;
    expect(relaxedIds).toContain(lease);
    expect(relaxedOf(client, lease)).toMatchObject([{ reason: 'MIGRATING', timeout: 200 }]);

    // The lease's window ends by its backstop, 400 ms after it opened: the BLPOP has waited about
    // twice the relaxed timeout (and four times commandTimeout) inside the window.
    await waitFor(() => eventsOf(recorder, 'onTimeoutUnrelaxed').length === 2, 'both windows ended');
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed', { connectionId: lease })).toMatchObject([{ reason: 'MIGRATING', cause: 'deadline' }]);
    expect(settled).toBe(false);
    // A second clock, after the window: another 400 ms window, on the shared connection only.
    expect(sim.send(sharedSim!.id, migratingFrame(nextSeq(), 0, SHARDS)).success).toBe(true);
    await waitFor(() => eventsOf(recorder, 'onTimeoutRelaxed').length === 3, 'the second window opened');
    expect(eventsOf(recorder, 'onTimeoutRelaxed').at(-1)).toMatchObject({ connectionId: sharedId(client), reason: 'MIGRATING' });
    await waitFor(() => eventsOf(recorder, 'onTimeoutUnrelaxed').length === 3, 'the second window on the shared connection ended');
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed').at(-1)).toMatchObject({ reason: 'MIGRATING', cause: 'deadline' });
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed', { connectionId: lease })).toHaveLength(1);
    expect(settled).toBe(false);
    expect(eventsOf(recorder, 'onConnectionClosed')).toEqual([]);

    await direct.lPush(list, 'element');
    expect(await popped).toEqual({ value: { key: list, element: 'element' } });
  });
});

describe('relaxed timeouts: completions', () => {
  it('extra completions are harmless: MIGRATED without MIGRATING, MIGRATED twice, FAILED_OVER during MIGRATING', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA(recorder, { commandTimeout: 150, maint: { relaxedTimeout: 1500 } });
    const shared = sharedId(client);
    const handled = (type: string): Event[] => eventsOf(recorder, 'onNotificationHandled', { type, connectionId: shared });
    const key = `relax:extra:${Date.now()}`;
    await client.set(key, 'v');

    // A completion with no window open.
    sim.sendToAll(migratedFrame(nextSeq(), SHARDS));
    await waitFor(() => handled('MIGRATED').length === 1, 'the lone MIGRATED handled');
    expect(handled('MIGRATED')[0]).toMatchObject({ outcome: 'ignored' });
    expect(eventsOf(recorder, 'onTimeoutRelaxed')).toEqual([]);
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed')).toEqual([]);

    // FAILED_OVER while only MIGRATING is open: the MIGRATING window stays.
    sim.sendToAll(migratingFrame(nextSeq(), 5, SHARDS));
    await event(recorder, 'onTimeoutRelaxed', { connectionId: shared, reason: 'MIGRATING' });
    sim.sendToAll(failedOverFrame(nextSeq(), SHARDS));
    await waitFor(() => handled('FAILED_OVER').length === 1, 'FAILED_OVER handled');
    expect(handled('FAILED_OVER')[0]).toMatchObject({ outcome: 'ignored' });
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed')).toEqual([]);
    expect(relaxedOf(client, shared)).toMatchObject([{ reason: 'MIGRATING', timeout: 1500 }]);
    // ...and still relaxes: a reply at twice the timeout gets through.
    await sim.setFaults({ latencyMs: 300 });
    expect(await client.get(key)).toBe('v');
    await sim.setFaults({ latencyMs: 0 });

    // MIGRATED twice (two frames in one write): the first closes the window, the second does nothing.
    sim.sendToAll(Buffer.concat([migratedFrame(nextSeq(), SHARDS), migratedFrame(nextSeq(), SHARDS)]));
    await waitFor(() => handled('MIGRATED').length === 3, 'both MIGRATED handled');
    expect(handled('MIGRATED').slice(1).map((e) => e.outcome)).toEqual(['handled', 'ignored']);
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed')).toMatchObject([{ connectionId: shared, reason: 'MIGRATING', cause: 'completed' }]);
    expect(relaxedOf(client, shared)).toEqual([]);

    // Nothing was left over in either direction: a new window relaxes, its completion ends it.
    sim.sendToAll(migratingFrame(nextSeq(), 5, SHARDS));
    await waitFor(() => eventsOf(recorder, 'onTimeoutRelaxed').length === 2, 'the second MIGRATING window');
    await sim.setFaults({ latencyMs: 300 });
    expect(await client.get(key)).toBe('v');
    sim.sendToAll(migratedFrame(nextSeq(), SHARDS));
    await waitFor(() => eventsOf(recorder, 'onTimeoutUnrelaxed').length === 2, 'the second window completed');
    const late = await client.get(key).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(TimeoutError);
    expect(late).toMatchObject({ code: 'ERR_TIMEOUT', timeout: 150 });
  });

  it('backstop: a MIGRATING whose MIGRATED never comes ends by itself (2 × relaxedTimeout); then slow commands time out again', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA(recorder, { commandTimeout: 100, maint: { relaxedTimeout: 200 } });
    const shared = sharedId(client);
    sim.sendToAll(migratingFrame(nextSeq(), 0, SHARDS));
    expect(await event(recorder, 'onTimeoutRelaxed', { connectionId: shared })).toMatchObject({ reason: 'MIGRATING', timeout: 200, maxDuration: 400 });
    expect(await event(recorder, 'onTimeoutUnrelaxed', { connectionId: shared })).toMatchObject({ reason: 'MIGRATING', cause: 'deadline' });
    expect(relaxedOf(client, shared)).toEqual([]);

    await sim.setFaults({ latencyMs: 300 });
    const late = await client.get('relax:backstop').catch((error: unknown) => error);
    expect(late).toBeInstanceOf(TimeoutError);
    expect(late).toMatchObject({ code: 'ERR_TIMEOUT', command: 'GET', timeout: 100 });
  });

  it('backstop: a MIGRATING with time_s 1 gets 1000 + 2 × relaxedTimeout', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA(recorder, { commandTimeout: 100, maint: { relaxedTimeout: 200 } });
    const shared = sharedId(client);
    sim.sendToAll(failingOverFrame(nextSeq(), 2, SHARDS));
    sim.sendToAll(migratingFrame(nextSeq(), 1, SHARDS));
    await waitFor(() => eventsOf(recorder, 'onTimeoutRelaxed').length === 2, 'both windows open');
    expect(eventsOf(recorder, 'onTimeoutRelaxed')).toMatchObject([
      { connectionId: shared, reason: 'FAILING_OVER', timeout: 200, maxDuration: 2400 },
      { connectionId: shared, reason: 'MIGRATING', timeout: 200, maxDuration: 1400 },
    ]);
    const windows = relaxedOf(client, shared)!;
    expect([...windows].map((w) => w.reason).sort()).toEqual(['FAILING_OVER', 'MIGRATING']);
    for (const w of windows) expect(w.remaining).toBeLessThanOrEqual(w.reason === 'MIGRATING' ? 1400 : 2400);
    sim.sendToAll(Buffer.concat([migratedFrame(nextSeq(), SHARDS), failedOverFrame(nextSeq(), SHARDS)]));
    await waitFor(() => eventsOf(recorder, 'onTimeoutUnrelaxed').length === 2, 'both windows completed');
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed').map((e) => [e.reason, e.cause])).toEqual([['MIGRATING', 'completed'], ['FAILING_OVER', 'completed']]);
  });

  it('a command written during the window is not failed the instant the window closes', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA(recorder, { commandTimeout: 150, maint: { relaxedTimeout: 2000 } });
    const shared = sharedId(client);
    const key = `relax:grace:${Date.now()}`;
    await client.set(key, 'v');
    sim.sendToAll(migratingFrame(nextSeq(), 5, SHARDS));
    await event(recorder, 'onTimeoutRelaxed', { connectionId: shared, reason: 'MIGRATING' });

    // The latency fault keeps the node's output in order, each piece due max(now + latency, the
    // previous piece's due time). So:
    //   t0  MIGRATED is queued at 300 ms latency: it reaches the client at t0 + 300;
    //   t0  the latency goes up to 600 ms, and the GET is issued (written at t0 + ε, while the
    //       window is open): its reply is queued after that, due at t0 + ε + 600.
    // The window therefore closes at t0 + 300 with the GET written and waiting, and its reply
    // comes 300 ms later, 450 ms past the GET's normal deadline (written + 150). Failing it at the
    // close (normal timeout, already overdue) would be wrong; it keeps the relaxed 2000 ms.
    let pendingAtClose = -1;
    let settledAtClose = true;
    let settled = false;
    client.addHook({
      name: 'AtClose',
      onTimeoutUnrelaxed: () => {
        pendingAtClose = client.connections().find((c) => c.role === 'shared')!.pendingReplies;
        settledAtClose = settled;
      },
    });
    await sim.setFaults({ latencyMs: 300 });
    sim.sendToAll(migratedFrame(nextSeq(), SHARDS));
    await sim.setFaults({ latencyMs: 600 });
    const get = settle(client.get(key)).finally(() => (settled = true));

    expect(await event(recorder, 'onTimeoutUnrelaxed', { connectionId: shared, reason: 'MIGRATING' })).toMatchObject({ cause: 'completed' });
    expect(pendingAtClose).toBe(1);
    expect(settledAtClose).toBe(false);
    expect(await get).toEqual({ value: 'v' });
    expect(eventsOf(recorder, 'onConnectionClosed')).toEqual([]);

    // The grace is only for what was written before the close: a new GET has the normal timeout.
    const late = await client.get(key).catch((error: unknown) => error);
    expect(late).toBeInstanceOf(TimeoutError);
    expect(late).toMatchObject({ code: 'ERR_TIMEOUT', command: 'GET', timeout: 150 });
  });
});

describe('relaxed timeouts: per connection, and across handoffs', () => {
  it('relaxation is per connection: a MIGRATING sent to one connection relaxes only that one', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA(recorder, { commandTimeout: 150, minIdleConns: 2, maint: { relaxedTimeout: 1500 } });
    await waitFor(() => client.connections().filter((c) => c.role === 'idle').length === 2, 'two idle connections');
    await waitFor(() => sim.connections(a.id).filter((c) => c.optedIn).length === 3, 'three connections opted in at the simulator');
    expect(client.maintNotifications!.getState().connections).toHaveLength(3);

    const target = sim.connections(a.id)[2]!;
    expect(sim.send(target.id, migratingFrame(nextSeq(), 5, SHARDS)).success).toBe(true);
    const relaxed = await event(recorder, 'onTimeoutRelaxed', { reason: 'MIGRATING' });
    expect(eventsOf(recorder, 'onTimeoutRelaxed')).toHaveLength(1);
    const states = client.maintNotifications!.getState().connections;
    expect(states.filter((c) => c.relaxed.length > 0)).toMatchObject([{ connectionId: relaxed.connectionId, relaxed: [{ reason: 'MIGRATING', timeout: 1500 }] }]);
    expect(states.filter((c) => c.connectionId !== relaxed.connectionId).map((c) => c.relaxed)).toEqual([[], []]);

    sim.send(target.id, migratedFrame(nextSeq(), SHARDS));
    expect(await event(recorder, 'onTimeoutUnrelaxed', { connectionId: relaxed.connectionId })).toMatchObject({ reason: 'MIGRATING', cause: 'completed' });
    expect(client.maintNotifications!.getState().connections.every((c) => c.relaxed.length === 0)).toBe(true);
  });

  it('a replacement gets a HANDOFF window and its predecessor\'s MIGRATING; with MIGRATED only on the old node it ends by the inherited backstop', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA(recorder, { commandTimeout: 1000, maint: { relaxedTimeout: 400, postHandoffRelaxedDuration: 5000 } });
    const old = sharedId(client);

    // A migration announced on node A only (time_s 1: a 1000 + 800 ms backstop). Mid-window, node A
    // moves the client to node B. The simulator, like a real endpoint, sends the MIGRATED to the
    // connections of node A, where the client no longer is: the replacement's inherited window
    // must end by itself, no later than the original would have.
    const migrating = background(sim.migrate({ waitMs: 600, nodes: [a.id] }));
    const original = await event(recorder, 'onTimeoutRelaxed', { connectionId: old, reason: 'MIGRATING' });
    expect(original).toMatchObject({ timeout: 400, maxDuration: 1800 });
    const moving = background(sim.moving({ from: [a.id], to: b.id, timeS: 1 }));
    const replacement = (await event(recorder, 'onHandoff', { stage: 'succeeded', connectionId: old })).replacementId as number;
    expect(replacement).not.toBe(old);

    const onReplacement = eventsOf(recorder, 'onTimeoutRelaxed', { connectionId: replacement });
    expect(onReplacement.map((e) => e.reason).sort()).toEqual(['HANDOFF', 'MIGRATING']);
    expect(onReplacement.find((e) => e.reason === 'HANDOFF')).toMatchObject({ timeout: 400, maxDuration: 5000, server: { host: b.ipHost, port: b.port } });
    const inherited = onReplacement.find((e) => e.reason === 'MIGRATING')!;
    expect(inherited).toMatchObject({ timeout: 400 });
    expect(inherited.maxDuration as number).toBeGreaterThan(0);
    expect(inherited.maxDuration as number).toBeLessThan(1800);
    const state = client.maintNotifications!.getState().connections.find((c) => c.connectionId === replacement);
    expect(state).toMatchObject({ server: { host: b.ipHost, port: b.port } });
    expect(state!.relaxed.map((w) => w.reason).sort()).toEqual(['HANDOFF', 'MIGRATING']);
    // The old connection is closed by the handoff: its window ends with it.
    expect(await event(recorder, 'onTimeoutUnrelaxed', { connectionId: old, reason: 'MIGRATING' })).toMatchObject({ cause: 'closed' });

    const result = await migrating;
    expect(result.delivered).toEqual({ MIGRATING: 1, MIGRATED: 0 });
    expect(await event(recorder, 'onTimeoutUnrelaxed', { connectionId: replacement, reason: 'MIGRATING' })).toMatchObject({ cause: 'deadline' });
    expect(sim.connections(b.id).flatMap((c) => c.notifications)).toEqual([]);
    await moving;
    expect(await client.set('relax:after-handoff', 'ok')).toBe('OK');
  });

  it('a MIGRATED that reaches the replacement closes its inherited window; the HANDOFF one stays', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA(recorder, { commandTimeout: 1000, maint: { relaxedTimeout: 400, postHandoffRelaxedDuration: 5000 } });
    const old = sharedId(client);
    sim.sendToAll(migratingFrame(nextSeq(), 5, SHARDS), [a.id]);
    await event(recorder, 'onTimeoutRelaxed', { connectionId: old, reason: 'MIGRATING' });
    const moving = background(sim.moving({ from: [a.id], to: b.id, timeS: 1 }));
    const replacement = (await event(recorder, 'onHandoff', { stage: 'succeeded', connectionId: old })).replacementId as number;
    await event(recorder, 'onTimeoutRelaxed', { connectionId: replacement, reason: 'MIGRATING' });

    // The migration ends; this time the node the client is on now tells it.
    await waitFor(() => sim.connections(b.id).some((c) => c.optedIn), 'the replacement opted in at node B');
    sim.sendToAll(migratedFrame(nextSeq(), SHARDS), [b.id]);
    expect(await event(recorder, 'onTimeoutUnrelaxed', { connectionId: replacement, reason: 'MIGRATING' })).toMatchObject({ cause: 'completed' });
    expect(relaxedOf(client, replacement)).toMatchObject([{ reason: 'HANDOFF', timeout: 400 }]);
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed', { connectionId: replacement, reason: 'HANDOFF' })).toEqual([]);
    await moving;
  });

  it('post-handoff window: HANDOFF with timeout = relaxedTimeout on the replacement, ended by postHandoffRelaxedDuration', async () => {
    const recorder = maintenanceRecorder();
    const client = await onA(recorder, { commandTimeout: 150, maint: { relaxedTimeout: 700, postHandoffRelaxedDuration: 300 } });
    const old = sharedId(client);
    const moving = background(sim.moving({ from: [a.id], to: b.id, timeS: 1 }));
    const replacement = (await event(recorder, 'onHandoff', { stage: 'succeeded', connectionId: old })).replacementId as number;
    expect(eventsOf(recorder, 'onTimeoutRelaxed')).toMatchObject([
      { connectionId: replacement, reason: 'HANDOFF', timeout: 700, maxDuration: 300, server: { host: b.ipHost, port: b.port } },
    ]);
    expect(await event(recorder, 'onTimeoutUnrelaxed', { connectionId: replacement })).toMatchObject({ reason: 'HANDOFF', cause: 'deadline' });
    expect(eventsOf(recorder, 'onTimeoutUnrelaxed')).toHaveLength(1);
    expect(relaxedOf(client, replacement)).toEqual([]);
    await moving;
  });

  it('every relaxed event has its unrelaxed one once the client is closed (metrics stay balanced)', async () => {
    const recorder = maintenanceRecorder();
    // postHandoffRelaxedDuration left at 0: 2 × relaxedTimeout.
    const client = await onA(recorder, { commandTimeout: 500, minIdleConns: 1, maint: { relaxedTimeout: 1000 } });
    await waitFor(() => client.connections().some((c) => c.role === 'idle'), 'an idle lease connection');
    await waitFor(() => sim.connections(a.id).filter((c) => c.optedIn).length === 2, 'both connections opted in');
    const load = startLoadTracked(client);
    await progress(load, 100);

    // Two windows on each connection, then a MOVING: every replacement inherits them and gets a
    // HANDOFF window; the client is closed while they are all open.
    sim.sendToAll(Buffer.concat([migratingFrame(nextSeq(), 10, SHARDS), failingOverFrame(nextSeq(), 10, SHARDS)]));
    await waitFor(() => eventsOf(recorder, 'onTimeoutRelaxed').length === 4, 'four windows');
    const moving = background(sim.moving({ from: [a.id], to: b.id, timeS: 1 }));
    await waitFor(() => eventsOf(recorder, 'onHandoff', { stage: 'succeeded' }).length >= 1, 'the shared connection handed off');
    const replacement = eventsOf(recorder, 'onHandoff', { stage: 'succeeded' })[0]!.replacementId as number;
    await waitFor(() => eventsOf(recorder, 'onTimeoutRelaxed', { connectionId: replacement }).length === 3, 'three windows on the replacement');
    expect(eventsOf(recorder, 'onTimeoutRelaxed', { connectionId: replacement, reason: 'HANDOFF' })).toMatchObject([{ timeout: 1000, maxDuration: 2000 }]);
    await progress(load, 100);
    // One more window, opened on the new node, open at close too.
    sim.sendToAll(smigratingFrame(nextSeq(), '0-100'), [b.id]);
    await event(recorder, 'onTimeoutRelaxed', { connectionId: replacement, reason: 'SMIGRATING' });
    const { errors } = await load.stop();
    expect(errors).toEqual([]);

    const relaxedCount = eventsOf(recorder, 'onTimeoutRelaxed').length;
    expect(relaxedCount).toBeGreaterThanOrEqual(8);
    await client.close();
    const relaxed = eventsOf(recorder, 'onTimeoutRelaxed');
    const unrelaxed = eventsOf(recorder, 'onTimeoutUnrelaxed');
    const keyOf = (e: Event): string => `${String(e.connectionId)}/${String(e.reason)}`;
    expect(unrelaxed.map(keyOf).sort()).toEqual(relaxed.map(keyOf).sort());
    expect(unrelaxed.length).toBe(relaxed.length);
    // Windows still open when their connection went away end as 'closed'.
    expect(unrelaxed.filter((e) => e.connectionId === replacement).map((e) => e.cause)).toEqual(['closed', 'closed', 'closed', 'closed']);
    await moving;
  });
});
