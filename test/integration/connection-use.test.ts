/**
 * What instrumentation needs from the hook chain beyond commands: which connections are idle or
 * used now (`db.client.connection.count`), how long a lease took (`db.client.connection.wait_time`)
 * and when none came (PoolTimeoutError), which connection a command went to, and the library.
 */
import { describe, expect, it } from 'vitest';
import {
  CLIENT_LIBRARY, PoolTimeoutError, VERSION, type Client, type ConnectionAcquireEvent, type ConnectionStateEvent, type ConnectionUse, type Hook,
} from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { useRedis } from '../helpers/fixtures.js';
import { startRedis } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';

const fixture = useRedis();

/** Keeps what the events say each connection is doing, as a metrics hook would. */
function useTracker(): Hook & { states: Map<number, ConnectionUse>; acquired: ConnectionAcquireEvent[]; changes: ConnectionStateEvent[]; count(state: ConnectionUse): number } {
  const states = new Map<number, ConnectionUse>();
  const acquired: ConnectionAcquireEvent[] = [];
  const changes: ConnectionStateEvent[] = [];
  return {
    name: 'UseTracker',
    states,
    acquired,
    changes,
    onConnectionStateChange: (e) => {
      changes.push(e);
      states.set(e.connectionId, e.state);
    },
    onConnectionClosed: (e) => void states.delete(e.connectionId),
    onConnectionAcquire: (e) => void acquired.push(e),
    count: (state) => [...states.values()].filter((s) => s === state).length,
  };
}

/** What the client itself says: used = serving (shared, leases, retiring), idle = waiting in the pool. */
const listed = (client: Client, state: ConnectionUse): number =>
  client.connections().filter((c) => (state === 'idle' ? c.role === 'idle' || c.role === 'handoff' : c.role !== 'idle' && c.role !== 'handoff')).length;

describe('connection use (idle / used)', () => {
  it('follows the shared connection, leases, their release to the pool and idle refills, matching connections()', async () => {
    const tracker = useTracker();
    const client = await connectedClient({ port: fixture.server.port, hooks: [tracker], minIdleConns: 2 });
    await waitFor(() => tracker.count('idle') === 2, 'two idle connections reported');
    expect(tracker.count('used')).toBe(1);
    expect(tracker.changes[0]).toMatchObject({ role: 'shared', state: 'used' });

    // A blocking command leases an idle connection (used), the pool refills, the release returns it (idle).
    const popped = client.blPop('use:list', 0);
    await waitFor(() => client.connections().some((c) => c.role === 'lease' && c.pendingReplies === 1), 'BLPOP on a lease');
    await waitFor(() => tracker.count('idle') === 2 && tracker.count('used') === 2, 'the lease used, the pool refilled');
    const [lease] = client.connections().filter((c) => c.role === 'lease');
    expect(tracker.states.get(lease!.id)).toBe('used');
    await fixture.direct.lPush('use:list', 'x');
    await popped;
    await waitFor(() => tracker.states.get(lease!.id) === 'idle', 'the lease back in the pool');
    for (const state of ['idle', 'used'] as const) expect(tracker.count(state)).toBe(listed(client, state));

    // Pub/sub holds its lease: used until unsubscribed (then the connection closes, and is forgotten).
    await client.subscribe('use:channel', () => undefined);
    const pubsub = client.connections().find((c) => c.role === 'pubsub')!;
    expect(tracker.states.get(pubsub.id)).toBe('used');
    await client.unsubscribe('use:channel');
    await waitFor(() => !tracker.states.has(pubsub.id), 'the pub/sub connection closed');
    for (const state of ['idle', 'used'] as const) expect(tracker.count(state)).toBe(listed(client, state));

    await client.close();
    expect(tracker.states.size).toBe(0);
  });
});

describe('lease acquisition', () => {
  it('reports each lease with the connection and how long it took, without waiting when a slot is free', async () => {
    const tracker = useTracker();
    const client = await connectedClient({ port: fixture.server.port, hooks: [tracker] });
    expect(await client.blPop('use:none', 0.01)).toBeNull();
    expect(tracker.acquired).toHaveLength(1);
    const [event] = tracker.acquired;
    expect(event).toMatchObject({ role: 'lease', waited: false, error: undefined, server: { host: '127.0.0.1', port: fixture.server.port } });
    expect(event!.duration).toBeGreaterThanOrEqual(0);
    expect(client.connections().some((c) => c.id === event!.connectionId)).toBe(true);
  });

  it('reports the wait under maxActiveConns, and the PoolTimeoutError when no slot frees in time', async () => {
    const tracker = useTracker();
    const client = await connectedClient({ port: fixture.server.port, hooks: [tracker], maxActiveConns: 2, poolTimeout: 100 });
    // The shared connection and one blocking lease fill both slots.
    const holding = client.blPop('use:held', 0);
    await waitFor(() => tracker.acquired.length === 1, 'the first lease');
    const refused = await client.blPop('use:other', 0.01).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PoolTimeoutError);
    expect(tracker.acquired[1]).toMatchObject({ role: 'lease', connectionId: undefined, server: undefined, waited: true, error: refused });
    expect(tracker.acquired[1]!.duration).toBeGreaterThan(0);
    // A lease that waits and then gets the slot is reported as having waited, with its connection.
    const waiting = client.blPop('use:other', 0.01);
    await fixture.direct.lPush('use:held', 'x');
    await holding;
    expect(await waiting).toBeNull();
    expect(tracker.acquired[2]).toMatchObject({ role: 'lease', waited: true, error: undefined });
    expect(tracker.acquired[2]!.connectionId).toBeGreaterThan(0);
  });
});

describe('command events', () => {
  it('name the connection the command was written to: the shared one, or the lease of a blocking command', async () => {
    const seen: Array<[string, number | undefined]> = [];
    const hook: Hook = { name: 'ids', onCommandEnd: (e) => void seen.push([e.name, e.connectionId]) };
    const client = await connectedClient({ port: fixture.server.port, hooks: [hook] });
    const shared = client.connections()[0]!.id;
    await client.set('use:k', 'v');
    await client.blPop('use:nothing', 0.01);
    await waitFor(() => client.connections().some((c) => c.role === 'idle'), 'the lease released');
    const lease = client.connections().find((c) => c.role === 'idle')?.id;
    expect(seen).toEqual([['SET', shared], ['BLPOP', lease]]);
    expect(lease).not.toBe(shared);
  });

  it('have no connection id for a command that was never written', async () => {
    const seen: Array<number | undefined> = [];
    const hook: Hook = { name: 'ids', onCommandEnd: (e) => void seen.push(e.connectionId) };
    const server = await startRedis();
    const client = await connectedClient({ port: server.port, hooks: [hook], offlineQueue: false, reconnect: { initialDelay: 5_000 } });
    await server.kill();
    await waitFor(() => !client.isReady, 'the connection lost');
    await expect(client.get('use:k')).rejects.toMatchObject({ code: 'ERR_NOT_CONNECTED' });
    expect(seen).toEqual([undefined]);
    await server.stop();
  });
});

describe('the library', () => {
  it('is hitless:<version> (redis.client.library)', () => {
    expect(CLIENT_LIBRARY).toBe(`hitless:${VERSION}`);
  });
});
