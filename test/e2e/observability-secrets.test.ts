/**
 * One scenario, every observability output: a password-protected redis-server behind the
 * simulator, a client with MetricsHook (a real OTel SDK), createPrometheusMetrics, TracingHook
 * (db.query.text on) and LoggingHook (debug), through a migrate and a MOVING whose handoff
 * authenticates again, plus CONFIG SET masterauth and ACL SETUSER with it, and a client refused
 * with a wrong password that contains it. The password is
 * in no span, metric data point, snapshot, exposition or log record; each output is checked to
 * hold the scenario first, so an empty one cannot pass.
 */
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrometheusMetrics, LoggingHook, MetricsHook, TracingHook, type LoggerLike } from '../../instrumentation/index.js';
import { connectedClient } from '../helpers/clients.js';
import { useSimulator } from '../helpers/fixtures.js';
import { testMetrics } from '../helpers/otel.js';
import { waitFor } from '../helpers/wait.js';
import { maintenanceRecorder } from './support/maintenance.js';

const PASSWORD = 'obs-S3cret-in-no-output-7f3a';
const bed = useSimulator({ redis: { password: PASSWORD }, timings: { migrateWaitMs: 100, movingTimeS: 1 } });
const exporter = new InMemorySpanExporter();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

afterAll(async () => {
  await tracerProvider.shutdown();
});

describe('a known password through every observability output', () => {
  it('appears in no span, metric, snapshot, exposition or log record', async () => {
    const records: unknown[] = [];
    const log = (fields: Record<string, unknown>, message: string): void => void records.push({ fields, message });
    const logger: LoggerLike = { error: log, warn: log, info: log, debug: log };
    const metrics = testMetrics();
    const metricsHook = new MetricsHook({ meterProvider: metrics.provider });
    const registry = new Registry();
    const recorder = maintenanceRecorder();
    const prometheus = createPrometheusMetrics({ registry });
    const tracing = new TracingHook({ tracerProvider, queryText: true });
    const logging = new LoggingHook({ logger, level: 'debug' });
    const client = await connectedClient({
      port: bed.a.port, password: PASSWORD, hooks: [metricsHook, prometheus, tracing, logging, recorder],
      maintNotifications: { mode: 'enabled', allowedEndpoints: ['127.0.0.0/8'] },
    });
    await client.set('secrets:k', 'v');
    // Commands that carry credentials as arguments (AUTH itself is the client's own business).
    expect(await client.sendCommand(['CONFIG', 'SET', 'masterauth', PASSWORD])).toBe('OK');
    expect(await client.sendCommand(['ACL', 'SETUSER', 'secrets-user', 'on', `>${PASSWORD}`, '~*', '+@all'])).toBe('OK');
    // A client refused with a wrong password (the password inside it) reports through the same hooks.
    const refused = connectedClient({
      port: bed.a.port, username: 'secrets-user', password: `${PASSWORD}-wrong`, hooks: [metricsHook, prometheus, tracing, logging],
      maintNotifications: { mode: 'disabled' }, reconnect: false,
    });
    await expect(refused).rejects.toThrow(/WRONGPASS/);
    await bed.sim.migrate();
    await bed.sim.moving({ from: [bed.a.id], to: bed.b.id });
    await waitFor(() => recorder.handoffs('succeeded').length === 1, 'the handoff, which authenticates again');
    expect(await client.get('secrets:k')).toBe('v');
    await client.close();

    const spans = JSON.stringify(exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
    const points = JSON.stringify(await metrics.collect());
    const snapshot = JSON.stringify(metricsHook.getMetrics());
    const exposition = await registry.metrics();
    const logs = JSON.stringify(records);
    // Each output holds the scenario...
    expect(spans).toContain('"ACL"');
    expect(spans).toContain('redis.handoff');
    expect(points).toContain('"CONFIG"');
    expect(snapshot).toContain('MOVING');
    expect(exposition).toContain('db_operation_name="ACL"');
    expect(exposition).toContain('error_type="WRONGPASS"');
    expect(logs).toContain('handoff.succeeded');
    // ...and not the password.
    for (const [output, text] of Object.entries({ spans, points, snapshot, exposition, logs })) {
      expect(text.includes(PASSWORD), `${output} holds the password`).toBe(false);
    }
    await metrics.shutdown();
  });
});
