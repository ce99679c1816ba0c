import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Simulator } from '../../src/simulator/index.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { waitFor } from '../helpers/wait.js';
import { RawClient } from './support/raw-client.js';

/** cae-resp-proxy's `logger` default interceptor: connections and their traffic, per connection id. */

let redis: RedisServer;
const sims: Simulator[] = [];
const clients: RawClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const c of clients) c.close();
  for (const s of sims) await s.close();
  await redis?.stop();
});

async function start(defaultInterceptors: Array<'logger' | 'cluster'>): Promise<{ sim: Simulator; lines: string[]; client: RawClient }> {
  const lines: string[] = [];
  const sim = await Simulator.start({
    nodes: [{ upstream: { host: redis.host, port: redis.port } }],
    defaultInterceptors,
    log: (line) => lines.push(line),
    timings: { migrateWaitMs: 10 },
  });
  sims.push(sim);
  const client = await RawClient.connect('127.0.0.1', sim.nodes()[0]!.port);
  clients.push(client);
  return { sim, lines, client };
}

describe('logger interceptor', () => {
  it('logs each command and each reply (local ones too), pushes and injected notifications, abbreviated, per connection', async () => {
    const { sim, lines, client } = await start(['logger']);
    await waitFor(() => sim.connections().length === 1, 'the connection');
    const id = sim.connections()[0]!.id;
    const node = sim.nodes()[0]!.id;
    const clientPort = client.socket.localPort;
    const big = 'x'.repeat(4096);
    await client.handshake();
    await client.call(['SET', 'logger:k', big], ['GET', 'logger:k']);
    client.send(['SUBSCRIBE', 'logger:ch']);
    await client.waitPush('subscribe');
    await sim.migrate();
    await client.waitPush('MIGRATED');
    client.close();
    await waitFor(() => lines.some((l) => l.includes(`closed ${id}`)), 'the closed line');

    const mine = lines.filter((l) => l.startsWith(`[simulator] ${node} ${id} `)).map((l) => l.slice(`[simulator] ${node} ${id} `.length));
    expect(lines[0]).toBe(`[simulator] ${node} accepted ${id} from 127.0.0.1:${clientPort}`);
    expect(mine.slice(0, 2)).toEqual(['[REQ] *2 $5 HELLO $1 3', '[REQ] *3 $6 CLIENT $19 MAINT_NOTIFICATIONS $2 ON']);
    expect(mine[2]).toMatch(/^\[RES\] %7 \$6 server \$5 redis /);
    // The proxy's own reply is logged, not the marker PING it sent upstream in its place.
    expect(mine[3]).toBe('[RES] +OK');
    expect(mine.some((l) => l.includes('PING') || l.includes('__hitless_marker_'))).toBe(false);
    expect(mine[4]).toMatch(/^\[REQ\] \*3 \$3 SET \$8 logger:k \$4096 x+/);
    expect(mine[5]).toBe('[REQ] *2 $3 GET $8 logger:k');
    expect(mine[4]).toMatch(/ xxxx+… \(\d+ bytes\)$/);
    expect(mine[4]!.length).toBeLessThan(160);
    expect(mine.slice(6, 10)).toEqual(['[RES] +OK', expect.stringMatching(/^\[RES\] \$4096 x+… \(4105 bytes\)$/),
      '[REQ] *2 $9 SUBSCRIBE $9 logger:ch', '[PUSH] >3 $9 subscribe $9 logger:ch :1']);
    expect(mine[10]).toMatch(/^\[INJECTED\] >4 \$9 MIGRATING /);
    expect(mine[11]).toMatch(/^\[INJECTED\] >3 \$8 MIGRATED /);
  });

  it('logs nothing when logger is not among the default interceptors', async () => {
    const { lines, client } = await start(['cluster']);
    await client.call(['PING'], ['CLUSTER', 'SLOTS']);
    expect(lines).toEqual([]);
  });
});
