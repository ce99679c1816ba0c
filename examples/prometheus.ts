/**
 * Prometheus: MetricsHook's instruments in a prom-client Registry, served on /metrics for
 * Prometheus to scrape (grafana/prometheus.yml scrapes 127.0.0.1:9464).
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/prometheus.ts
 */
import { Registry } from 'prom-client';
import { createClient } from 'hitless';
import { createPrometheusMetrics, serveMetrics } from 'hitless/instrumentation';

const registry = new Registry();
const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', hooks: [createPrometheusMetrics({ registry })] });
await client.connect();
// Port 0 here picks a free one; in production give it a fixed port, e.g. 9464.
const server = await serveMetrics({ registry, port: Number(process.env.METRICS_PORT ?? 0) });
console.log(`metrics at ${server.url}`);

for (let i = 0; i < 10; i++) await client.set(`example:prom:${i}`, String(i));
await client.get('example:prom:0');
await client.sendCommand(['HGET', 'example:prom:0', 'field']).catch((error: Error) => console.log('expected error:', error.message));

const exposition = await (await fetch(server.url)).text();
for (const line of exposition.split('\n')) {
  if (line.startsWith('db_client_operation_duration_seconds_count') || line.startsWith('redis_client_errors_total')) console.log(line);
}
for (let i = 0; i < 10; i++) await client.del(`example:prom:${i}`);
await client.close();
await server.close();
