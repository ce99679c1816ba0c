/**
 * node-redis 6.3.1 in a process of its own, driven by the bench over IPC, for the hook section's
 * comparison: `--otel` switches on its OpenTelemetry metrics (`OpenTelemetry.init`, the same
 * groups as MetricsHook's: command, connection-basic, connection-advanced, resiliency) into a real
 * sdk-metrics MeterProvider. A process of its own because `OpenTelemetry.init` is process-wide:
 * once called, every node-redis client in the process publishes to its diagnostics channels, so a
 * plain node-redis beside it would pay part of the cost too.
 *
 *   parent → child: { ops, prefix } runs workload (a), replies { opsPerSecond }
 *                   { close: true } replies { recorded } (operations the SDK counted; 0 without --otel) and exits
 */
import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { OpenTelemetry } from 'redis';
import { nodeRedis } from './clients.js';
import { concurrent } from './workloads.js';

class PullReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

export type ParentMessage = { ops: number; prefix: string } | { close: true };
export type ChildMessage = { ready: true } | { opsPerSecond: number } | { recorded: number } | { error: string };

const [host, port] = process.argv.slice(2);
const otel = process.argv.includes('--otel');
const reader = new PullReader();
if (otel) {
  // As node-redis's docs say: the SDK registered globally first (its structural MeterProvider type
  // does not accept sdk-metrics' own, so it is not passed as `meterProvider`), then init.
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  OpenTelemetry.init({ metrics: { enabled: true, enabledMetricGroups: ['command', 'connection-basic', 'connection-advanced', 'resiliency'] } });
}
// After init: node-redis registers a client for metrics when it is created.
const client = await nodeRedis(otel ? 'node-redis + OTel' : 'node-redis', { host: host!, port: Number(port) });
const send = (message: ChildMessage): void => void process.send!(message);

async function recorded(): Promise<number> {
  if (!otel) return 0;
  const { resourceMetrics } = await reader.collect();
  const duration = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'db.client.operation.duration');
  return (duration?.dataPoints as Array<{ value: { count: number } }> | undefined)?.reduce((n, p) => n + p.value.count, 0) ?? 0;
}

process.on('message', (message: ParentMessage) => {
  const reply = 'close' in message
    ? recorded().then(async (count) => {
      await client.close();
      send({ recorded: count });
      process.disconnect();
    })
    : concurrent(client, message.ops, message.prefix).then((opsPerSecond) => send({ opsPerSecond }));
  reply.catch((error: unknown) => send({ error: String(error) }));
});
send({ ready: true });
