/**
 * The fault matrix (issue 19): hitless behind the simulator (two nodes in front of one real
 * redis-server), with that redis-server SIGKILLed and restarted on the same port in the middle of
 * a pipeline, a transaction, a blocking command, a subscription and a handoff, plus the node-side
 * faults of a handoff (the old node closes early, the target refuses then accepts).
 *
 * Every case is checked against one rule:
 * - a command is re-sent only if it was never written to a socket;
 * - a written command whose socket died fails with a ConnectionError of its own code
 *   (`ERR_CONNECTION_LOST`, "… was lost while <COMMAND> waited for its reply; it may or may not
 *   have run");
 * - every acknowledged write is readable afterwards;
 * - subscriptions come back.
 * And after each case: no uncaught exception or unhandled rejection, no socket left open.
 *
 * The server runs with `appendfsync always`, so what it acknowledged survives its SIGKILL (as on
 * a durable production server); what it did not acknowledge may or may not be there.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client, ClientOptions, ConnectionInfo } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { useSimulator } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { lostWrites, maintenanceRecorder, progress, startLoad, type Load } from './support/maintenance.js';

const env = useSimulator({ redis: { args: ['--appendonly', 'yes', '--appendfsync', 'always'] }, timings: { movingTimeS: 4 } });

// ---- the harness's own guards ---------------------------------------------------------------

const escaped: unknown[] = [];
const onEscaped = (error: unknown): void => void escaped.push(error);
let socketsAtStart = 0;

/** TCP sockets this process holds: the clients', and the simulator's both sides. */
const openSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;

beforeAll(() => {
  process.on('unhandledRejection', onEscaped);
  process.on('uncaughtException', onEscaped);
});
afterAll(() => {
  process.off('unhandledRejection', onEscaped);
  process.off('uncaughtException', onEscaped);
});

beforeEach(async () => {
  await waitFor(() => env.direct.isReady, 'the direct client');
  socketsAtStart = openSockets();
});

afterEach(async () => {
  // A case that failed half-way must not leave the next one without a server.
  if (down) await revive();
  await env.sim.setFaults({ latencyMs: 0, connectDelayMs: 0, refuseConnections: false, blackhole: false, notifications: true });
  expect(escaped).toEqual([]);
});

// ---- helpers --------------------------------------------------------------------------------

const onA = (options: ClientOptions = {}): Promise<Client> =>
  connectedClient({
    port: env.a.port,
    // Reconnect quickly and never time out a command here: only the fault may fail one.
    reconnect: { initialDelay: 10, maxDelay: 50 },
    commandTimeout: 60_000,
    maintNotifications: { mode: 'enabled' },
    ...options,
  });

let down = false;

/** SIGKILL: the server vanishes with whatever it was doing. */
async function crash(): Promise<void> {
  down = true;
  await env.server.kill();
}

/** The same server again, on the same port, with its append-only file. */
async function revive(): Promise<void> {
  await env.server.restart();
  down = false;
  await waitFor(() => env.direct.isReady, 'the direct client to reconnect');
}

const role = (client: Client, wanted: ConnectionInfo['role']): ConnectionInfo | undefined => client.connections().find((c) => c.role === wanted);

/** Commands the simulator node has received from its connections (proof they were written). */
const receivedBy = (nodeId: string): number => env.sim.connections(nodeId).reduce((n, c) => n + c.commands, 0);

/** What a written command whose connection died must fail with: its effect is unknown. */
function expectLostWhileWaiting(error: unknown, command: string, port: number): void {
  expect(error).toMatchObject({
    name: 'ConnectionError',
    code: 'ERR_CONNECTION_LOST',
    message: expect.stringMatching(new RegExp(`^connection to 127\\.0\\.0\\.\\d+:${port} was lost while ${command} waited for its reply; it may or may not have run`)),
  });
}

/** Every error a load saw is a written command lost with its connection; nothing else. */
function expectOnlyLostWrittenCommands(errors: readonly Error[]): void {
  for (const error of errors) {
    expect(error).toMatchObject({ code: 'ERR_CONNECTION_LOST', message: expect.stringMatching(/was lost while (SET|GET) waited for its reply; it may or may not have run/) });
  }
}

/** Stops the load and checks that every write it saw acknowledged is on the server. */
async function expectNothingLost(load: Load): Promise<void> {
  const { errors, acknowledged } = await load.stop();
  expectOnlyLostWrittenCommands(errors);
  expect(acknowledged.size).toBeGreaterThan(0);
  expect(await lostWrites(env.direct, acknowledged)).toEqual([]);
}

/** Closes the client and waits until neither the simulator nor this process holds a socket of it. */
async function expectNothingLeft(client: Client): Promise<void> {
  await client.close();
  await waitFor(() => env.sim.nodes().every((node) => node.activeConnections === 0), 'the simulator to hold no connection');
  await waitFor(() => env.direct.isReady && openSockets() === socketsAtStart, `the open sockets to return to ${socketsAtStart} (now ${openSockets()})`);
}

// ---- the matrix -----------------------------------------------------------------------------

describe('redis-server SIGKILLed and restarted', () => {
  it('during a pipeline: the written commands fail as lost and are not re-sent; the ones issued while it is down run once, in order', async () => {
    const client = await onA();
    const load = startLoad(client, 20, 'fm:pipeline:load:');
    await progress(load, 100);
    const counter = 'fm:pipeline:counter';
    expect(await client.set(counter, '0')).toBe('OK');

    // The node swallows what it gets, so the pipeline is written and its replies never come.
    await env.sim.setFaults({ blackhole: true }, [env.a.id]);
    const seen = receivedBy(env.a.id);
    const pipeline = client.pipeline();
    for (let i = 0; i < 100; i++) pipeline.incr(counter);
    const written = pipeline.exec();
    await waitFor(() => receivedBy(env.a.id) >= seen + 100, 'the node to receive the pipeline');
    await crash();
    await waitFor(() => !client.isReady, 'the client to see the connection lost');

    const outcomes = await written;
    expect(outcomes).toHaveLength(100);
    for (const outcome of outcomes) expectLostWhileWaiting(outcome, 'INCR', env.a.port);

    // Never written: these wait for the reconnect and go out once it is up.
    await env.sim.setFaults({ blackhole: false }, [env.a.id]);
    const queued = client.pipeline();
    for (let i = 0; i < 50; i++) queued.incr(counter);
    const later = queued.exec();
    await revive();
    expect(await later).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    // The lost hundred did not run (the node swallowed them) and were not sent again.
    expect(await env.direct.get(counter)).toBe('50');

    await progress(load, 100);
    await expectNothingLost(load);
    await expectNothingLeft(client);
  });

  it('during a transaction: MULTI/EXEC in flight fails as lost; one issued while down runs once; a watch() whose connection died does not EXEC', async () => {
    const client = await onA();
    const key = 'fm:tx:counter';
    const watched = 'fm:tx:watched';
    expect(await client.set(key, '0')).toBe('OK');
    expect(await client.set(watched, 'before')).toBe('OK');

    // A watch() callback holding its own connection, waiting for the crash before it EXECs.
    let inCallback!: () => void;
    const callbackRunning = new Promise<void>((resolve) => (inCallback = resolve));
    let crashed!: () => void;
    const afterCrash = new Promise<void>((resolve) => (crashed = resolve));
    const watching = client.watch(watched, async (tx) => {
      expect(await tx.get(watched)).toBe('before');
      inCallback();
      await afterCrash;
      return tx.multi().set(watched, 'from-watch').exec();
    }).catch((e: unknown) => e);
    await callbackRunning;
    const watchLease = role(client, 'lease')!.id;

    await env.sim.setFaults({ blackhole: true }, [env.a.id]);
    const seen = receivedBy(env.a.id);
    const transaction = client.multi().incr(key).incr(key).exec().catch((e: unknown) => e);
    await waitFor(() => receivedBy(env.a.id) >= seen + 4, 'the node to receive MULTI, INCR, INCR, EXEC');
    await crash();
    await waitFor(() => !client.isReady && !client.connections().some((c) => c.id === watchLease), 'both connections lost');
    crashed();

    // The transaction reports its first lost command; whether it ran is unknown.
    expectLostWhileWaiting(await transaction, 'MULTI', env.a.port);
    // The WATCH died with its connection: EXEC is never sent anywhere else without it.
    expect(await watching).toMatchObject({ code: 'ERR_CONNECTION_CLOSED', message: expect.stringContaining(`127.0.0.1:${env.a.port}`) });

    await env.sim.setFaults({ blackhole: false }, [env.a.id]);
    const queued = client.multi().incr(key).incr(key).exec();
    await revive();
    expect(await queued).toEqual([1, 2]);
    expect(await env.direct.get(key)).toBe('2');
    expect(await env.direct.get(watched)).toBe('before');
    // And watch() works again on a new connection.
    expect(await client.watch(watched, (tx) => tx.multi().set(watched, 'after').exec())).toEqual(['OK']);
    expect(await env.direct.get(watched)).toBe('after');
    await expectNothingLeft(client);
  });

  it('during a blocking command: BLPOP fails as lost, one issued while down fails without being written, and BLPOP works again after the restart', async () => {
    const client = await onA();
    const load = startLoad(client, 20, 'fm:blocking:load:');
    const list = 'fm:blocking:list';
    const popped = client.blPop(list, 0).catch((e: unknown) => e);
    await waitFor(() => role(client, 'lease')?.pendingReplies === 1, 'BLPOP waiting on its lease');
    await progress(load, 100);

    await crash();
    expectLostWhileWaiting(await popped, 'BLPOP', env.a.port);
    await waitFor(() => !client.isReady, 'the shared connection lost');
    // No connection can be made while the server is down: the command fails, never written.
    // (The node accepts and closes during the handshake: the error is the handshake's, not BLPOP's.)
    const whileDown = await client.blPop(list, 0).catch((e: unknown) => e);
    expect(whileDown).toMatchObject({ name: 'ConnectionError', message: expect.stringContaining(`127.0.0.1:${env.a.port}`) });
    expect((whileDown as Error).message).not.toMatch(/BLPOP/);

    await revive();
    const again = client.blPop(list, 0);
    await waitFor(() => role(client, 'lease')?.pendingReplies === 1, 'the new BLPOP waiting');
    expect(await env.direct.lPush(list, 'element')).toBe(1);
    expect(await again).toEqual({ key: list, element: 'element' });

    await progress(load, 100);
    await expectNothingLost(load);
    await expectNothingLeft(client);
  });

  it('during a subscription: the subscription comes back, a subscribe() issued while down completes, and every numbered message published after the restart arrives once, in order', async () => {
    const client = await onA();
    const got: number[] = [];
    const late: number[] = [];
    await client.subscribe('fm:sub', (message) => got.push(Number(message)));
    for (let n = 1; n <= 10; n++) await env.direct.publish('fm:sub', String(n));
    await waitFor(() => got.length === 10, 'the first ten messages');
    let resubscribed = 0;
    client.on('resubscribed', () => resubscribed++);

    await crash();
    await waitFor(() => role(client, 'pubsub') === undefined || role(client, 'pubsub')!.state !== 'ready', 'the subscription connection lost');
    // Never written: it waits for the subscriptions to come back, as a command waits in the offline queue.
    const subscribing = client.subscribe('fm:sub:late', (message) => late.push(Number(message))).then(() => 'subscribed', (e: unknown) => e);
    await revive();
    await waitFor(() => resubscribed >= 1, 'the resubscription');
    expect(await subscribing).toBe('subscribed');

    for (let n = 11; n <= 60; n++) {
      expect(await env.direct.publish('fm:sub', String(n))).toBe(1);
      expect(await env.direct.publish('fm:sub:late', String(n))).toBe(1);
    }
    await waitFor(() => got.length === 60 && late.length === 50, 'the messages after the restart');
    expect(got).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(late).toEqual(Array.from({ length: 50 }, (_, i) => i + 11));
    await expectNothingLeft(client);
  });

  it('during a subscription, with reconnection giving up: a subscribe() issued meanwhile fails with why instead of hanging, and the error event says the same', async () => {
    let late: Promise<unknown> | undefined;
    const client: Client = await onA({
      reconnect: { initialDelay: 10, maxDelay: 20, maxAttempts: 2 },
      // Issued while the restore is surely still running: from its last attempt's report.
      hooks: [{
        onReconnectAttempt: (e) => {
          if (e.role === 'pubsub' && e.attempt === 2) late = client.subscribe('fm:giveup:late', () => undefined).catch((error: unknown) => error);
        },
      }],
    });
    const errors: Error[] = [];
    client.on('error', (error) => errors.push(error));
    await client.subscribe('fm:giveup', () => undefined);
    await crash();
    await waitFor(() => late !== undefined, 'a subscribe() during the restore');
    const gaveUp = new RegExp(`^gave up restoring the subscriptions on 127\\.0\\.0\\.1:${env.a.port} after 2 attempts`);
    expect(await late).toMatchObject({ name: 'ConnectionError', code: 'ERR_CONNECTION', message: expect.stringMatching(gaveUp) });
    expect(errors.some((e) => gaveUp.test(e.message))).toBe(true);
    await revive();
    await expectNothingLeft(client);
  });
});

describe('a handoff (MOVING from node A to node B) under faults', () => {
  /** Where a client on A is sent: B's own address (the announced endpoint), not the configured one. */
  const onB = (c: ConnectionInfo): boolean => c.endpoint.port === env.b.port;

  /** A client on A under load, node B given `faults`, then a MOVING from A to B. */
  async function moveUnderLoad(name: string, faults: Parameters<typeof env.sim.setFaults>[0], options: ClientOptions = {}) {
    const recorder = maintenanceRecorder();
    const client = await onA({ hooks: [recorder], ...options });
    const shared = role(client, 'shared')!.id;
    const load = startLoad(client, 20, `fm:handoff:${name}:`);
    await progress(load, 100);
    await env.sim.setFaults(faults, [env.b.id]);
    const moving = env.sim.moving({ from: [env.a.id], to: env.b.id });
    return { recorder, client, shared, load, moving };
  }

  /** Traffic flows on B, through and after time_s; nothing acknowledged is lost, nothing is left open. */
  async function expectRecoveredOnB(client: Client, load: Load, moving: Promise<unknown>): Promise<void> {
    // Until time_s every new connection (reconnects too) dials the announced endpoint.
    await waitFor(() => client.isReady && client.connections().some((c) => c.role === 'shared' && onB(c)), 'the client serving on B');
    await progress(load, 200);
    await moving;
    await progress(load, 100);
    await expectNothingLost(load);
    await expectNothingLeft(client);
  }

  it('the target dies during its handshake (redis-server SIGKILLed): the handoff fails over to reconnection, which lands on the target once it is back', async () => {
    // B takes the handoff's connection and swallows its handshake, so it is mid-handshake at the kill.
    const { recorder, client, load, moving } = await moveUnderLoad('handshake', { blackhole: true });
    await waitFor(() => env.sim.connections(env.b.id).some((c) => c.commands > 0), 'the handoff\'s handshake to reach B');
    expect(recorder.handoffs('succeeded')).toEqual([]);

    await crash();
    await waitFor(() => !client.isReady, 'the old connection lost');
    await waitFor(() => recorder.handoffs('retried').length + recorder.handoffs('failed').length > 0, 'the interrupted handshake to fail the attempt');
    expect(recorder.handoffs('succeeded')).toEqual([]);
    await env.sim.setFaults({ blackhole: false }, [env.b.id]);
    await revive();
    await expectRecoveredOnB(client, load, moving);
    expect(load.errors.length).toBeGreaterThan(0);
  });

  it('the target refuses, then the old node dies (SIGKILL) while the handoff is still connecting, then the target accepts: nothing acknowledged is lost', async () => {
    const { recorder, client, load, moving } = await moveUnderLoad('old-dies', { refuseConnections: true });
    await waitFor(() => recorder.handoffs('retried').length > 0, 'a refused handoff attempt, to be retried');
    // Until now the old connection served: the refusals failed no command.
    expect(load.errors).toEqual([]);

    await crash();
    await waitFor(() => !client.isReady, 'the old connection lost');
    await env.sim.setFaults({ refuseConnections: false }, [env.b.id]);
    await revive();
    await expectRecoveredOnB(client, load, moving);
  });

  it('the old node closes its connections before time_s while the handoff is connecting: written commands fail as lost, the rest go to the target', async () => {
    // B accepts and holds the handoff's traffic, so it is still connecting when A closes.
    const { recorder, client, load, moving } = await moveUnderLoad('early-close', { blackhole: true });
    await waitFor(() => recorder.handoffs('started').length > 0 && env.sim.connections(env.b.id).length > 0, 'the handoff connecting to B');
    expect(env.sim.dropConnections([env.a.id])).toBeGreaterThan(0);
    await waitFor(() => !client.connections().some((c) => c.endpoint.port === env.a.port), 'every connection to A gone');
    await env.sim.setFaults({ blackhole: false }, [env.b.id]);
    await waitFor(() => client.connections().every(onB), 'every connection on B');
    await expectRecoveredOnB(client, load, moving);
  });

  it('the target refuses, then accepts, within the handoff\'s retries: the handoff succeeds and no command fails', async () => {
    const { recorder, client, shared, load, moving } = await moveUnderLoad('refuse-accept', { refuseConnections: true }, {
      maintNotifications: { mode: 'enabled', maxHandoffRetries: 10 },
    });
    await waitFor(() => recorder.handoffs('retried').length > 0, 'a refused attempt, to be retried');
    await env.sim.setFaults({ refuseConnections: false }, [env.b.id]);
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'the retried handoff to get through');
    expect(recorder.handoffs('succeeded')[0]).toMatchObject({ connectionId: shared });
    expect(recorder.handoffs('failed')).toEqual([]);
    await waitFor(() => client.connections().length === 1 && onB(client.connections()[0]!), 'the swap done, on B');
    await expectRecoveredOnB(client, load, moving);
    expect(load.errors).toEqual([]);
  });

  it('the replacement dies while it holds commands it has not written (the old connection still draining): those are re-sent and run once; the old node\'s unanswered ones fail as lost, not re-sent', async () => {
    // A handshake step of our own holds the handoff's handshake until the old connection has
    // commands it will never answer, so the swap happens with the old connection still draining.
    let gate: Promise<void> | undefined;
    let openGate!: () => void;
    const ends: Array<{ name: string; key: string; retries: number; error: Error | undefined }> = [];
    const recorder = maintenanceRecorder();
    const client = await onA({
      handshake: [{ name: 'gate', run: async () => void (await gate) }],
      hooks: [recorder, { onCommandEnd: (e) => void ends.push({ name: e.name, key: String(e.args[1]), retries: e.retries, error: e.error }) }],
    });
    gate = new Promise((resolve) => (openGate = resolve));
    const moving = env.sim.moving({ from: [env.a.id], to: env.b.id });
    await waitFor(() => recorder.handoffs('started').length === 1, 'the handoff dialling B');

    await env.sim.setFaults({ blackhole: true }, [env.a.id]);
    const seen = receivedBy(env.a.id);
    const unanswered = Array.from({ length: 10 }, () => client.incr('fm:held:old').catch((e: unknown) => e));
    await waitFor(() => receivedBy(env.a.id) >= seen + 10, 'the old node to receive ten INCR');
    openGate();
    await waitFor(() => role(client, 'retiring') !== undefined && onB(role(client, 'shared')!), 'the swap, the old connection still draining');
    const held = Array.from({ length: 10 }, () => client.incr('fm:held:new'));
    await waitFor(() => role(client, 'shared')!.queuedCommands === 10, 'ten INCR held on the replacement');

    expect(env.sim.dropConnections([env.b.id])).toBe(1);
    expect(await Promise.all(held)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const resent = ends.filter((e) => e.key === 'fm:held:new');
    expect(resent.map((e) => [e.retries, e.error])).toEqual(Array.from({ length: 10 }, () => [1, undefined]));

    expect(env.sim.dropConnections([env.a.id])).toBe(1);
    for (const outcome of await Promise.all(unanswered)) expectLostWhileWaiting(outcome, 'INCR', env.a.port);
    expect(ends.filter((e) => e.key === 'fm:held:old').map((e) => e.retries)).toEqual(Array.from({ length: 10 }, () => 0));
    await env.sim.setFaults({ blackhole: false }, [env.a.id]);
    expect(await env.direct.get('fm:held:old')).toBeNull();
    expect(await env.direct.get('fm:held:new')).toBe('10');
    await moving;
    await expectNothingLeft(client);
  });
});
