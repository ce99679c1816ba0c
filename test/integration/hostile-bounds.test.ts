/**
 * A server that stops answering must not make the client hold every command issued meanwhile:
 * the commands one connection holds (maxPendingCommands) and the offline queue while it
 * reconnects (offlineQueue.maxLength) are bounded, and what does not fit fails at once with an
 * error naming the bound and the server, visible to hooks and counted in `redis.client.errors`
 * by its code. (The handoff queue's bound is shown in test/e2e/maint-regressions.test.ts.)
 */
import { Registry, type Counter } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../../instrumentation/index.js';
import { ConnectionError } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { startHostileServer, type HostileServer, type HostileSocket } from '../helpers/hostile-server.js';
import { recordingHook } from '../helpers/recording-hook.js';
import { waitFor } from '../helpers/wait.js';

const servers: HostileServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** `redis_client_errors_total` for one error code, as prom-client holds it. */
async function errorsCounted(registry: Registry, code: string): Promise<number> {
  const metric = registry.getSingleMetric('redis_client_errors_total') as Counter | undefined;
  const values = (await metric?.get())?.values ?? [];
  return values.filter((v) => v.labels.error_type === code).reduce((sum, v) => sum + v.value, 0);
}

/** Settles every promise and tells the fulfilled values from the rejections. */
async function outcomes(promises: Array<Promise<unknown>>): Promise<{ values: unknown[]; errors: Error[] }> {
  const settled = await Promise.allSettled(promises);
  return {
    values: settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    errors: settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : [])),
  };
}

describe('bounded queues', () => {
  it('maxPendingCommands: a connection whose server stopped answering takes that many commands; more fail at once', async () => {
    const held: HostileSocket[] = [];
    let holding = true;
    const server = await startHostileServer((command, socket) => {
      if (command[0] !== 'GET' || !holding) return false;
      held.push(socket);
      return true;
    });
    servers.push(server);
    const hook = recordingHook();
    const registry = new Registry();
    const client = await connectedClient({ port: server.port, commandTimeout: 0, maxPendingCommands: 100, hooks: [hook, createPrometheusMetrics({ registry })] });
    await client.set('k', 'v');

    const accepted = Array.from({ length: 100 }, () => client.get('k'));
    const refused = await outcomes(Array.from({ length: 50 }, () => client.get('k')));
    expect(refused.values).toEqual([]);
    expect(refused.errors).toHaveLength(50);
    for (const error of refused.errors) {
      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ code: 'ERR_PENDING_COMMANDS_FULL' });
      expect(error.message).toBe(`GET rejected: 100 commands already wait on the connection to ${server.address} (maxPendingCommands)`);
    }
    const ended = hook.of('onCommandEnd').filter((e) => (e.error as Error | undefined)?.message.includes('maxPendingCommands'));
    expect(ended).toHaveLength(50);
    expect(await errorsCounted(registry, 'ERR_PENDING_COMMANDS_FULL')).toBe(50);

    // The server answers again: the 100 held commands get their replies, and the bound frees up.
    await waitFor(() => held.length === 100, 'the 100 accepted GETs to reach the server');
    holding = false;
    for (const socket of held) socket.write('$1\r\nv\r\n');
    expect(await Promise.all(accepted)).toEqual(Array.from({ length: 100 }, () => 'v'));
    expect(await Promise.all(Array.from({ length: 100 }, () => client.get('k')))).toEqual(Array.from({ length: 100 }, () => 'v'));
    expect(server.connections).toBe(1);
  });

  it('offlineQueue.maxLength: while reconnecting, that many commands wait; more fail at once; the queue never grows past it', async () => {
    let down = false;
    const server = await startHostileServer((command, socket) => {
      if (socket.index === 0 && command[0] === 'GET' && command[1] === 'drop') {
        down = true;
        socket.destroy();
        return true;
      }
      // While down, every new connection's HELLO goes unanswered: the client keeps reconnecting.
      return down && command[0] === 'HELLO';
    });
    servers.push(server);
    const hook = recordingHook();
    const registry = new Registry();
    const client = await connectedClient({
      port: server.port, commandTimeout: 300, connectTimeout: 300, reconnect: { initialDelay: 5, maxDelay: 20 },
      offlineQueue: { maxLength: 20 }, hooks: [hook, createPrometheusMetrics({ registry })],
    });
    client.on('error', () => undefined);
    await client.set('k', 'v');
    await expect(client.get('drop')).rejects.toThrow(server.address);

    const queued = Array.from({ length: 20 }, () => client.get('k'));
    const refused = await outcomes(Array.from({ length: 5 }, () => client.get('k')));
    expect(refused.errors).toHaveLength(5);
    for (const error of refused.errors) {
      expect(error).toMatchObject({ code: 'ERR_OFFLINE_QUEUE_FULL' });
      expect(error.message).toBe(`GET rejected: the offline queue is full (20 commands) while reconnecting to ${server.address}`);
    }
    expect(await errorsCounted(registry, 'ERR_OFFLINE_QUEUE_FULL')).toBe(5);
    await waitFor(() => server.connections >= 3, 'at least one reconnect attempt to fail');
    down = false;
    expect(await Promise.all(queued)).toEqual(Array.from({ length: 20 }, () => 'v'));
    const depths = hook.of('onOfflineQueueChange').map((e) => e.depth as number);
    expect(Math.max(...depths)).toBe(20);
    expect(depths.at(-1)).toBe(0);
  });
});
