/**
 * Throughput through the maintenance simulator vs straight to redis-server, same client
 * (node-redis 6.3.1), same process, same run. Prints ops/s for both and the ratio; the goal is
 * ≥ 0.5× so the proxy is never what limits an e2e test.
 *
 *   npx tsx bench/simulator.ts [seconds per case, default 3]
 */
import { createClient } from 'redis';
import { Simulator } from '../src/simulator/index.js';
import { startRedis } from '../test/helpers/redis-server.js';

const USAGE = 'usage: npx tsx bench/simulator.ts [seconds per case, default 3]';
if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const seconds = Number(process.argv[2] ?? 3);
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error(`seconds per case must be a positive number, got "${process.argv[2]}"\n${USAGE}`);
  process.exit(2);
}

interface Case {
  name: string;
  /** Concurrent command loops on one client (node-redis pipelines them on its socket). */
  concurrency: number;
  value: string;
}

const cases: Case[] = [
  { name: 'SET+GET, 1 in flight, 16 B', concurrency: 1, value: 'x'.repeat(16) },
  { name: 'SET+GET, 64 in flight, 16 B', concurrency: 64, value: 'x'.repeat(16) },
  { name: 'SET+GET, 64 in flight, 4 KiB', concurrency: 64, value: 'x'.repeat(4096) },
];

async function measure(port: number, c: Case): Promise<number> {
  const client = createClient({ socket: { host: '127.0.0.1', port }, RESP: 3 });
  await client.connect();
  let ops = 0;
  const deadline = Date.now() + seconds * 1000;
  await Promise.all(Array.from({ length: c.concurrency }, async (_, worker) => {
    const key = `bench:${worker}`;
    while (Date.now() < deadline) {
      await client.set(key, c.value);
      await client.get(key);
      ops += 2;
    }
  }));
  client.destroy();
  return ops / seconds;
}

const redis = await startRedis();
const sim = await Simulator.start({ nodes: [{ upstream: { host: redis.host, port: redis.port } }] });
try {
  const proxied = sim.nodes()[0]!.port;
  console.log(`simulator bench: ${seconds}s per case, node-redis 6.3.1, redis-server on 127.0.0.1:${redis.port}`);
  for (const c of cases) {
    const direct = await measure(redis.port, c);
    const through = await measure(proxied, c);
    console.log(`${c.name.padEnd(32)} direct ${Math.round(direct).toString().padStart(8)} ops/s   simulator ${Math.round(through).toString().padStart(8)} ops/s   ratio ${(through / direct).toFixed(2)}x`);
  }
} finally {
  await sim.close();
  await redis.stop();
}
