import diagnostics from 'node:diagnostics_channel';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Simulator, type EndpointType } from '../../src/simulator/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { startBusyLoop } from './support/busy-loop.js';

/**
 * node-redis 6.3.1 with maintNotifications 'enabled', driven the way its own maintenance e2e
 * suite drives Redis's fault injector: actions POSTed to /action, polled until `success`.
 */

let redis: RedisServer;
let sim: Simulator;
let api: string;
let a: { id: string; port: number };
let b: { id: string; port: number };
const seen: string[] = [];
const onMaintenance = (message: unknown): void => void seen.push((message as { type: string }).type);

beforeAll(async () => {
  // node-redis publishes redis.maintenance only with this set, as its suite requires.
  process.env.REDIS_EMIT_DIAGNOSTICS = 'true';
  diagnostics.subscribe('redis.maintenance', onMaintenance);
  redis = await startRedis();
  const upstream = { host: redis.host, port: redis.port };
  sim = await Simulator.start({
    nodes: [{ upstream }, { upstream }],
    control: { port: 0 },
    timings: { migrateWaitMs: 300, failoverWaitMs: 300, movingTimeS: 1 },
  });
  api = `http://127.0.0.1:${sim.controlAddress!.port}`;
  [a, b] = sim.nodes().map((n) => ({ id: n.id, port: n.port })) as [typeof a, typeof b];
});

afterEach(async () => {
  seen.length = 0;
  await sim.setFaults({ notifications: true });
});

afterAll(async () => {
  diagnostics.unsubscribe('redis.maintenance', onMaintenance);
  delete process.env.REDIS_EMIT_DIAGNOSTICS;
  await sim?.close();
  await redis?.stop();
});

async function trigger(type: string, parameters: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${api}/action`, { method: 'POST', body: JSON.stringify({ type, parameters }) });
  expect(res.status).toBe(200);
  const { action_id } = (await res.json()) as { action_id: string };
  let status = 'running';
  await waitFor(async () => {
    const body = (await (await fetch(`${api}/action/${action_id}`)).json()) as { status: string; error: string | null };
    status = body.status;
    if (status === 'failed') throw new Error(`action ${type} failed: ${body.error}`);
    return status === 'success';
  }, `${type} to finish`, 15_000);
}

/** A client that runs SET/GET in a loop and records every error until stopped. */
async function busyClient(endpointType: EndpointType) {
  const client = createClient({
    socket: { host: '127.0.0.1', port: a.port },
    RESP: 3,
    maintNotifications: 'enabled',
    maintEndpointType: endpointType,
  });
  const errors: unknown[] = [];
  client.on('error', (err) => errors.push(err));
  await client.connect();
  const loop = startBusyLoop(client, `nr:${endpointType}`, 50, errors);
  return {
    client,
    errors,
    ops: loop.ops,
    stop: async () => {
      await loop.stop();
      client.destroy();
    },
  };
}

const count = (type: string): number => seen.filter((t) => t === type).length;
const optedInOn = (nodeId: string) => sim.connections(nodeId).filter((c) => c.optedIn);

describe('node-redis 6.3.1 through the simulator', () => {
  it.each(['external-ip', 'internal-ip', 'external-fqdn', 'internal-fqdn', 'none'] as const)(
    'migrate then bind (%s): relaxes, moves with zero errors, one notification of each kind',
    async (type) => {
      const busy = await busyClient(type);
      try {
        expect(optedInOn(a.id)).toHaveLength(1);
        expect(optedInOn(a.id)[0]!.endpointType).toBe(type);
        await trigger('sequence_of_actions', { bdb_id: 1, actions: [{ type: 'migrate', params: { bdb_id: 1 } }, { type: 'bind', params: { bdb_id: 1 } }] });
        const opsAfter = busy.ops();
        await waitFor(() => busy.ops() > opsAfter + 20, 'traffic after the move');
        expect(busy.errors).toEqual([]);
        expect({ MIGRATING: count('MIGRATING'), MIGRATED: count('MIGRATED'), MOVING: count('MOVING') }).toEqual({ MIGRATING: 1, MIGRATED: 1, MOVING: 1 });
        // The client now lives on the target node (with `none`, on its configured endpoint again).
        const home = type === 'none' ? a.id : b.id;
        const other = type === 'none' ? b.id : a.id;
        expect(optedInOn(home)).toHaveLength(1);
        expect(optedInOn(other)).toHaveLength(0);
        // ip types dial B's own loopback address; fqdn types dial `localhost`.
        const bInfo = sim.nodes().find((n) => n.id === b.id)!;
        if (type.endsWith('-ip')) expect(optedInOn(b.id)[0]!.localAddress).toBe(bInfo.ipHost);
        if (type.endsWith('-fqdn')) expect(['127.0.0.1', '::1']).toContain(optedInOn(b.id)[0]!.localAddress);
      } finally {
        await busy.stop();
      }
      await waitFor(() => sim.connections().length === 0, 'clients to leave');
    },
  );

  it('failover: FAILING_OVER then FAILED_OVER, zero errors', async () => {
    const busy = await busyClient('external-ip');
    try {
      await trigger('failover', { bdb_id: 1, cluster_index: 0 });
      const opsAfter = busy.ops();
      await waitFor(() => busy.ops() > opsAfter + 20, 'traffic after the failover');
      expect(busy.errors).toEqual([]);
      expect({ FAILING_OVER: count('FAILING_OVER'), FAILED_OVER: count('FAILED_OVER') }).toEqual({ FAILING_OVER: 1, FAILED_OVER: 1 });
    } finally {
      await busy.stop();
    }
  });

  it('update_cluster_config client_maint_notifications=false silences notifications', async () => {
    const busy = await busyClient('external-ip');
    try {
      await trigger('update_cluster_config', { config: { client_maint_notifications: false } });
      await trigger('migrate', {});
      expect(seen).toEqual([]);
      expect(busy.errors).toEqual([]);
      await trigger('update_cluster_config', { config: { client_maint_notifications: true } });
    } finally {
      await busy.stop();
    }
  });
});
