import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../src/simulator/index.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { RawClient } from './support/raw-client.js';

let redis: RedisServer;
let sim: Simulator;
let api: string;
let nodeId: string;
let port: number;
let clients: RawClient[] = [];

const connect = async (p = port): Promise<RawClient> => {
  const client = await RawClient.connect('127.0.0.1', p);
  clients.push(client);
  return client;
};
const call = async (method: string, path: string, body?: unknown, raw = false): Promise<{ status: number; body: any }> => {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = raw ? (body as string) : JSON.stringify(body);
  const res = await fetch(`${api}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // plain text (404)
  }
  return { status: res.status, body: parsed };
};
const b64 = (text: string): string => Buffer.from(text).toString('base64');
const PUSH = '>2\r\n$4\r\nTEST\r\n$5\r\nhello\r\n';

beforeAll(async () => {
  redis = await startRedis();
  sim = await Simulator.start({
    nodes: [{ upstream: { host: redis.host, port: redis.port } }],
    control: { port: 0 },
    defaultInterceptors: ['cluster', 'hitless'],
    timings: { migrateWaitMs: 100, failoverWaitMs: 100, movingTimeS: 0.3, smigrateWaitMs: 100 },
    proxyDefaults: { targetHost: redis.host, targetPort: redis.port },
  });
  api = `http://127.0.0.1:${sim.controlAddress!.port}`;
  nodeId = sim.nodes()[0]!.id;
  port = sim.nodes()[0]!.port;
});

afterEach(() => {
  for (const c of clients) c.close();
  clients = [];
});

afterAll(async () => {
  await sim?.close();
  await redis?.stop();
});

describe('fault-injector API', () => {
  it('POST /action runs migrate; GET /action/:id goes running → success with output', async () => {
    const started = await call('POST', '/action', { type: 'migrate', parameters: { bdb_id: 1 } });
    expect(started.status).toBe(200);
    expect(started.body).toMatchObject({ action_id: expect.any(String), status: 'running' });
    const first = await call('GET', `/action/${started.body.action_id}`);
    expect(first.body).toMatchObject({ action_id: started.body.action_id, status: 'running', error: null });
    await waitFor(async () => (await call('GET', `/action/${started.body.action_id}`)).body.status === 'success', 'success');
    const done = await call('GET', `/action/${started.body.action_id}`);
    expect(done.body).toMatchObject({ status: 'success', error: null, output: { kind: 'migrate', seq: expect.any(Number) } });
  });

  it('bind stays running until time_s passed and the old connections are closed', async () => {
    const client = await connect();
    await client.handshake('external-ip');
    const { body } = await call('POST', '/action', { type: 'bind', parameters: { endpoint_type: 'external-fqdn' } });
    await client.waitPush('MOVING');
    expect(client.pushesOf('MOVING')[0]![3]).toBe(`localhost:${port}`);
    expect((await call('GET', `/action/${body.action_id}`)).body.status).toBe('running');
    await waitFor(async () => (await call('GET', `/action/${body.action_id}`)).body.status === 'success', 'bind to finish');
    expect(client.closed).toBe(true);
  });

  it('sequence_of_actions, update_cluster_config, create_database, delete_database, failover, slot_migrate', async () => {
    const run = async (type: string, parameters: unknown): Promise<any> => {
      const { body } = await call('POST', '/action', { type, parameters });
      await waitFor(async () => (await call('GET', `/action/${body.action_id}`)).body.status !== 'running', `${type}`);
      return (await call('GET', `/action/${body.action_id}`)).body;
    };
    const seq = await run('sequence_of_actions', { actions: [{ type: 'failover', params: {} }, { type: 'migrate', params: {} }] });
    expect(seq.status).toBe('success');
    expect(seq.output.results.map((r: { kind: string }) => r.kind)).toEqual(['failover', 'migrate']);
    expect((await run('update_cluster_config', { config: { client_maint_notifications: false } })).status).toBe('success');
    expect(sim.nodes()[0]!.faults.notifications).toBe(false);
    await run('update_cluster_config', { config: { client_maint_notifications: true } });
    const db = await run('create_database', { database_config: {} });
    expect(db.output).toMatchObject({ bdb_id: expect.any(Number), tls: false, raw_endpoints: [{ dns_name: '127.0.0.1', port }], endpoints: [`redis://127.0.0.1:${port}`] });
    expect((await run('delete_database', { bdb_id: db.output.bdb_id })).status).toBe('success');
    expect((await run('failover', { bdb_id: 1, cluster_index: 0 })).status).toBe('success');
    expect((await run('slot_migrate', { slots: '1-3' })).output).toMatchObject({ kind: 'smigrate' });
  });

  it('GET /actions and GET /action answer 200 with the lists', async () => {
    const actions = await call('GET', '/actions');
    expect(actions.status).toBe(200);
    expect(actions.body.actions.length).toBeGreaterThan(0);
    const list = await call('GET', '/action');
    expect(list.body.actions[0]).toMatchObject({ job_id: expect.any(String), action_type: expect.any(String), status: expect.any(String) });
  });

  it('rejects bad input with a clear 4xx and keeps serving', async () => {
    expect(await call('POST', '/action', { type: 'reboot_the_moon' })).toMatchObject({ status: 400, body: { code: 'ERR_SIM_UNKNOWN_ACTION' } });
    expect(await call('POST', '/action', 'not json{', true)).toMatchObject({ status: 400, body: { code: 'ERR_SIM_BAD_INPUT' } });
    expect(await call('POST', '/action', { type: 'bind', parameters: { endpoint_type: 'carrier-pigeon' } })).toMatchObject({ status: 400 });
    expect(await call('POST', '/action', { type: 'migrate', parameters: { wait_ms: -1 } })).toMatchObject({ status: 400 });
    expect(await call('POST', '/action', { type: 'sequence_of_actions', parameters: { actions: [{ type: 'nope' }] } })).toMatchObject({ status: 400 });
    expect(await call('POST', '/action', { type: 'update_cluster_config', parameters: { config: {} } })).toMatchObject({ status: 400 });
    expect(await call('POST', '/action', 'x'.repeat(1024 * 1024 + 10), true)).toMatchObject({ status: 413, body: { code: 'ERR_SIM_BODY_TOO_LARGE' } });
    expect(await call('GET', '/action/does-not-exist')).toMatchObject({ status: 404, body: { code: 'ERR_SIM_NOT_FOUND' } });
    expect(await call('GET', '/no/such/route')).toEqual({ status: 404, body: '404 Not Found' });
    expect(await call('POST', '/simulator/faults', { latencyMs: 'slow' })).toMatchObject({ status: 400 });
    expect(await call('POST', '/simulator/faults', { warpDrive: true })).toMatchObject({ status: 400 });
    expect(await (await connect()).call(['PING'])).toEqual(['PONG']);
  });

  it('POST /simulator/faults sets knobs and drops connections', async () => {
    const client = await connect();
    await client.call(['PING']);
    const res = await call('POST', '/simulator/faults', { latencyMs: 5, dropConnections: true });
    expect(res.body).toMatchObject({ success: true, dropped: 1, nodes: [{ id: nodeId, faults: { latencyMs: 5 } }] });
    await client.waitClosed();
    await call('POST', '/simulator/faults', { latencyMs: 0 });
  });
});

describe('cae-resp-proxy API', () => {
  it('GET /nodes, /connections and /stats with its node ids and shapes', async () => {
    const client = await connect();
    await client.handshake('internal-fqdn');
    expect((await call('GET', '/nodes')).body).toEqual({ ids: [nodeId] });
    expect(nodeId).toBe(`${redis.host}:${redis.port}@${port}`);
    const id = sim.connections()[0]!.id;
    expect(id).toMatch(/^conn_\d+_\w+$/);
    expect((await call('GET', '/connections')).body).toEqual({ [nodeId]: [id] });
    const stats = (await call('GET', '/stats')).body[nodeId];
    expect(stats).toMatchObject({
      activeConnections: 1,
      totalConnections: expect.any(Number),
      globalInterceptors: expect.arrayContaining([expect.objectContaining({ name: 'hitless', matchCount: expect.any(Number) })]),
      connections: [{ id, clientAddress: '127.0.0.1', clientPort: client.socket.localPort, connectedAt: expect.any(String), interceptors: [], optedIn: true, endpointType: 'internal-fqdn' }],
    });
  });

  it('send-to-client, send-to-clients and send-to-all-clients deliver whole frames (base64 and raw)', async () => {
    const one = await connect();
    const two = await connect();
    await one.call(['PING']);
    await two.call(['PING']);
    const [id1, id2] = sim.connections().map((c) => c.id) as [string, string];
    expect((await call('POST', `/send-to-client/${id1}`, b64(PUSH), true)).body).toEqual({ success: true, connectionId: id1 });
    expect((await call('POST', `/send-to-client/${id1}?encoding=raw`, PUSH, true)).body).toEqual({ success: true, connectionId: id1 });
    expect((await call('POST', '/send-to-client/conn_nope', b64(PUSH), true)).body).toEqual({ success: false, error: 'Connection not found', connectionId: 'conn_nope' });
    expect((await call('POST', `/send-to-clients?connectionIds=${id2},conn_nope`, b64(PUSH), true)).body).toEqual({ results: [{ success: true, connectionId: id2 }] });
    expect((await call('POST', '/send-to-clients', b64(PUSH), true)).status).toBe(400);
    expect((await call('POST', '/send-to-all-clients?encoding=raw', PUSH, true)).body.results).toHaveLength(2);
    await one.waitPush('TEST', 3);
    await two.waitPush('TEST', 2);
    expect(one.pushes).toEqual([['TEST', 'hello'], ['TEST', 'hello'], ['TEST', 'hello']]);
  });

  it('refuses malformed or partial frames and bad encodings with 400', async () => {
    const client = await connect();
    await client.call(['PING']);
    const id = sim.connections()[0]!.id;
    expect(await call('POST', `/send-to-client/${id}?encoding=raw`, '?garbage\r\n', true)).toMatchObject({ status: 400, body: { code: 'ERR_SIM_BAD_FRAME' } });
    expect(await call('POST', `/send-to-client/${id}?encoding=raw`, '>2\r\n$4\r\nTEST\r\n', true)).toMatchObject({ status: 400, body: { code: 'ERR_SIM_BAD_FRAME' } });
    expect(await call('POST', '/send-to-all-clients', JSON.stringify({ data: 'x' }), true)).toMatchObject({ status: 400 });
    expect(await call('POST', `/send-to-client/${id}?encoding=hex`, PUSH, true)).toMatchObject({ status: 400 });
    expect(await client.call(['PING'])).toEqual(['PONG']);
    expect(client.pushes).toEqual([]);
  });

  it('DELETE /connections/:id closes one connection', async () => {
    const client = await connect();
    await client.call(['PING']);
    const id = sim.connections()[0]!.id;
    expect((await call('DELETE', `/connections/${id}`)).body).toEqual({ success: true, connectionId: id });
    await client.waitClosed();
    expect((await call('DELETE', `/connections/${id}`)).body).toEqual({ success: false, connectionId: id });
  });

  it('POST /interceptors answers a matching command (case-insensitive), newest first, replaced by name', async () => {
    const client = await connect();
    const match = '*2\r\n$3\r\nGET\r\n$3\r\nfoo\r\n';
    expect((await call('POST', '/interceptors', { name: 'foo', match, response: '$6\r\nfaked!\r\n', encoding: 'raw' })).body).toEqual({ success: true, name: 'foo' });
    expect(await client.call(['get', 'foo'], ['GET', 'bar'])).toEqual(['faked!', null]);
    await call('POST', '/interceptors', { name: 'foo', match: b64(match), response: b64('+again\r\n'), encoding: 'base64' });
    expect(await client.call(['GET', 'foo'])).toEqual(['again']);
    await call('POST', '/interceptors', { name: 'foo', match: 'no_match', response: '', encoding: 'raw' });
    expect(await client.call(['GET', 'foo'])).toEqual([null]);
    expect((await call('POST', '/interceptors', { name: 'x', match, response: '+OK\r\n' })).status).toBe(400);
    expect((await call('POST', '/interceptors', { name: 'x', match, response: '+OK', encoding: 'raw' })).status).toBe(400);
  });

  it('POST /scenarios answers the next N commands from the list', async () => {
    const client = await connect();
    expect((await call('POST', '/scenarios', { responses: [b64('+one\r\n'), b64(':2\r\n')] })).body).toEqual({ success: true, totalResponses: 2 });
    expect(await client.call(['PING'], ['PING'], ['PING'])).toEqual(['one', 2, 'PONG']);
    expect((await call('POST', '/scenarios', { responses: [] })).status).toBe(400);
  });

  it('the cluster default interceptor answers CLUSTER SLOTS; the hitless one the opt-in', async () => {
    const client = await connect();
    const [slots, ok] = await client.call(['CLUSTER', 'SLOTS'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'none']);
    expect(slots).toEqual([[0, 16383, ['127.0.0.1', port, `proxy-id-${port}`]]]);
    expect(ok).toBe('OK');
  });

  it('POST /nodes starts a node and DELETE /nodes/:id stops it', async () => {
    const listenPort = await freePort();
    const added = await call('POST', '/nodes', { listenPort, targetHost: redis.host, targetPort: redis.port });
    expect(added.body).toMatchObject({ success: true, cfg: { listenPort, targetHost: redis.host, targetPort: redis.port } });
    const id = `${redis.host}:${redis.port}@${listenPort}`;
    expect((await call('GET', '/nodes')).body.ids).toEqual([nodeId, id]);
    const client = await connect(listenPort);
    expect(await client.call(['PING'])).toEqual(['PONG']);
    expect((await call('DELETE', `/nodes/${encodeURIComponent(id)}`)).body).toEqual({ success: true });
    await client.waitClosed();
    expect((await call('DELETE', `/nodes/${encodeURIComponent(id)}`)).body).toEqual({ success: false });
    expect((await call('POST', '/nodes', { listenPort: 'x' })).status).toBe(400);
    expect((await call('POST', '/nodes', { listenPort: port, targetHost: redis.host, targetPort: redis.port })).status).toBe(409);
  });
});
