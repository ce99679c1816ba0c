import diagnostics from 'node:diagnostics_channel';
import net from 'node:net';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Simulator, type EndpointType } from '../../src/simulator/index.js';
import { makeCertificate, type Certificate } from '../helpers/certificates.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { RawClient } from './support/raw-client.js';
import { startBusyLoop } from './support/busy-loop.js';

/**
 * TLS on both sides of the simulator, with real redis-servers and a certificate made by openssl
 * for this run (valid for localhost, ::1 and 127.0.0.1…16, i.e. every address the nodes
 * announce): clients follow a MOVING to another node over TLS and verify its certificate.
 */

let certificate: Certificate;
let redis: RedisServer;
let redisTls: RedisServer;
let sim: Simulator;
let api: string;
let a: { id: string; port: number };
let b: { id: string; port: number };
let clients: RawClient[] = [];
const seen: string[] = [];
const onMaintenance = (message: unknown): void => void seen.push((message as { type: string }).type);

const tlsConnect = async (host: string, port: number, trusted = true): Promise<RawClient> => {
  const client = await RawClient.connectTls(host, port, trusted ? { ca: certificate.cert } : {});
  clients.push(client);
  return client;
};

beforeAll(async () => {
  process.env.REDIS_EMIT_DIAGNOSTICS = 'true';
  diagnostics.subscribe('redis.maintenance', onMaintenance);
  certificate = makeCertificate();
  [redis, redisTls] = await Promise.all([startRedis(), startRedis({ tls: certificate })]);
  const upstream = { host: redis.host, port: redis.port };
  const tls = { cert: certificate.cert, key: certificate.key };
  sim = await Simulator.start({
    nodes: [{ upstream, tls }, { upstream, tls }],
    control: { port: 0 },
    timings: { migrateWaitMs: 300, failoverWaitMs: 300, movingTimeS: 1 },
  });
  api = `http://127.0.0.1:${sim.controlAddress!.port}`;
  [a, b] = sim.nodes().map((n) => ({ id: n.id, port: n.port })) as [typeof a, typeof b];
});

afterEach(() => {
  for (const c of clients) c.close();
  clients = [];
  seen.length = 0;
});

afterAll(async () => {
  diagnostics.unsubscribe('redis.maintenance', onMaintenance);
  delete process.env.REDIS_EMIT_DIAGNOSTICS;
  await sim?.close();
  await redis?.stop();
  await redisTls?.stop();
});

async function post(type: string, parameters: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${api}/action`, { method: 'POST', body: JSON.stringify({ type, parameters }) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { action_id: string }).action_id;
}

async function finished(actionId: string): Promise<{ status: string; output: Record<string, unknown> }> {
  let record = { status: 'running', output: {} as Record<string, unknown>, error: null as string | null };
  await waitFor(async () => {
    record = (await (await fetch(`${api}/action/${actionId}`)).json()) as typeof record;
    if (record.status === 'failed') throw new Error(`action failed: ${record.error}`);
    return record.status === 'success';
  }, `action ${actionId} to finish`, 15_000);
  return record;
}

const optedInOn = (nodeId: string) => sim.connections(nodeId).filter((c) => c.optedIn);

describe('TLS toward clients', () => {
  it('every address a node listens on (incl. what MOVING announces) serves TLS with a certificate valid for it', async () => {
    for (const node of sim.nodes()) {
      expect(node).toMatchObject({ tls: true, upstreamTls: false });
      expect(node.addresses.map((x) => x.host)).toEqual(expect.arrayContaining(['127.0.0.1', node.ipHost]));
      for (const address of node.addresses) {
        const client = await tlsConnect(address.host, address.port);
        expect(await client.call(['PING'])).toEqual(['PONG']);
      }
    }
  });

  it('a raw TLS client follows bind (MOVING) to the other node over TLS, per endpoint type, with zero errors', async () => {
    await (await tlsConnect('127.0.0.1', a.port)).call(['SET', 'tls-key', 'tls-value']);
    const types: EndpointType[] = ['external-ip', 'internal-fqdn'];
    const olds = await Promise.all(types.map(async (type) => {
      const client = await tlsConnect('127.0.0.1', a.port);
      await client.handshake(type);
      return client;
    }));
    const action = await post('bind', { bdb_id: 1 });
    const bInfo = sim.nodes().find((n) => n.id === b.id)!;
    for (const [i, old] of olds.entries()) {
      await old.waitPush('MOVING');
      const endpoint = old.pushesOf('MOVING')[0]![3] as string;
      expect(endpoint).toBe(types[i]!.endsWith('-ip') ? `${bInfo.ipHost}:${b.port}` : `localhost:${b.port}`);
      const [host, port] = endpoint.split(':') as [string, string];
      // The handoff verifies the new endpoint's certificate for the announced host.
      const moved = await tlsConnect(host, Number(port));
      expect(await moved.call(['HELLO', '3'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', types[i]!], ['GET', 'tls-key']))
        .toMatchObject([expect.anything(), 'OK', 'tls-value']);
      expect(moved.pushesOf('MOVING')).toEqual([]);
    }
    await finished(action);
    for (const old of olds) {
      await old.waitClosed();
      expect(old.errors).toEqual([]);
    }
    expect(optedInOn(b.id)).toHaveLength(types.length);
    expect(optedInOn(b.id).map((c) => c.localAddress).sort()).toEqual(expect.arrayContaining([bInfo.ipHost]));
  });

  it.each(['external-ip', 'external-fqdn'] as const)(
    'node-redis 6.3.1 over rediss:// (%s): migrate then bind, moves to the other node over TLS with zero errors',
    async (type) => {
      const client = createClient({
        url: `rediss://127.0.0.1:${a.port}`,
        socket: { tls: true, ca: certificate.cert },
        RESP: 3,
        maintNotifications: 'enabled',
        maintEndpointType: type,
      });
      const errors: unknown[] = [];
      client.on('error', (err) => errors.push(err));
      await client.connect();
      const loop = startBusyLoop(client, `tls:${type}`, 20, errors);
      try {
        expect(optedInOn(a.id).map((c) => c.endpointType)).toEqual([type]);
        await finished(await post('sequence_of_actions', { bdb_id: 1, actions: [{ type: 'migrate', params: {} }, { type: 'bind', params: {} }] }));
        const opsAfter = loop.ops();
        await waitFor(() => loop.ops() > opsAfter + 20, 'traffic after the move');
        expect(errors).toEqual([]);
        expect(['MIGRATING', 'MIGRATED', 'MOVING'].map((t) => seen.filter((s) => s === t).length)).toEqual([1, 1, 1]);
        expect(optedInOn(b.id)).toHaveLength(1);
        expect(optedInOn(a.id)).toHaveLength(0);
      } finally {
        await loop.stop();
        client.destroy();
      }
      await waitFor(() => sim.connections().length === 0, 'clients to leave');
    },
  );

  it('a client that does not trust the CA fails cleanly; so does plain TCP; the node keeps serving', async () => {
    const before = sim.nodes().find((n) => n.id === a.id)!.tlsHandshakeFailures;
    const untrusted = await RawClient.connectTls('127.0.0.1', a.port).catch((e: unknown) => e as NodeJS.ErrnoException);
    expect(untrusted).toBeInstanceOf(Error);
    expect((untrusted as NodeJS.ErrnoException).code).toMatch(/SELF_SIGNED/);

    const nodeRedis = createClient({ url: `rediss://127.0.0.1:${a.port}`, socket: { reconnectStrategy: false } });
    nodeRedis.on('error', () => undefined);
    await expect(nodeRedis.connect()).rejects.toThrow(/self[- ]signed/i);

    const plain = net.connect({ host: '127.0.0.1', port: a.port });
    const received: Buffer[] = [];
    plain.on('data', (d: Buffer) => received.push(d));
    plain.on('error', () => undefined);
    plain.write('*1\r\n$4\r\nPING\r\n');
    await new Promise((resolve) => plain.once('close', resolve));
    expect(Buffer.concat(received).toString('latin1')).not.toContain('PONG');

    await waitFor(() => sim.nodes().find((n) => n.id === a.id)!.tlsHandshakeFailures >= before + 3, 'three failed handshakes counted');
    expect(sim.connections(a.id)).toEqual([]);
    const trusted = await tlsConnect('127.0.0.1', a.port);
    expect(await trusted.call(['PING'])).toEqual(['PONG']);
  });

  it('create_database reports tls: true and rediss:// endpoints', async () => {
    const { output } = await finished(await post('create_database', {}));
    expect(output).toMatchObject({ tls: true, raw_endpoints: [{ dns_name: '127.0.0.1', port: a.port }], endpoints: [`rediss://127.0.0.1:${a.port}`] });
  });
});

describe('TLS toward the upstream', () => {
  it('reaches a TLS redis-server (with and without TLS toward the client); an untrusted upstream closes the client cleanly', async () => {
    const upstream = { host: redisTls.host, port: redisTls.port };
    const upstreamSim = await Simulator.start({
      nodes: [
        { upstream, upstreamTls: { ca: certificate.cert } },
        { upstream, upstreamTls: { ca: certificate.cert }, tls: { cert: certificate.cert, key: certificate.key } },
        { upstream, upstreamTls: {} },
      ],
    });
    try {
      const [plainSide, tlsSide, untrusted] = upstreamSim.nodes();
      expect(plainSide).toMatchObject({ tls: false, upstreamTls: true });
      const plain = await RawClient.connect('127.0.0.1', plainSide!.port);
      clients.push(plain);
      expect(await plain.call(['HELLO', '3'], ['SET', 'upstream-tls', 'yes'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON'], ['GET', 'upstream-tls']))
        .toMatchObject([expect.anything(), 'OK', 'OK', 'yes']);
      const both = await tlsConnect('127.0.0.1', tlsSide!.port);
      expect(await both.call(['GET', 'upstream-tls'])).toEqual(['yes']);
      // The upstream's certificate is not trusted by Node's CAs: the client is closed, unanswered.
      const refused = await RawClient.connect('127.0.0.1', untrusted!.port);
      clients.push(refused);
      refused.send(['PING']);
      await refused.waitClosed();
      expect(refused.replies).toEqual([]);
      expect(await plain.call(['GET', 'upstream-tls'])).toEqual(['yes']);
    } finally {
      await upstreamSim.close();
    }
  });

  it("nodes added with cae-resp-proxy's POST /nodes speak TLS like the simulator's defaults", async () => {
    const tls = { cert: certificate.cert, key: certificate.key };
    const caeSim = await Simulator.start({ control: { port: 0 }, proxyDefaults: { tls, upstreamTls: { ca: certificate.cert } } });
    try {
      const res = await fetch(`http://127.0.0.1:${caeSim.controlAddress!.port}/nodes`, {
        method: 'POST', body: JSON.stringify({ listenPort: 0, targetHost: redisTls.host, targetPort: redisTls.port }),
      });
      const body = (await res.json()) as { success: boolean; id: string; cfg: Record<string, unknown> };
      expect(body.success).toBe(true);
      expect(Object.keys(body.cfg)).not.toContain('tls');
      const node = caeSim.nodes().find((n) => n.id === body.id)!;
      expect(node).toMatchObject({ tls: true, upstreamTls: true });
      const client = await tlsConnect('127.0.0.1', node.port);
      expect(await client.call(['SET', 'cae-tls', '1'], ['GET', 'cae-tls'])).toEqual(['OK', '1']);
    } finally {
      await caeSim.close();
    }
  });

  it('rejects a node whose certificate or key is unusable with ERR_SIM_BAD_INPUT', async () => {
    const bad = Simulator.start({ nodes: [{ upstream: { host: redis.host, port: redis.port }, tls: { cert: 'not a certificate', key: certificate.key } }] });
    await expect(bad).rejects.toMatchObject({ code: 'ERR_SIM_BAD_INPUT', message: expect.stringContaining('TLS certificate or key') });
  });
});
