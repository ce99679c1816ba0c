/**
 * Maintenance policies, rehearsed on the simulator: one refuses MOVING targets outside a subnet,
 * one records business metrics of every notification. The simulator stands in for Redis
 * Enterprise in front of your redis-server.
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/policies.ts
 */
import { BlockList } from 'node:net';
import { createClient, type NotificationHook } from 'hitless';
import { movingFrame, Simulator } from 'hitless/simulator';

/** Refuses MOVING to any address outside `cidr` (a pre-hook returning false stops it). */
function onlyMovesWithin(cidr: string): NotificationHook {
  const [network, prefix] = cidr.split('/');
  const allowed = new BlockList();
  allowed.addSubnet(network!, Number(prefix));
  return {
    name: `OnlyMovesWithin(${cidr})`,
    preHook: (context, type, notification) => {
      if (notification.type !== 'MOVING' || notification.endpoint === null) return undefined;
      if (allowed.check(notification.endpoint.host)) return undefined;
      console.log(`policy: refused MOVING to ${notification.endpoint.host}:${notification.endpoint.port} on connection ${context.connectionId}`);
      return false;
    },
  };
}

/** Counts notifications by type and outcome, and the time they took: your own metrics. */
const counts = new Map<string, { count: number; totalMs: number }>();
const businessMetrics: NotificationHook = {
  name: 'BusinessMetrics',
  postHook: (_context, type, _notification, result) => {
    const key = `${type} ${result.outcome}`;
    const entry = counts.get(key) ?? { count: 0, totalMs: 0 };
    entry.count += 1;
    entry.totalMs += result.duration;
    counts.set(key, entry);
  },
};

const redis = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const upstream = { host: redis.hostname, port: Number(redis.port || 6379) };
const sim = await Simulator.start({ nodes: [{ upstream }, { upstream }], timings: { migrateWaitMs: 200, movingTimeS: 1 } });
const [a, b] = sim.nodes();

const client = createClient({ host: a!.ipHost, port: a!.port, maintNotifications: { mode: 'enabled' } });
await client.connect();
client.maintNotifications!.addNotificationHook(onlyMovesWithin('127.0.0.0/8'));
client.maintNotifications!.addNotificationHook(businessMetrics);

await client.set('example:policies', 'before');
await sim.migrate();                                   // MIGRATING … MIGRATED: timeouts relaxed, then restored
sim.sendToAll(movingFrame(9_001, 5, '10.1.2.3:6379'), [a!.id]);   // outside the subnet: refused
await sim.moving({ from: [a!.id], to: b!.id });      // inside: handed off to node b
await client.set('example:policies', 'after');
console.log('value:', await client.get('example:policies'));
console.log('connections now on:', [...new Set(client.connections().map((c) => `${c.endpoint.host}:${c.endpoint.port}`))].join(', '));
for (const [key, { count, totalMs }] of counts) console.log(`metric: ${key}: ${count} (${(totalMs / count).toFixed(2)} ms each)`);

await client.del('example:policies');
await client.close();
await sim.close();
