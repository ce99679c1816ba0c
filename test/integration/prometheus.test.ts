/**
 * createPrometheusMetrics against a real redis-server, with a real prom-client Registry: the
 * names an OTel Collector would give the same instruments, labels, values, an exposition that
 * `promtool check metrics` accepts, and the /metrics server.
 */
import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createPrometheusMetrics, INSTRUMENTS, prometheusName, serveMetrics } from '../../instrumentation/index.js';
import { CLIENT_LIBRARY } from '../../src/index.js';
import { connectedClient } from '../helpers/clients.js';
import { useRedis } from '../helpers/fixtures.js';

const fixture = useRedis();

/** The value of the sample `name{…}` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (match === null || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) return Number(match[4]);
  }
  return undefined;
}

describe('createPrometheusMetrics', () => {
  it('names the instruments as an OTel Collector would (a gauge ending in _count excepted: promtool reserves it)', () => {
    expect(prometheusName(INSTRUMENTS.operationDuration)).toBe('db_client_operation_duration_seconds');
    expect(prometheusName(INSTRUMENTS.errors)).toBe('redis_client_errors_total');
    expect(prometheusName(INSTRUMENTS.connectionCount)).toBe('db_client_connections');
    expect(prometheusName(INSTRUMENTS.relaxedTimeout)).toBe('redis_client_connection_relaxed_timeout');
    expect(prometheusName(INSTRUMENTS.handoff)).toBe('redis_client_connection_handoff_total');
    expect(prometheusName(INSTRUMENTS.notifications)).toBe('redis_client_maintenance_notifications_total');
    expect(prometheusName(INSTRUMENTS.breakerState)).toBe('redis_client_circuit_breaker_state');
    expect(prometheusName({ name: 'x.ratio', kind: 'gauge', unit: '1' })).toBe('x_ratio');
  });

  it('records commands, errors and connections into the registry; promtool accepts the exposition', async () => {
    const registry = new Registry();
    const client = await connectedClient({ port: fixture.server.port, hooks: [createPrometheusMetrics({ registry })] });
    for (let i = 0; i < 3; i++) await client.set(`p:${i}`, 'v');
    await fixture.direct.set('p:string', 'x');
    await expect(client.lPush('p:string', 'y')).rejects.toMatchObject({ code: 'WRONGTYPE' });
    const text = await registry.metrics();
    const set = { db_operation_name: 'SET', db_system_name: 'redis', redis_client_library: CLIENT_LIBRARY, server_port: String(fixture.server.port), db_namespace: '0' };
    expect(sample(text, 'db_client_operation_duration_seconds_count', set)).toBe(3);
    expect(sample(text, 'db_client_operation_duration_seconds_bucket', { ...set, le: '+Inf' })).toBe(3);
    expect(sample(text, 'db_client_operation_duration_seconds_count', { db_operation_name: 'LPUSH', error_type: 'WRONGTYPE', db_response_status_code: 'WRONGTYPE' })).toBe(1);
    expect(sample(text, 'redis_client_errors_total', { error_type: 'WRONGTYPE', redis_client_errors_category: 'server', redis_client_errors_internal: 'false' })).toBe(1);
    expect(sample(text, 'db_client_connections', { db_client_connection_state: 'used', db_client_connection_pool_name: `127.0.0.1:${fixture.server.port}` })).toBe(1);

    const promtool = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    if (promtool.error) throw new Error(`promtool is needed for this test (Debian: apt-get install prometheus; npm test installs it as root): ${promtool.error.message}`);
    expect({ status: promtool.status, output: promtool.stdout + promtool.stderr }).toEqual({ status: 0, output: '' });
  });

  it('serves the registry at /metrics, and nothing else', async () => {
    const registry = new Registry();
    const client = await connectedClient({ port: fixture.server.port, hooks: [createPrometheusMetrics({ registry })] });
    await client.ping();
    const server = await serveMetrics({ registry });
    try {
      const ok = await fetch(server.url);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toBe(registry.contentType);
      expect(sample(await ok.text(), 'db_client_operation_duration_seconds_count', { db_operation_name: 'PING' })).toBe(1);
      const missing = await fetch(server.url.replace('/metrics', '/other'));
      expect(missing.status).toBe(404);
      await missing.text();
    } finally {
      await server.close();
    }
  });
});
