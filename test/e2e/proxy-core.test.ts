import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplyError } from '../../src/protocol/index.js';
import { Simulator } from '../../src/simulator/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { RawClient } from './support/raw-client.js';

let redis: RedisServer;
let sim: Simulator;
let node: { host: string; port: number };
const clients: RawClient[] = [];

const connect = async (host = node.host, port = node.port): Promise<RawClient> => {
  const client = await RawClient.connect(host, port);
  clients.push(client);
  return client;
};

beforeAll(async () => {
  redis = await startRedis();
  sim = await Simulator.start({
    nodes: [{ upstream: { host: redis.host, port: redis.port } }, { upstream: { host: redis.host, port: redis.port }, maintSupport: 'oss' }],
    timings: { migrateWaitMs: 300, failoverWaitMs: 300, smigrateWaitMs: 300, movingTimeS: 1 },
  });
  const info = sim.nodes()[0]!;
  node = { host: '127.0.0.1', port: info.port };
});

afterAll(async () => {
  for (const c of clients) c.close();
  await sim?.close();
  await redis?.stop();
});

describe('proxy: frames', () => {
  it('keeps thousands of pipelined replies whole and in order while pushes are injected between them', async () => {
    const client = await connect();
    await client.handshake('external-ip');
    const value = (i: number): string => `v${i}:`.padEnd(3000 + (i % 7) * 1000, String.fromCharCode(97 + (i % 26)));
    const N = 4000;
    // Every 97th command is answered by the proxy itself; its reply must keep its place.
    const local = (i: number): boolean => i % 97 === 96;
    const commands = Array.from({ length: N }, (_, i) =>
      local(i) ? ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON'] : i % 2 === 0 ? ['SET', `key:${i >> 1}`, value(i >> 1)] : ['GET', `key:${i >> 1}`]);
    const expected = (i: number): string => {
      if (local(i)) return 'OK';
      if (i % 2 === 0) return 'OK';
      // A GET whose SET was replaced by a local command reads the previous round's value or nothing.
      return local(i - 1) ? 'MISSING' : value(i >> 1);
    };
    const before = client.replies.length;
    const injected = Buffer.from('>2\r\n$4\r\nTEST\r\n$6\r\nmarker\r\n');
    // Inject every time a chunk reaches the client: the proxy is then usually holding the
    // unfinished tail of a large reply, which must not be split by the push.
    let sent = 0;
    const inject = (): void => {
      sim.sendToAll(injected);
      sent++;
    };
    client.socket.on('data', inject);
    client.send(...commands);
    await client.waitReplies(before + N);
    client.socket.off('data', inject);
    await client.waitPush('TEST', sent);
    const migrate = sim.migrate({ waitMs: 50 });
    await migrate;
    await client.waitPush('MIGRATED');
    expect(client.errors).toEqual([]);
    const replies = client.replies.slice(before);
    expect(replies).toHaveLength(N);
    for (let i = 0; i < N; i++) {
      if (expected(i) === 'MISSING') expect(replies[i] === null || typeof replies[i] === 'string').toBe(true);
      else expect(replies[i]).toBe(expected(i));
    }
    expect(client.pushesOf('TEST')).toHaveLength(sent);
    expect(sent).toBeGreaterThan(100);
    expect(client.pushesOf('MIGRATING')).toHaveLength(1);
    // Pushes arrived interleaved with replies, not all after them.
    const firstReplyAfterPush = client.received.findIndex((r, i) => i > 0 && r.kind === 'reply' && client.received[i - 1]!.kind === 'push');
    expect(firstReplyAfterPush).toBeGreaterThan(0);
  });

  it('records per-connection commands and bytes', async () => {
    const client = await connect();
    await client.call(['PING'], ['PING']);
    const record = sim.connections().find((c) => c.clientPort === client.socket.localPort)!;
    expect(record.commands).toBe(2);
    expect(record.bytesOut).toBe('+PONG\r\n'.length * 2);
    expect(record.bytesIn).toBeGreaterThan(0);
    expect(record.optedIn).toBe(false);
    expect(new Date(record.connectedAt).getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('delivers the last reply before closing when the server hangs up (QUIT)', async () => {
    const client = await connect();
    expect(await client.call(['PING'], ['QUIT'])).toEqual(['PONG', 'OK']);
    await client.waitClosed();
  });

  it('answers a client that breaks the protocol with an error, then hangs up', async () => {
    const client = await connect();
    client.socket.write('*1\r\n?bad\r\n');
    await client.waitClosed();
    expect(client.replies).toHaveLength(1);
    expect(String((client.replies[0] as Error).message)).toMatch(/^ERR Protocol error/);
  });

  it('forwards inline commands', async () => {
    const client = await connect();
    client.socket.write('PING\r\n');
    await client.waitReplies(1);
    expect(client.replies).toEqual(['PONG']);
  });
});

describe('proxy: handshake interception', () => {
  it.each([
    [['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'internal-ip'], 'internal-ip'],
    [['client', 'maint_notifications', 'on', 'MOVING-ENDPOINT-TYPE', 'External-FQDN'], 'external-fqdn'],
    [['Client', 'Maint_Notifications', 'On'], undefined],
    [['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'none'], 'none'],
  ])('answers %j with +OK and records the endpoint type', async (command, type) => {
    const client = await connect();
    expect(await client.call(['HELLO', '3'], command)).toMatchObject([expect.anything(), 'OK']);
    const record = sim.connections().find((c) => c.clientPort === client.socket.localPort)!;
    expect(record.optedIn).toBe(true);
    expect(record.endpointType).toBe(type);
  });

  it('answers in reply order, behind a slow command forwarded before it', async () => {
    const client = await connect();
    const replies = await client.call(['BLPOP', 'no-such-list', '0.2'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'ON'], ['PING'], ['client', 'maint_notifications', 'off'], ['ECHO', 'last']);
    expect(replies).toEqual([null, 'OK', 'PONG', 'OK', 'last']);
    const record = sim.connections().find((c) => c.clientPort === client.socket.localPort)!;
    expect(record.optedIn).toBe(false);
  });

  it('rejects an unknown endpoint type and a malformed opt-in without opting in', async () => {
    const client = await connect();
    const replies = await client.call(['CLIENT', 'MAINT_NOTIFICATIONS', 'ON', 'moving-endpoint-type', 'carrier-pigeon'], ['CLIENT', 'MAINT_NOTIFICATIONS', 'MAYBE']);
    expect(replies[0]).toBeInstanceOf(ReplyError);
    expect((replies[0] as ReplyError).message).toContain("invalid moving-endpoint-type 'carrier-pigeon'");
    expect((replies[1] as ReplyError).message).toBe('ERR syntax error');
    expect(sim.connections().find((c) => c.clientPort === client.socket.localPort)!.optedIn).toBe(false);
  });

  it('in oss mode answers exactly what open-source Redis answers', async () => {
    const ossPort = sim.nodes()[1]!.port;
    const viaProxy = await connect('127.0.0.1', ossPort);
    const direct = await connect(redis.host, redis.port);
    const command = ['CLIENT', 'maint_notifications', 'ON', 'moving-endpoint-type', 'external-ip'];
    const [proxied] = await viaProxy.call(command);
    const [real] = await direct.call(command);
    expect(real).toBeInstanceOf(ReplyError);
    expect((proxied as ReplyError).message).toBe((real as ReplyError).message);
    expect(sim.connections(sim.nodes()[1]!.id)[0]!.optedIn).toBe(false);
  });

  it('passes other CLIENT subcommands through', async () => {
    const client = await connect();
    const [name, id] = await client.call(['CLIENT', 'SETNAME', 'raw'], ['CLIENT', 'GETNAME']);
    expect([name, id]).toEqual(['OK', 'raw']);
  });
});
