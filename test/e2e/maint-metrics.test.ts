/**
 * MetricsHook through a scripted maintenance (migrate, failover, MOVING, a malformed frame and a
 * refused MOVING) on the simulator, read through a real OpenTelemetry SDK: every count equals
 * what the simulator delivered, relaxed_timeout is back to 0, and getMetrics() agrees.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { createMetricProducer, createPrometheusMetrics, MetricsHook, semconv } from '../../instrumentation/index.js';
import { CLIENT_LIBRARY } from '../../src/index.js';
import { movingFrame, type Simulator, type NodeInfo } from '../../src/simulator/index.js';
import { connectedClient } from '../helpers/clients.js';
import { testMetrics } from '../helpers/otel.js';
import { useSimulator } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';
import { maintenanceRecorder, startLoad } from './support/maintenance.js';

const bed = useSimulator({ timings: { migrateWaitMs: 200, failoverWaitMs: 200, movingTimeS: 1 } });
let sim: Simulator;
let a: NodeInfo;
let b: NodeInfo;

beforeAll(() => {
  ({ sim, a, b } = bed);
});

describe('MetricsHook through a maintenance', () => {
  it('counts notifications per type, handoffs per moved connection, relaxations back to 0, and no errors', async () => {
    const metrics = testMetrics();
    const hook = new MetricsHook({ meterProvider: metrics.provider });
    // The same events into prom-client: both pipelines must tell the same story.
    const registry = new Registry();
    // And into the hook-aggregated OTel path, whose data must equal the SDK's.
    const producer = createMetricProducer();
    const produced = testMetrics({ metricProducers: [producer] });
    const recorder = maintenanceRecorder();
    const client = await connectedClient({
      port: a.port, minIdleConns: 2, hooks: [hook, createPrometheusMetrics({ registry }), producer, recorder],
      maintNotifications: { mode: 'enabled', allowedEndpoints: [`127.0.0.0/8`] },
    });
    await waitFor(() => client.connections().length === 3, 'three connections');
    const load = startLoad(client, 20, 'metrics:');
    const migrate = await sim.migrate();
    const failover = await sim.failover();
    const moving = await sim.moving({ from: [a.id], to: b.id });
    // Not counted as handoffs: a malformed MOVING (its seq a string), and one outside allowedEndpoints.
    sim.sendToAll(Buffer.from('>4\r\n$6\r\nMOVING\r\n$1\r\nx\r\n:1\r\n$3\r\nabc\r\n'), [b.id]);
    sim.sendToAll(movingFrame(9_000, 1, `10.0.0.1:${b.port}`), [b.id]);
    await waitFor(() => recorder.of('onNotificationHandled').filter((e) => e.outcome === 'refused').length === 3, 'the refused MOVINGs');
    const { errors } = await load.stop();
    expect(errors).toEqual([]);

    const delivered = (kind: string): number => [migrate, failover, moving].reduce((n, r) => n + (r.delivered[kind] ?? 0), 0);
    const notifications = (type: string): Promise<number> =>
      metrics.sum(semconv.METRIC_REDIS_CLIENT_MAINTENANCE_NOTIFICATIONS, { [semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION]: type });
    for (const type of ['MIGRATING', 'MIGRATED', 'FAILING_OVER', 'FAILED_OVER']) expect(await notifications(type)).toBe(delivered(type));
    // The simulator's MOVINGs, plus the malformed and the refused one on each of the three moved connections.
    expect(await notifications('MOVING')).toBe(delivered('MOVING') + 6);
    expect(delivered('MOVING')).toBe(3);
    expect(await metrics.sum(semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF, { [semconv.ATTR_REDIS_CLIENT_LIBRARY]: CLIENT_LIBRARY })).toBe(3);
    expect(await metrics.sum(semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_OUTCOMES, { [semconv.ATTR_REDIS_CLIENT_HANDOFF_OUTCOME]: 'refused' })).toBe(3);
    expect(await metrics.count(semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_DURATION, { [semconv.ATTR_REDIS_CLIENT_HANDOFF_OUTCOME]: 'succeeded' })).toBe(3);
    // Every MIGRATING / FAILING_OVER window closed again; the post-handoff windows are still open.
    const relaxed = (reason: string): Promise<number> =>
      metrics.sum(semconv.METRIC_REDIS_CLIENT_CONNECTION_RELAXED_TIMEOUT, { [semconv.ATTR_REDIS_CLIENT_CONNECTION_NOTIFICATION]: reason });
    expect(await relaxed('MIGRATING')).toBe(0);
    expect(await relaxed('FAILING_OVER')).toBe(0);
    expect(await relaxed('HANDOFF')).toBe(3);
    expect(await metrics.count(semconv.METRIC_REDIS_CLIENT_MAINTENANCE_NOTIFICATION_DURATION, { [semconv.ATTR_REDIS_CLIENT_MAINTENANCE_OUTCOME]: 'invalid' })).toBe(3);
    expect(await metrics.sum(semconv.METRIC_REDIS_CLIENT_ERRORS)).toBe(0);

    const snapshot = hook.getMetrics();
    expect(snapshot.notification_counts).toEqual({
      MIGRATING: delivered('MIGRATING'), MIGRATED: delivered('MIGRATED'), FAILING_OVER: delivered('FAILING_OVER'),
      FAILED_OVER: delivered('FAILED_OVER'), MOVING: delivered('MOVING') + 6,
    });
    expect(snapshot.processing_times.MOVING!.count).toBe(delivered('MOVING') + 6);
    expect(snapshot.processing_times.MIGRATING!.max).toBeGreaterThanOrEqual(snapshot.processing_times.MIGRATING!.p50);
    expect(snapshot.error_counts).toEqual({ MOVING: 3 });
    expect(snapshot.handoff_counts).toEqual({ succeeded: 3, failed: 0, retried: 0, refused: 3 });

    const prometheus = await registry.getMetricsAsJSON();
    const promSum = (name: string, labels: Record<string, string> = {}): number =>
      (prometheus.find((m) => m.name === name)?.values ?? [])
        .filter((v) => Object.entries(labels).every(([k, value]) => String(v.labels[k]) === value))
        .reduce((n, v) => n + v.value, 0);
    for (const type of ['MIGRATING', 'MIGRATED', 'FAILING_OVER', 'FAILED_OVER', 'MOVING']) {
      expect(promSum('redis_client_maintenance_notifications_total', { redis_client_connection_notification: type })).toBe(await notifications(type));
    }
    expect(promSum('redis_client_connection_handoff_total')).toBe(3);
    // Everything handed off: nothing waits or dials any more.
    expect(promSum('redis_client_connection_handoff_queue')).toBe(0);
    expect(promSum('redis_client_connection_handoff_active')).toBe(0);
    expect(await metrics.sum(semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_ACTIVE)).toBe(0);
    expect(promSum('redis_client_connection_relaxed_timeout', { redis_client_connection_notification: 'MIGRATING' })).toBe(0);
    expect(promSum('redis_client_connection_relaxed_timeout', { redis_client_connection_notification: 'HANDOFF' })).toBe(3);

    // Collected together, so that no event lands between the two reads.
    const [sdkData, producerData] = await Promise.all([metrics.comparable(), produced.comparable()]);
    expect(producerData).toEqual(sdkData);
    expect(producerData.map((m) => m.descriptor.name)).toEqual(expect.arrayContaining([
      semconv.METRIC_REDIS_CLIENT_MAINTENANCE_NOTIFICATIONS, semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF, semconv.METRIC_REDIS_CLIENT_CONNECTION_RELAXED_TIMEOUT,
      semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_DURATION, semconv.METRIC_REDIS_CLIENT_MAINTENANCE_NOTIFICATION_DURATION,
      semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_QUEUE, semconv.METRIC_REDIS_CLIENT_CONNECTION_HANDOFF_OUTCOMES,
    ]));

    // Closing ends every window and every connection: the up/down counters are back to 0.
    await client.close();
    expect(await relaxed('HANDOFF')).toBe(0);
    expect(await metrics.sum(semconv.METRIC_DB_CLIENT_CONNECTION_COUNT)).toBe(0);
    const [sdkClosed, producerClosed] = await Promise.all([metrics.comparable(), produced.comparable()]);
    expect(producerClosed).toEqual(sdkClosed);
    await metrics.shutdown();
    await produced.shutdown();
  });
});
