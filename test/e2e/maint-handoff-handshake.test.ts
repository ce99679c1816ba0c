/**
 * What a handoff's replacement connection gets: the full handshake (AUTH, SELECT, client name,
 * the opt-in) and, over TLS, a verified certificate for the endpoint it moves to; and how the
 * handoff worker pool behaves when it is small (queue full, bounded concurrency) or told to wait
 * (`none` endpoint type). Real redis-servers behind the maintenance simulator.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConnectionError, createClient, HandoffError, type Client, type ClientOptions, type Endpoint, type HandshakeEvent, type Hook,
} from '../../src/index.js';
import { movingFrame, Simulator, type NodeInfo, type ScenarioResult } from '../../src/simulator/index.js';
import { makeCertificate, type Certificate } from '../helpers/certificates.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { lostWrites, maintenanceRecorder, progress, startLoad } from './support/maintenance.js';

const PASSWORD = 'secret';
const OPT_IN = 'CLIENT MAINT_NOTIFICATIONS';

/** Valid for localhost, ::1 and 127.0.0.1…16: every address a node listens on or announces. */
let certificate: Certificate;
/** Valid for 'localhost' only: verification against a 127.0.0.x host fails. */
let localhostOnly: Certificate;
let redis: RedisServer;
let sim: Simulator;
let a: NodeInfo;
let b: NodeInfo;
/** Three TLS nodes: ta and tb with `certificate`, tc with `localhostOnly`. */
let tlsSim: Simulator;
let ta: NodeInfo;
let tb: NodeInfo;
let tc: NodeInfo;
/** Straight to the redis-server, database 3 and 0. */
let direct: Client;
let direct0: Client;
let clients: Client[] = [];
let movings: Array<Promise<ScenarioResult>> = [];

beforeAll(async () => {
  certificate = makeCertificate();
  localhostOnly = makeCertificate(['localhost']);
  redis = await startRedis({ args: ['--requirepass', PASSWORD] });
  const upstream = { host: redis.host, port: redis.port };
  sim = await Simulator.start({ nodes: [{ upstream }, { upstream }], timings: { movingTimeS: 2 } });
  [a, b] = sim.nodes() as [NodeInfo, NodeInfo];
  const full = { cert: certificate.cert, key: certificate.key };
  tlsSim = await Simulator.start({
    nodes: [{ upstream, tls: full }, { upstream, tls: full }, { upstream, tls: { cert: localhostOnly.cert, key: localhostOnly.key } }],
    timings: { movingTimeS: 2 },
  });
  [ta, tb, tc] = tlsSim.nodes() as [NodeInfo, NodeInfo, NodeInfo];
  direct = createClient({ port: redis.port, password: PASSWORD, db: 3, maintNotifications: { mode: 'disabled' } });
  direct0 = createClient({ port: redis.port, password: PASSWORD, db: 0, maintNotifications: { mode: 'disabled' } });
  await Promise.all([direct.connect(), direct0.connect()]);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(movings.splice(0));
  const reset = { latencyMs: 0, connectDelayMs: 0, refuseConnections: false, blackhole: false, notifications: true };
  await Promise.all([sim.setFaults(reset), tlsSim.setFaults(reset)]);
  await waitFor(() => [...sim.nodes(), ...tlsSim.nodes()].every((n) => n.activeConnections === 0), 'every client connection closed');
});

afterAll(async () => {
  await direct?.close();
  await direct0?.close();
  await sim?.close();
  await tlsSim?.close();
  await redis?.stop();
});

/** A connected client (password given), destroyed after the test. */
async function make(options: ClientOptions): Promise<Client> {
  const client = createClient({ password: PASSWORD, ...options });
  clients.push(client);
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A MOVING scenario, awaited after the test at the latest. */
function moving(on: Simulator, options: Parameters<Simulator['moving']>[0]): Promise<ScenarioResult> {
  const result = on.moving(options);
  movings.push(result);
  return result;
}

const node = (on: Simulator, id: string): NodeInfo => on.nodes().find((n) => n.id === id)!;
const causes = (error: unknown): unknown[] => {
  const chain: unknown[] = [];
  for (let e = error; e !== undefined && e !== null && chain.length < 10; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
};
const codeOf = (error: unknown): string | undefined => (error as { code?: string }).code;

describe('a handoff runs the full handshake on the new connection', () => {
  it('password, db 3 and client name: the replacements are authenticated, on db 3, named mover, and opted in again', async () => {
    const recorder = maintenanceRecorder();
    const handshakes: HandshakeEvent[] = [];
    const client = await make({
      port: a.port, db: 3, name: 'mover', minIdleConns: 1,
      hooks: [recorder, { onHandshake: (e) => void handshakes.push(e) }],
      maintNotifications: { mode: 'enabled' },
    });
    await waitFor(() => client.connections().length === 2, 'the shared and one idle connection');
    const before = client.connections().map((c) => c.id);
    const done = moving(sim, { from: [a.id], to: b.id });
    await waitFor(() => recorder.handoffs('succeeded').length === 2, 'both handoffs');
    expect(recorder.handoffs('failed')).toEqual([]);

    const replacements = recorder.handoffs('succeeded').map((e) => e.replacementId as number);
    for (const id of replacements) {
      const handshake = handshakes.find((h) => h.connectionId === id)!;
      expect(handshake.server).toEqual({ host: b.ipHost, port: b.port });
      expect(handshake.error).toBeUndefined();
      expect(handshake.steps.map((s) => s.name)).toEqual(['HELLO', 'SELECT', OPT_IN, 'CLIENT SETINFO']);
      for (const step of handshake.steps.filter((s) => s.name !== 'CLIENT SETINFO')) expect(step).toMatchObject({ error: undefined, skipped: undefined });
    }
    await waitFor(() => client.connections().every((c) => !before.includes(c.id)), 'the old connections replaced');
    expect(client.connections().map((c) => c.endpoint)).toEqual([{ host: b.ipHost, port: b.port }, { host: b.ipHost, port: b.port }]);

    // Database 3: a write through the client lands there, not in 0.
    await client.set('handoff:db', 'three');
    expect(await direct.get('handoff:db')).toBe('three');
    expect(await direct0.get('handoff:db')).toBeNull();
    // An idle replacement, leased, is on db 3 too.
    await direct.del('handoff:list');
    const popped = client.blPop('handoff:list', 0);
    await waitFor(() => client.connections().some((c) => c.role === 'lease' && replacements.includes(c.id) && c.pendingReplies === 1), 'a replacement leased');
    await direct.rPush('handoff:list', 'x');
    expect(await popped).toEqual({ key: 'handoff:list', element: 'x' });
    expect(await client.sendCommand(['CLIENT', 'GETNAME'])).toBe('mover');

    // On the server: exactly the client's connections carry the name, and all have db 3 selected.
    const named = async (): Promise<string[]> =>
      String(await direct.sendCommand(['CLIENT', 'LIST'])).split('\n').filter((line) => line.includes(' name=mover '));
    await waitFor(async () => (await named()).length === client.connections().length, 'one named server connection per client connection');
    for (const line of await named()) expect(line).toContain(' db=3 ');

    // Opted in again on the new node; nothing left on the old one.
    await waitFor(() => sim.connections(a.id).length === 0, 'the old connections gone from A');
    expect(sim.connections(b.id)).toHaveLength(client.connections().length);
    for (const info of sim.connections(b.id)) expect(info).toMatchObject({ optedIn: true, endpointType: 'internal-ip' });
    expect((await done).closed).toBe(0);
  });
});

describe('TLS handoffs verify the new endpoint\'s certificate', () => {
  it.each([
    ['internal-fqdn', (): string => 'localhost'],
    ['internal-ip', (): string => tb.ipHost],
  ] as const)('%s: the replacement connects over TLS to the announced host and serves a 20-caller load with zero errors', async (endpointType, host) => {
    const recorder = maintenanceRecorder();
    const client = await make({
      host: '127.0.0.1', port: ta.port, tls: { ca: certificate.cert }, hooks: [recorder], maintNotifications: { mode: 'enabled', endpointType },
    });
    const load = startLoad(client, 20, `tls-handoff:${endpointType}:`);
    await progress(load, 100);
    const dials = recorder.of('onDial').length;
    const done = moving(tlsSim, { from: [ta.id], to: tb.id });
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'the handoff');
    await progress(load, 200);
    const { errors, acknowledged } = await load.stop();
    expect(errors).toEqual([]);
    expect(await lostWrites(direct0, acknowledged)).toEqual([]);
    const target: Endpoint = { host: host(), port: tb.port };
    expect(recorder.handoffs('succeeded')[0]!.to).toEqual(target);
    expect(recorder.of('onDial').slice(dials)).toMatchObject([{ server: target, tls: true, error: undefined }]);
    await waitFor(() => client.connections().length === 1, 'the old connection drained');
    expect(client.connections().map((c) => c.endpoint)).toEqual([target]);
    expect(tlsSim.connections(tb.id)).toMatchObject([{ optedIn: true, endpointType }]);
    expect(node(tlsSim, tb.id).tlsHandshakeFailures).toBe(0);
    expect((await done).closed).toBe(0);
  });

  it('a certificate without the announced IP: the handoff fails verification, the old connection serves until the server closes it', async () => {
    const recorder = maintenanceRecorder();
    const client = await make({
      host: '127.0.0.1', port: ta.port, tls: { ca: [certificate.cert, localhostOnly.cert] }, hooks: [recorder],
      maintNotifications: { mode: 'enabled', endpointType: 'internal-ip', maxHandoffRetries: 1 },
    });
    const shared = client.connections()[0]!.id;
    const load = startLoad(client, 20, 'tls-handoff:bad:');
    await progress(load, 100);
    const done = moving(tlsSim, { from: [ta.id], to: tc.id, timeS: 2 });
    await waitFor(() => recorder.handoffs('failed').length === 1, 'the handoff to fail');
    const [failed] = recorder.handoffs('failed');
    expect(failed).toMatchObject({ connectionId: shared, to: { host: tc.ipHost, port: tc.port }, attempt: 1 });
    expect(failed!.error).toBeInstanceOf(HandoffError);
    expect(String((failed!.error as Error).message)).toMatch(/altnames/);
    expect(causes(failed!.error).map(codeOf)).toContain('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(recorder.handoffs('succeeded')).toEqual([]);
    // Nothing dialled for the handoff stays open at C.
    await waitFor(() => node(tlsSim, tc.id).activeConnections === 0, 'no socket left at C');
    // Until the server closes it, the old connection keeps serving, without a single error.
    await progress(load, 200);
    expect(load.errors).toEqual([]);
    expect(client.connections().map((c) => c.id)).toEqual([shared]);

    const result = await done;
    expect(result.closed).toBe(1);
    await waitFor(() => client.isReady && client.connections()[0]?.id !== shared, 'a reconnect after the server closed it');
    await progress(load, 100);
    const { errors, acknowledged } = await load.stop();
    for (const error of errors) expect(error).toBeInstanceOf(ConnectionError);
    expect(await lostWrites(direct0, acknowledged)).toEqual([]);
    expect(client.connections()[0]!.endpoint).toEqual({ host: '127.0.0.1', port: ta.port });
  });

  it('a configured servername is not reused for another host: it verifies the configured host, and the moved-to IP is verified as itself', async () => {
    const ca = [certificate.cert, localhostOnly.cert];
    // tc's certificate only names localhost: at 127.0.0.1 only the configured servername makes it verify.
    const unnamed = createClient({ host: '127.0.0.1', port: tc.port, password: PASSWORD, tls: { ca }, reconnect: false, maintNotifications: { mode: 'enabled' } });
    clients.push(unnamed);
    unnamed.on('error', () => undefined);
    await expect(unnamed.connect()).rejects.toThrow(/altnames/);

    const recorder = maintenanceRecorder();
    const client = await make({
      host: '127.0.0.1', port: tc.port, tls: { ca, servername: 'localhost' }, hooks: [recorder],
      maintNotifications: { mode: 'enabled', endpointType: 'internal-ip', maxHandoffRetries: 1 },
    });
    expect(await client.ping()).toBe('PONG');

    // To tb's IP (its certificate has that IP): verified as 127.0.0.x, succeeds.
    tlsSim.sendToAll(movingFrame(101, 5, `${tb.ipHost}:${tb.port}`), [tc.id]);
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'the handoff to tb');
    expect(client.connections()[0]!.endpoint).toEqual({ host: tb.ipHost, port: tb.port });
    await waitFor(() => tlsSim.connections(tc.id).length === 0, 'the old connection closed');

    // To tc's IP: had the configured servername been reused, the localhost-only certificate would pass.
    const moved = client.connections()[0]!.id;
    tlsSim.sendToAll(movingFrame(102, 5, `${tc.ipHost}:${tc.port}`), [tb.id]);
    await waitFor(() => recorder.handoffs('failed').length === 1, 'the handoff to tc to fail');
    const [failed] = recorder.handoffs('failed');
    expect(failed).toMatchObject({ connectionId: moved, to: { host: tc.ipHost, port: tc.port } });
    expect(String((failed!.error as Error).message)).toMatch(new RegExp(`IP: ${tc.ipHost.replace(/\./g, '\\.')} is not in the cert's list`));
    expect(recorder.handoffs('succeeded')).toHaveLength(1);
    // The connection it came from is untouched.
    expect(await client.ping()).toBe('PONG');
    expect(client.connections().map((c) => c.id)).toEqual([moved]);
    await waitFor(() => node(tlsSim, tc.id).activeConnections === 0, 'no socket left at tc');
  });
});

describe('the handoff worker pool', () => {
  it('queue full (handoffQueueSize 1, maxWorkers 1): the overflow fails with ERR_HANDOFF_QUEUE_FULL and keeps serving until the server closes it', async () => {
    const recorder = maintenanceRecorder();
    const client = await make({
      port: a.port, minIdleConns: 3, hooks: [recorder], maintNotifications: { mode: 'enabled', handoffQueueSize: 1, maxWorkers: 1 },
    });
    await waitFor(() => client.connections().length === 4, 'the shared and three idle connections');
    const shared = client.connections().find((c) => c.role === 'shared')!.id;
    await sim.setFaults({ connectDelayMs: 300 }, [b.id]);
    const load = startLoad(client, 20, 'queue-full:');
    await progress(load, 200);

    // MOVING to the idle connections first, then to the shared one (the only one with traffic at
    // the node): one handoff runs (300 ms at B), one waits in the queue, the other two find it full.
    const [busiest, ...idle] = [...sim.connections(a.id)].sort((x, y) => y.commands - x.commands);
    const frame = movingFrame(500, 5, `${b.ipHost}:${b.port}`);
    const handled = (): Array<Record<string, unknown>> => recorder.of('onNotificationHandled').filter((e) => e.type === 'MOVING');
    for (const info of idle) expect(sim.send(info.id, frame).success).toBe(true);
    await waitFor(() => handled().length === 3, 'the idle connections\' MOVING handled');
    expect(sim.send(busiest!.id, frame).success).toBe(true);
    await waitFor(() => handled().length === 4, 'the shared connection\'s MOVING handled');
    await waitFor(() => recorder.handoffs('succeeded').length === 2, 'the two handoffs that got a place');
    const failed = recorder.handoffs('failed');
    expect(failed).toHaveLength(2);
    for (const event of failed) {
      expect(event.error).toBeInstanceOf(HandoffError);
      expect(codeOf(event.error)).toBe('ERR_HANDOFF_QUEUE_FULL');
    }
    const failedIds = failed.map((e) => e.connectionId as number);
    expect(failedIds).toContain(shared);
    const refused = handled().filter((e) => e.outcome === 'failed');
    expect(refused.map((e) => e.connectionId).sort()).toEqual([...failedIds].sort());
    for (const event of refused) expect(codeOf(event.error)).toBe('ERR_HANDOFF_QUEUE_FULL');

    // The refused ones stay and serve: the shared one carries the load without an error.
    await progress(load, 200);
    expect(load.errors).toEqual([]);
    for (const id of failedIds) expect(client.connections().find((c) => c.id === id)?.state).toBe('ready');
    expect(client.maintNotifications!.getActiveOperations()).toEqual([]);

    // The server closes what is left at the old node (as it does at time_s; here within the
    // window): ordinary reconnection, which during the window dials the announced endpoint.
    await waitFor(() => sim.connections(a.id).length === 2, 'only the two refused connections left at A');
    const dials = recorder.of('onDial').length;
    expect(sim.dropConnections([a.id])).toBe(2);
    await waitFor(() => client.isReady && client.connections().find((c) => c.role === 'shared')?.id !== shared, 'the shared connection reconnected');
    expect(client.connections().find((c) => c.role === 'shared')!.endpoint).toEqual({ host: b.ipHost, port: b.port });
    const redialled = recorder.of('onDial').slice(dials).map((e) => e.server);
    expect(redialled.length).toBeGreaterThan(0);
    for (const server of redialled) expect(server).toEqual({ host: b.ipHost, port: b.port });
    await progress(load, 200);
    const { errors, acknowledged } = await load.stop();
    for (const error of errors) expect(error).toBeInstanceOf(ConnectionError);
    expect(await lostWrites(direct0, acknowledged)).toEqual([]);
    const closed = recorder.of('onConnectionClosed').filter((e) => failedIds.includes(e.connectionId as number));
    // Closed from the server's side: a clean close, or a reset while replies were in flight.
    expect(closed).toHaveLength(2);
    for (const event of closed) {
      expect(['server_close', 'error']).toContain(event.reason);
      if (event.reason === 'error') expect(event.error).toBeInstanceOf(ConnectionError);
    }
    for (const info of client.connections()) expect(failedIds).not.toContain(info.id);
    expect(client.maintNotifications!.getState().handoffs).toMatchObject({ queued: 0, active: 0, maxWorkers: 1, queueSize: 1 });
  });

  it('maxWorkers 2 bounds concurrency: never more than 2 handoffs in flight, all 6 succeed', async () => {
    let inFlight = 0;
    let most = 0;
    const counter: Hook = {
      onHandoff: (e) => {
        if (e.stage === 'started') most = Math.max(most, ++inFlight);
        else if (e.stage === 'succeeded' || e.stage === 'retried' || e.stage === 'failed') inFlight--;
      },
    };
    const recorder = maintenanceRecorder();
    const client = await make({ port: a.port, minIdleConns: 5, hooks: [recorder, counter], maintNotifications: { mode: 'enabled', maxWorkers: 2 } });
    await waitFor(() => client.connections().length === 6, 'six connections');
    expect(client.maintNotifications!.getState().handoffs.maxWorkers).toBe(2);
    await sim.setFaults({ connectDelayMs: 200 }, [b.id]);
    const done = moving(sim, { from: [a.id], to: b.id, timeS: 3 });
    await waitFor(() => recorder.handoffs('succeeded').length === 6, 'six handoffs', 8_000);
    expect(recorder.handoffs('failed')).toEqual([]);
    expect(recorder.handoffs('queued')).toHaveLength(6);
    expect(most).toBe(2);
    expect(inFlight).toBe(0);
    // The counts the events carry agree: never more than two dialling, some waiting meanwhile, none at the end.
    const handoffs = recorder.handoffs();
    expect(Math.max(...handoffs.map((e) => e.active as number))).toBe(2);
    expect(Math.max(...handoffs.map((e) => e.queued as number))).toBeGreaterThan(0);
    expect(handoffs.at(-1)).toMatchObject({ active: 0, queued: 0 });
    expect((await done).closed).toBe(0);
  });

  it('endpoint type none: the handoff waits floor(time_s / 2) s, then goes to the configured endpoint', async () => {
    const order: string[] = [];
    let activeAtHandled = -1;
    let client!: Client;
    const hook: Hook = {
      onNotificationHandled: (e) => {
        if (e.type !== 'MOVING') return;
        order.push(`handled:${String(e.detail)}`);
        activeAtHandled = client.maintNotifications!.getActiveOperations().length;
      },
      onHandoff: (e) => void order.push(e.stage),
    };
    const recorder = maintenanceRecorder();
    client = await make({ port: a.port, hooks: [recorder, hook], maintNotifications: { mode: 'enabled', endpointType: 'none' } });
    const configured: Endpoint = { host: '127.0.0.1', port: a.port };

    // time_s 1: floor(1 / 2) = 0, the handoff is queued (and started) while the MOVING is handled.
    const immediate = moving(sim, { from: [a.id], to: b.id, timeS: 1 });
    await waitFor(() => order.includes('succeeded'), 'the immediate handoff');
    expect(order).toEqual(['queued', 'started', 'handled:undefined', 'succeeded']);
    expect(activeAtHandled).toBe(1);
    expect((await immediate).closed).toBe(0);

    // time_s 2: floor(2 / 2) = 1 s; the MOVING is handled with nothing queued yet (the handoff is an
    // active operation, waiting).
    order.length = 0;
    const delayed = moving(sim, { from: [a.id], to: b.id, timeS: 2 });
    await waitFor(() => order.length > 0, 'the MOVING handled');
    expect(order).toEqual([`handled:hands off to the configured endpoint 127.0.0.1:${a.port} in 1000 ms`]);
    expect(activeAtHandled).toBe(1);
    // A round trip later still nothing has been queued.
    expect(await client.ping()).toBe('PONG');
    expect(order).toHaveLength(1);
    await waitFor(() => order.includes('succeeded'), 'the delayed handoff');
    expect(order.slice(1)).toEqual(['queued', 'started', 'succeeded']);
    const handoffs = recorder.handoffs('succeeded');
    expect(handoffs).toHaveLength(2);
    for (const e of handoffs) expect(e.to).toEqual(configured);
    await waitFor(() => client.connections().length === 1, 'the old connection drained');
    expect(client.connections().map((c) => c.endpoint)).toEqual([configured]);
    // Handed off before time_s: the server had nothing left to close.
    expect((await delayed).closed).toBe(0);
  });

  it('endpoint type none: while the handoff waits, introspection reports it as waiting, not queued', async () => {
    let client!: Client;
    let snapshot: { stage: string | undefined; queued: number; active: number; activeStage: string | undefined } | undefined;
    const hook: Hook = {
      onNotificationHandled: (e) => {
        if (e.type !== 'MOVING') return;
        const state = client.maintNotifications!.getState();
        snapshot = {
          stage: state.connections.find((x) => x.connectionId === e.connectionId)?.handoff?.stage,
          queued: state.handoffs.queued,
          active: client.maintNotifications!.getActiveOperations().length,
          activeStage: client.maintNotifications!.getActiveOperations()[0]?.stage,
        };
      },
    };
    client = await make({ port: a.port, hooks: [hook], maintNotifications: { mode: 'enabled', endpointType: 'none' } });
    expect(sim.sendToAll(movingFrame(900, 2, null), [a.id])).toMatchObject([{ success: true }]);
    await waitFor(() => snapshot !== undefined, 'the MOVING handled');
    // Nothing is in the queue and no onHandoff 'queued' was emitted: every view says "waiting".
    expect(snapshot!.queued).toBe(0);
    expect(snapshot!.active).toBe(1);
    expect(snapshot!.activeStage).toBe('waiting');
    expect(snapshot!.stage).toBe('waiting');
  });
});
