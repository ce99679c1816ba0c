/**
 * LoggingHook: the maintenance story as structured log records, through the simulator. Any
 * logger with pino's `(object, message)` methods works (`new LoggingHook({ logger: pino() })`);
 * with none, records go to the console.
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/logging.ts
 */
import { createClient } from 'hitless';
import { LoggingHook } from 'hitless/instrumentation';
import { Simulator } from 'hitless/simulator';

const redis = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const upstream = { host: redis.hostname, port: Number(redis.port || 6379) };
const sim = await Simulator.start({ nodes: [{ upstream }, { upstream }], timings: { migrateWaitMs: 200, movingTimeS: 1 } });
const [a, b] = sim.nodes();

const client = createClient({
  host: a!.ipHost, port: a!.port,
  hooks: [new LoggingHook({ level: 'info' })],   // { logger: console } is the default; 'debug' tells everything
  maintNotifications: { mode: 'enabled' },
});
await client.connect();
await sim.migrate();
await sim.moving({ from: [a!.id], to: b!.id });
await client.ping();
await client.close();
await sim.close();
