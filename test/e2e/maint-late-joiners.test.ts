/**
 * Connections that open while a maintenance is under way: the server sends them the notification
 * in progress right after their opt-in, that is, during their handshake, before anyone uses them.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../../src/index.js';
import { type Simulator, type NodeInfo } from '../../src/simulator/index.js';
import { connectedClient } from '../helpers/clients.js';
import { useSimulator } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { maintenanceRecorder, startLoad } from './support/maintenance.js';

const bed = useSimulator();
let sim: Simulator;
let a: NodeInfo;
let b: NodeInfo;

beforeAll(() => {
  ({ sim, a, b } = bed);
});

afterEach(async () => {
  await sim.setFaults({ latencyMs: 0 });
});

/** The members recorded for one connection, in order. */
const timeline = (recorder: ReturnType<typeof maintenanceRecorder>, connectionId: number): string[] =>
  recorder.calls.filter((c) => c.event.connectionId === connectionId).map((c) => c.member);

describe('a connection opened during a maintenance window', () => {
  it('gets the open MIGRATING during its handshake and is relaxed from its first command', async () => {
    const migrating = sim.migrate({ waitMs: 1500 });
    migrating.catch(() => undefined); // awaited below
    await waitFor(() => sim.seq > 0, 'the window open');
    const recorder = maintenanceRecorder();
    const client = await connectedClient({ port: a.port, hooks: [recorder], commandTimeout: 100, maintNotifications: { mode: 'enabled', relaxedTimeout: 1000 } });
    const shared = client.connections()[0]!.id;
    // Received and relaxed before the connection was handed out.
    expect(timeline(recorder, shared).filter((m) => m !== 'onDial')).toEqual([
      'onNotificationReceived', 'onTimeoutRelaxed', 'onNotificationHandled', 'onConnectionCreated',
    ]);
    // So its very first commands ride out replies slower than its commandTimeout.
    await sim.setFaults({ latencyMs: 250 });
    expect(await client.set('late:k', 'v')).toBe('OK');
    expect(await client.get('late:k')).toBe('v');
    await sim.setFaults({ latencyMs: 0 });
    await migrating;
    await waitFor(() => recorder.of('onTimeoutUnrelaxed').some((e) => e.connectionId === shared && e.cause === 'completed'), 'MIGRATED');
  });

  it('gets the MOVING in progress during its handshake and reopens at the new endpoint before anyone uses it', async () => {
    // An older client moves; a client created meanwhile still dials the configured node A.
    const mover = await connectedClient({ port: a.port, maintNotifications: { mode: 'enabled' } });
    const load = startLoad(mover, 10, 'late:mover:');
    const moving = sim.moving({ from: [a.id], to: b.id, timeS: 2 });
    moving.catch(() => undefined); // awaited below; a failed assertion must not leave it unhandled
    await waitFor(() => mover.connections().some((c) => c.endpoint.port === b.port), 'the first client moved');
    const recorder = maintenanceRecorder();
    const late: Client = await connectedClient({ port: a.port, hooks: [recorder], maintNotifications: { mode: 'enabled' } });
    const [shared] = late.connections();
    expect(shared!.endpoint).toEqual({ host: b.ipHost, port: b.port });
    const reopened = recorder.handoffs('succeeded');
    expect(reopened).toHaveLength(1);
    expect(reopened[0]).toMatchObject({ to: { host: b.ipHost, port: b.port }, replacementId: shared!.id });
    // The connection to A never served: it was closed as soon as its replacement was ready.
    const first = reopened[0]!.connectionId as number;
    await waitFor(() => recorder.of('onConnectionClosed').some((e) => e.connectionId === first), 'the first connection closed');
    expect(recorder.of('onConnectionClosed').find((e) => e.connectionId === first)).toMatchObject({ reason: 'handoff' });
    expect(await late.set('late:k2', 'v')).toBe('OK');
    const { errors } = await load.stop();
    expect(errors).toEqual([]);
    expect((await moving).closed).toBe(0);
  });
});
