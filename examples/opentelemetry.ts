/**
 * OpenTelemetry: MetricsHook and TracingHook with the OTel SDK. Here the exporters keep the data
 * in memory so the example can print it; in production put an OTLP exporter in their place
 * (@opentelemetry/exporter-metrics-otlp-http, @opentelemetry/exporter-trace-otlp-http).
 *   REDIS_URL=redis://127.0.0.1:6379 npx tsx examples/opentelemetry.ts
 */
import { trace } from '@opentelemetry/api';
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, NodeTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { createClient } from 'hitless';
import { MetricsHook, TracingHook } from 'hitless/instrumentation';

const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 });
const meterProvider = new MeterProvider({ readers: [reader] });
const spanExporter = new InMemorySpanExporter();
const tracerProvider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
tracerProvider.register();   // the global provider, and async context so command spans nest under yours

const metrics = new MetricsHook({ meterProvider });                     // or new MetricsHook() for the global one
const tracing = new TracingHook({ tracerProvider, queryText: true });  // db.query.text, sanitised: `SET key ?`
const client = createClient({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', hooks: [metrics, tracing] });
await client.connect();

// Command spans are children of the caller's active span.
await trace.getTracer('example').startActiveSpan('checkout', async (span) => {
  await client.set('example:otel', 'v');
  await client.get('example:otel');
  await client.pipeline().get('example:otel').del('example:otel').exec();
  span.end();
});
await client.close();

await reader.forceFlush();
for (const metric of metricExporter.getMetrics().flatMap((r) => r.scopeMetrics).flatMap((s) => s.metrics)) {
  console.log(`metric: ${metric.descriptor.name} (${metric.descriptor.unit}): ${metric.dataPoints.length} data point(s)`);
}
for (const span of spanExporter.getFinishedSpans()) {
  console.log(`span: ${span.name}${span.attributes['db.query.text'] === undefined ? '' : ` [${String(span.attributes['db.query.text'])}]`}${span.parentSpanContext ? ' (child)' : ''}`);
}
console.log('snapshot:', JSON.stringify(metrics.getMetrics().error_counts));
await meterProvider.shutdown();
await tracerProvider.shutdown();
