/**
 * The maintenance-notifications opt-in (`CLIENT MAINT_NOTIFICATIONS ON moving-endpoint-type <t>`)
 * in each mode, against a plain redis-server (which refuses it), simulated Redis Enterprise nodes
 * (which accept it, or refuse it like open-source Redis), and a bare RESP2-only server for the one
 * thing a real Redis cannot do: refuse HELLO.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError, createClient, MaintNotificationsError, ReplyError, type Client, type ClientOptions, type DialEvent, type Endpoint,
  type HandoffEvent, type HandshakeEvent, type HandshakeStepOutcome, type Hook, type MaintenanceFallbackEvent, type NotificationHandledEvent,
  type NotificationReceivedEvent, type RespValue,
} from '../../src/index.js';
import { movingFrame, Simulator, type NodeInfo } from '../../src/simulator/index.js';
import { startHostileServer, type HostileServer } from '../helpers/hostile-server.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

const OPT_IN = 'CLIENT MAINT_NOTIFICATIONS';

let redis: RedisServer;
let sim: Simulator;
/** 'oss': answers the opt-in like open-source Redis ("ERR unknown subcommand"). */
let oss: NodeInfo;
/** 'enterprise': accepts the opt-in. */
let enterprise: NodeInfo;
let fakes: HostileServer[] = [];
let clients: Client[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const upstream = { host: redis.host, port: redis.port };
  sim = await Simulator.start({
    nodes: [{ upstream, maintSupport: 'oss' }, { upstream, maintSupport: 'enterprise' }],
    timings: { migrateWaitMs: 100, failoverWaitMs: 100, smigrateWaitMs: 100, movingTimeS: 1 },
  });
  [oss, enterprise] = sim.nodes() as [NodeInfo, NodeInfo];
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await Promise.all(fakes.splice(0).map((f) => f.close()));
  await waitFor(() => sim.nodes().every((n) => n.activeConnections === 0), 'the simulator to see every client connection closed');
});

afterAll(async () => {
  await sim?.close();
  await redis?.stop();
});

interface Recorder {
  readonly hook: Hook;
  readonly handshakes: HandshakeEvent[];
  readonly fallbacks: MaintenanceFallbackEvent[];
  readonly dials: DialEvent[];
  readonly received: NotificationReceivedEvent[];
  readonly handled: NotificationHandledEvent[];
  readonly handoffs: HandoffEvent[];
}

function recorder(): Recorder {
  const r: Recorder = {
    handshakes: [], fallbacks: [], dials: [], received: [], handled: [], handoffs: [],
    hook: {
      name: 'HandshakeRecorder',
      onHandshake: (e) => void r.handshakes.push(e),
      onMaintenanceFallback: (e) => void r.fallbacks.push(e),
      onDial: (e) => void r.dials.push(e),
      onNotificationReceived: (e) => void r.received.push(e),
      onNotificationHandled: (e) => void r.handled.push(e),
      onHandoff: (e) => void r.handoffs.push(e),
    },
  };
  return r;
}

/** A client destroyed after the test, with its `error` events collected. */
function make(options: ClientOptions): { client: Client; errors: Error[] } {
  const client = createClient(options);
  clients.push(client);
  const errors: Error[] = [];
  client.on('error', (error) => errors.push(error));
  return { client, errors };
}

function optInStep(event: HandshakeEvent | undefined): HandshakeStepOutcome | undefined {
  return event?.steps.find((s) => s.name === OPT_IN);
}

function handshakeOf(r: Recorder, connectionId: number): HandshakeEvent {
  const event = r.handshakes.find((e) => e.connectionId === connectionId);
  if (event === undefined) throw new Error(`no handshake recorded for connection ${connectionId}`);
  return event;
}

const errorOf = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe('auto (default) against servers without the feature', () => {
  it('a plain redis-server: connects, no error, one fallback however many connections, later ones do not ask', async () => {
    const r = recorder();
    const { client, errors } = make({ host: redis.host, port: redis.port, poolSize: 8, minIdleConns: 3, hooks: [r.hook] });
    await client.connect();
    await waitFor(() => client.connections().filter((c) => c.role === 'idle').length === 3, 'three idle connections');
    // Five blocking commands at once: the three idle connections and two more dialled for them.
    const list = `handshake:auto:${Date.now()}`;
    expect(await Promise.all(Array.from({ length: 5 }, () => client.blPop(list, 0.05)))).toEqual([null, null, null, null, null]);
    await client.set(`${list}:k`, 'v');
    expect(await client.get(`${list}:k`)).toBe('v');

    expect(r.handshakes.length).toBeGreaterThanOrEqual(6);
    for (const event of r.handshakes) {
      expect(event.error).toBeUndefined();
      expect(event.protocol).toBe(3);
      // The opt-in runs after HELLO and SELECT, before CLIENT SETINFO.
      expect(event.steps.map((s) => s.name)).toEqual(['HELLO', 'SELECT', OPT_IN, 'CLIENT SETINFO']);
      expect(optInStep(event)?.error).toBeUndefined();
    }
    const [first, ...later] = r.handshakes as [HandshakeEvent, ...HandshakeEvent[]];
    const server = `${redis.host}:${redis.port}`;
    expect(optInStep(first)?.skipped).toContain(`${server} refused CLIENT MAINT_NOTIFICATIONS`);
    expect(optInStep(first)?.skipped).toMatch(/unknown subcommand/i);
    for (const event of later) expect(optInStep(event)?.skipped).toBe(`${server} refused them before`);

    expect(r.fallbacks).toHaveLength(1);
    const [fallback] = r.fallbacks;
    expect(fallback).toMatchObject({ connectionId: first.connectionId, server: { host: redis.host, port: redis.port } });
    expect(fallback!.reason).toContain(server);
    expect(fallback!.error).toBeInstanceOf(ReplyError);

    const state = client.maintNotifications!.getState();
    expect(state.mode).toBe('auto');
    expect(state.fallbacks).toEqual([{ host: redis.host, port: redis.port }]);
    expect(state.connections.filter((c) => c.optedIn)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('falls back per server, not client-wide: a refusing node is listed, another endpoint still opts in', async () => {
    const before = { oss: sim.handshakeStats(oss.id)!, enterprise: sim.handshakeStats(enterprise.id)! };
    const r = recorder();
    const { client, errors } = make({ host: '127.0.0.1', port: oss.port, hooks: [r.hook] });
    await client.connect();
    const shared = client.connections()[0]!;
    expect(optInStep(handshakeOf(r, shared.id))?.skipped).toMatch(/refused CLIENT MAINT_NOTIFICATIONS: ERR unknown subcommand/);
    expect(r.fallbacks.map((f) => f.server)).toEqual([{ host: '127.0.0.1', port: oss.port }]);
    expect(client.maintNotifications!.getState().fallbacks).toEqual([{ host: '127.0.0.1', port: oss.port }]);

    // A connection of the same client to a node that supports it (internal API: what a handoff dials).
    const other = await client.pool.open('lease', { endpoint: { host: '127.0.0.1', port: enterprise.port } });
    const step = optInStep(handshakeOf(r, other.id));
    expect(step).toMatchObject({ skipped: undefined, error: undefined });
    expect(sim.connections(enterprise.id)).toMatchObject([{ optedIn: true, endpointType: 'internal-ip' }]);

    // And one more to the refusing node: not asked again.
    const again = await client.pool.open('lease', { endpoint: { host: '127.0.0.1', port: oss.port } });
    expect(optInStep(handshakeOf(r, again.id))?.skipped).toBe(`127.0.0.1:${oss.port} refused them before`);

    const state = client.maintNotifications!.getState();
    expect(state.fallbacks).toEqual([{ host: '127.0.0.1', port: oss.port }]);
    expect(state.connections.find((c) => c.connectionId === other.id)).toMatchObject({
      optedIn: true, server: { host: '127.0.0.1', port: enterprise.port },
    });
    expect(state.connections.filter((c) => c.optedIn).map((c) => c.connectionId)).toEqual([other.id]);
    expect(r.fallbacks).toHaveLength(1);
    expect(sim.handshakeStats(oss.id)!.invoked - before.oss.invoked).toBe(1);
    expect(sim.handshakeStats(enterprise.id)!.matched - before.enterprise.matched).toBe(1);
    expect(await client.ping()).toBe('PONG');
    expect(errors).toEqual([]);
  });
});

describe('enabled against servers without the feature', () => {
  it('a plain redis-server: connect() rejects with ERR_MAINT_REFUSED naming the server, and leaves no connection open', { timeout: 15_000 }, async () => {
    const name = `maint-enabled-${process.pid}-${Date.now()}`;
    const r = recorder();
    const { client } = make({ host: redis.host, port: redis.port, name, hooks: [r.hook], maintNotifications: { mode: 'enabled' } });
    const error = await errorOf(client.connect());
    expect(error).toBeInstanceOf(MaintNotificationsError);
    const err = error as MaintNotificationsError;
    expect(err.code).toBe('ERR_MAINT_REFUSED');
    expect(err.message).toContain(`${redis.host}:${redis.port}`);
    expect(err.message).toMatch(/unknown subcommand/i);
    expect(err.cause).toBeInstanceOf(ReplyError);
    expect(client.isOpen).toBe(false);
    // The connection got as far as the opt-in (so it existed, named, on the server), and failed there.
    expect(r.handshakes).toHaveLength(1);
    expect(r.handshakes[0]!.steps.map((s) => s.name)).toEqual(['HELLO', 'SELECT', OPT_IN]);
    expect(optInStep(r.handshakes[0])?.error).toBe(err);
    expect(r.fallbacks).toEqual([]);

    const { client: admin } = make({ host: redis.host, port: redis.port, name: `${name}-admin`, maintNotifications: { mode: 'disabled' } });
    await admin.connect();
    const named = async (clientName: string): Promise<number> =>
      String(await admin.sendCommand(['CLIENT', 'LIST'])).split('\n').filter((line) => line.includes(` name=${clientName} `)).length;
    // The listing does show named connections (the admin's own)...
    expect(await named(`${name}-admin`)).toBe(1);
    // ...and none of the failed client's is left.
    await waitFor(async () => (await named(name)) === 0, `no connection named ${name} left on the redis-server`);
  });

  it('an open-source-like simulator node: rejects every time (nothing sticky), and the node sees no connection left', { timeout: 15_000 }, async () => {
    const before = sim.handshakeStats(oss.id)!.invoked;
    const { client } = make({ host: '127.0.0.1', port: oss.port, maintNotifications: { mode: 'enabled' } });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await errorOf(client.connect());
      expect(error).toBeInstanceOf(MaintNotificationsError);
      expect((error as MaintNotificationsError).code).toBe('ERR_MAINT_REFUSED');
      expect((error as Error).message).toContain(`127.0.0.1:${oss.port}`);
      expect((error as Error).message).toContain("ERR unknown subcommand 'MAINT_NOTIFICATIONS'");
      await waitFor(() => sim.nodes().find((n) => n.id === oss.id)!.activeConnections === 0, 'the failed connection to close');
    }
    expect(sim.handshakeStats(oss.id)!.invoked - before).toBe(2);
  });
});

describe('configuration errors', () => {
  const cases: Array<[string, ClientOptions, string, RegExp]> = [
    ['enabled needs RESP3', { protocol: 2, maintNotifications: { mode: 'enabled' } }, 'maintNotifications.mode', /protocol 3/],
    ['maxHandoffRetries above 10', { maintNotifications: { maxHandoffRetries: 20 } }, 'maintNotifications.maxHandoffRetries', /1 to 10, got 20/],
    ['relaxedTimeout 0', { maintNotifications: { relaxedTimeout: 0 } }, 'maintNotifications.relaxedTimeout', /got 0/],
    ['an unknown mode', { maintNotifications: { mode: 'on' as never } }, 'maintNotifications.mode', /"disabled", "enabled" or "auto", got "on"/],
    ['an unknown key, with a suggestion', { maintNotifications: { relaxedTimout: 500 } as never }, 'maintNotifications.relaxedTimout', /did you mean "relaxedTimeout"/],
    ['an unknown endpoint type', { maintNotifications: { endpointType: 'internal' as never } }, 'maintNotifications.endpointType', /got "internal"/],
    ['a bad allowedEndpoints pattern', { maintNotifications: { allowedEndpoints: ['redis://x'] } }, 'maintNotifications.allowedEndpoints[0]', /redis:\/\/x/],
    ['not an object', { maintNotifications: 'auto' as never }, 'maintNotifications', /expected an object/],
  ];
  it.each(cases)('%s → ConfigError naming the field', (_what, options, field, message) => {
    let thrown: unknown;
    try {
      clients.push(createClient(options));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).field).toBe(field);
    expect((thrown as ConfigError).code).toBe('ERR_CONFIG');
    expect((thrown as Error).message).toContain(`"${field}"`);
    expect((thrown as Error).message).toMatch(message);
  });

  it('auto with protocol 2 is accepted (notifications are simply unavailable)', () => {
    const client = createClient({ protocol: 2 });
    clients.push(client);
    expect(client.maintNotifications?.mode).toBe('auto');
  });
});

describe('disabled', () => {
  it('sends no opt-in, has no manager, and a MOVING frame is an ordinary push', async () => {
    const before = sim.handshakeStats(enterprise.id)!;
    const r = recorder();
    const { client, errors } = make({ host: '127.0.0.1', port: enterprise.port, hooks: [r.hook], maintNotifications: { mode: 'disabled' } });
    const pushes: Array<[RespValue[], number]> = [];
    client.on('push', (frame, id) => void pushes.push([frame, id]));
    await client.connect();
    expect(client.maintNotifications).toBeUndefined();
    expect(sim.handshakeStats(enterprise.id)).toEqual(before);
    expect(sim.connections(enterprise.id)).toMatchObject([{ optedIn: false, endpointType: undefined }]);
    expect(r.handshakes[0]!.steps.map((s) => s.name)).toEqual(['HELLO', 'SELECT', 'CLIENT SETINFO']);

    const shared = client.connections()[0]!;
    const sent = sim.sendToAll(movingFrame(7, 1, `127.0.0.1:${oss.port}`), [enterprise.id]);
    expect(sent).toEqual([expect.objectContaining({ success: true })]);
    await waitFor(() => pushes.length === 1, 'the MOVING frame on the push event');
    expect(pushes[0]).toEqual([['MOVING', 7, 1, `127.0.0.1:${oss.port}`], shared.id]);
    expect(await client.ping()).toBe('PONG');

    expect(r.received).toEqual([]);
    expect(r.handled).toEqual([]);
    expect(r.handoffs).toEqual([]);
    expect(r.dials).toHaveLength(1);
    expect(sim.connections(oss.id)).toEqual([]);
    expect(client.connections().map((c) => c.id)).toEqual([shared.id]);
    expect(errors).toEqual([]);
  });

  it('regression go-redis #3969: with a hostname, disabled has no opt-in step at all and no maintenance state', async () => {
    const r = recorder();
    const { client, errors } = make({ host: 'localhost', port: enterprise.port, hooks: [r.hook], maintNotifications: { mode: 'disabled', endpointType: 'auto' } });
    await client.connect();
    expect(client.maintNotifications).toBeUndefined();
    expect(r.handshakes).toHaveLength(1);
    expect(r.handshakes[0]!.steps.some((s) => s.name === OPT_IN)).toBe(false);
    expect(sim.connections(enterprise.id)).toMatchObject([{ optedIn: false }]);
    expect(r.fallbacks).toEqual([]);
    expect(await client.ping()).toBe('PONG');
    expect(errors).toEqual([]);
  });
});

describe('through a simulated Redis Enterprise node', () => {
  const cases: Array<[string, ClientOptions['maintNotifications'], string]> = [
    ['auto detects internal-ip for 127.0.0.1 without TLS', undefined, 'internal-ip'],
    ['explicit endpointType auto', { endpointType: 'auto' }, 'internal-ip'],
    ['explicit external-fqdn is sent as given', { endpointType: 'external-fqdn' }, 'external-fqdn'],
    ['explicit none is sent as given', { endpointType: 'none' }, 'none'],
    ['enabled mode with internal-fqdn', { mode: 'enabled', endpointType: 'internal-fqdn' }, 'internal-fqdn'],
  ];
  it.each(cases)('%s', async (_what, maintNotifications, endpointType) => {
    const before = sim.handshakeStats(enterprise.id)!;
    const r = recorder();
    const { client, errors } = make({ host: '127.0.0.1', port: enterprise.port, hooks: [r.hook], maintNotifications });
    await client.connect();
    const shared = client.connections()[0]!;
    expect(sim.connections(enterprise.id)).toMatchObject([{ optedIn: true, endpointType }]);
    expect(sim.handshakeStats(enterprise.id)!.matched - before.matched).toBe(1);
    expect(optInStep(handshakeOf(r, shared.id))).toMatchObject({ skipped: undefined, error: undefined });
    const state = client.maintNotifications!.getState();
    expect(state.mode).toBe(maintNotifications?.mode ?? 'auto');
    expect(state.endpointType).toBe(endpointType);
    expect(state.fallbacks).toEqual([]);
    expect(state.connections).toEqual([{
      connectionId: shared.id, server: { host: '127.0.0.1', port: enterprise.port } satisfies Endpoint, role: 'shared', optedIn: true, relaxed: [], handoff: undefined,
    }]);
    expect(r.fallbacks).toEqual([]);
    expect(await client.ping()).toBe('PONG');
    expect(errors).toEqual([]);
  });

  it('protocol 2 (auto): no opt-in is sent, and the server is not reported as lacking the feature', async () => {
    const before = sim.handshakeStats(enterprise.id)!;
    const r = recorder();
    const { client, errors } = make({ host: '127.0.0.1', port: enterprise.port, protocol: 2, hooks: [r.hook] });
    await client.connect();
    expect(r.handshakes[0]!.protocol).toBe(2);
    expect(sim.handshakeStats(enterprise.id)).toEqual(before);
    expect(sim.connections(enterprise.id)).toMatchObject([{ optedIn: false }]);
    expect(optInStep(r.handshakes[0])?.skipped).toEqual(expect.any(String));
    // The client chose RESP2; the server was never asked, so it is not "found without" the feature.
    expect(client.maintNotifications!.getState().fallbacks).toEqual([]);
    for (const fallback of r.fallbacks) expect(fallback.reason).not.toMatch(/HELLO 3 was refused/);
    expect(await client.ping()).toBe('PONG');
    expect(errors).toEqual([]);
  });
});

describe('regression go-redis #3788: a RESP2-only server (HELLO refused) is never sent the opt-in', () => {
  /** A RESP2-only server (as Redis before 6): HELLO is an unknown command; it records every command it receives. */
  async function resp2Server(): Promise<{ server: HostileServer; commands: readonly string[][] }> {
    const server = await startHostileServer(() => false, { resp2: true });
    fakes.push(server);
    return { server, commands: server.commands };
  }
  const maintCommands = (commands: readonly string[][]): string[][] => commands.filter((c) => c.some((arg) => /maint_notifications/i.test(arg)));

  it('auto: carries on over RESP2, the step is skipped, one fallback, commands work', async () => {
    const { server, commands } = await resp2Server();
    const r = recorder();
    const { client, errors } = make({ host: '127.0.0.1', port: server.port, minIdleConns: 1, hooks: [r.hook] });
    await client.connect();
    await waitFor(() => r.handshakes.length === 2, 'the shared and one idle connection');
    await client.set('resp2:key', 'value');
    expect(await client.get('resp2:key')).toBe('value');

    expect(commands.filter((c) => c[0]?.toUpperCase() === 'HELLO')).toHaveLength(2);
    expect(maintCommands(commands)).toEqual([]);
    for (const event of r.handshakes) {
      expect(event.protocol).toBe(2);
      expect(event.error).toBeUndefined();
      expect(optInStep(event)?.skipped).toMatch(/RESP2/);
    }
    expect(r.fallbacks).toHaveLength(1);
    expect(r.fallbacks[0]).toMatchObject({ server: { host: '127.0.0.1', port: server.port }, error: undefined });
    expect(r.fallbacks[0]!.reason).toContain(`127.0.0.1:${server.port}`);
    expect(client.maintNotifications!.getState().fallbacks).toEqual([{ host: '127.0.0.1', port: server.port }]);
    expect(errors).toEqual([]);
  });

  it('enabled: connect() rejects with ERR_MAINT_RESP2, and the opt-in is not sent', { timeout: 15_000 }, async () => {
    const { server, commands } = await resp2Server();
    const { client } = make({ host: '127.0.0.1', port: server.port, maintNotifications: { mode: 'enabled' } });
    const error = await errorOf(client.connect());
    expect(error).toBeInstanceOf(MaintNotificationsError);
    expect((error as MaintNotificationsError).code).toBe('ERR_MAINT_RESP2');
    expect((error as Error).message).toContain(`127.0.0.1:${server.port}`);
    expect(commands.map((c) => c[0]?.toUpperCase())).toContain('HELLO');
    expect(maintCommands(commands)).toEqual([]);
  });
});
