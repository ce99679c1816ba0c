// A user's program, copied by scripts/check-package-otel.mjs into a temp project where the packed
// hitless tarball is installed next to one OpenTelemetry line (2.x or 3.x) and prom-client. It wires
// MetricsHook to a real MeterProvider (pull reader), TracingHook to a real tracer provider (in-memory
// exporter) and createPrometheusMetrics to a prom-client Registry, issues commands against the
// redis-server at HITLESS_REDIS_PORT, and prints one JSON line per check: {"check", "ok", "detail"}.
//
//   HITLESS_OTEL_LINE=2|3 HITLESS_REDIS_PORT=<port> node otel-consumer.mjs
import { context, trace } from '@opentelemetry/api';
import { DataPointType, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { Registry } from 'prom-client';
import { createClient } from 'hitless';
import { createPrometheusMetrics, MetricsHook, TracingHook } from 'hitless/instrumentation';

const line = process.env.HITLESS_OTEL_LINE;
const port = Number(process.env.HITLESS_REDIS_PORT);
if ((line !== '2' && line !== '3') || !Number.isInteger(port)) {
  throw new Error(`otel-consumer: HITLESS_OTEL_LINE must be 2 or 3 (is ${line}) and HITLESS_REDIS_PORT a port (is ${process.env.HITLESS_REDIS_PORT})`);
}
const SPAN_KIND_CLIENT = 2;
const check = (name, ok, detail = '') => console.log(JSON.stringify({ check: name, ok: Boolean(ok), detail: ok ? '' : detail }));
const show = (value) => JSON.stringify(value);

class PullReader extends MetricReader {
  async onShutdown() {}
  async onForceFlush() {}
}

// The two lines differ in how tracing is set up: 2.x has NodeTracerProvider (sdk-trace-node), whose
// register() installs the AsyncLocalStorage context manager; 3.x has one TracerProvider
// (sdk-trace, which replaced sdk-trace-base and -node) and the context manager is installed by hand.
async function tracing() {
  if (line === '2') {
    const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
    const { InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const exporter = new InMemorySpanExporter();
    const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.register();
    return { provider, exporter };
  }
  const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = await import('@opentelemetry/sdk-trace');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const exporter = new InMemorySpanExporter();
  // 3.x processors take an options object (2.x: the exporter itself).
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  trace.setGlobalTracerProvider(provider);
  return { provider, exporter };
}

const reader = new PullReader();
const meterProvider = new MeterProvider({ readers: [reader] });
const { provider: tracerProvider, exporter } = await tracing();
const registry = new Registry();
const client = createClient({
  url: `redis://127.0.0.1:${port}`,
  hooks: [new MetricsHook({ meterProvider }), new TracingHook({ tracerProvider }), createPrometheusMetrics({ registry })],
});
client.on('error', () => {}); // a connection problem fails the commands below, which is what is checked

await client.connect();
await client.set('otel-consumer:key', 'value');
await client.get('otel-consumer:key');
await client.get('otel-consumer:key');
// One GET under the caller's active span: its span must be that span's child.
const parent = await tracerProvider.getTracer('otel-consumer').startActiveSpan('consumer parent', async (span) => {
  await client.get('otel-consumer:key');
  span.end();
  return span.spanContext();
});
await client.close();

// ---- metrics: db.client.operation.duration -----------------------------------------------------
const { resourceMetrics, errors } = await reader.collect();
check('metrics: the MeterProvider collects without errors', errors.length === 0, errors.map(String).join('\n'));
const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'db.client.operation.duration');
const points = metric?.dataPoints ?? [];
const countOf = (op) => points.filter((p) => p.attributes['db.operation.name'] === op).reduce((n, p) => n + p.value.count, 0);
check('metrics: db.client.operation.duration is a histogram in seconds',
  metric?.dataPointType === DataPointType.HISTOGRAM && metric.descriptor.unit === 's',
  metric ? `type ${metric.dataPointType}, unit ${metric.descriptor.unit}` : 'no such metric collected');
check('metrics: db.client.operation.duration counted 1 SET and 3 GET', countOf('SET') === 1 && countOf('GET') === 3,
  `SET ${countOf('SET')}, GET ${countOf('GET')}; data points: ${show(points.map((p) => p.attributes))}`);
const mine = points.filter((p) => ['SET', 'GET'].includes(p.attributes['db.operation.name']));
check(`metrics: SET/GET points carry db.system.name=redis, server.address=127.0.0.1, server.port=${port} (an integer)`,
  mine.length > 0 && mine.every((p) => p.attributes['db.system.name'] === 'redis' && p.attributes['server.address'] === '127.0.0.1'
    && Number.isInteger(p.attributes['server.port']) && p.attributes['server.port'] === port),
  show(mine.map((p) => p.attributes)));

// ---- traces -------------------------------------------------------------------------------------
const spans = exporter.getFinishedSpans();
const named = (name) => spans.filter((s) => s.name === name);
check('traces: one SET span and three GET spans', named('SET').length === 1 && named('GET').length === 3,
  `spans: ${show(spans.map((s) => s.name))}`);
const commandSpans = [...named('SET'), ...named('GET')];
check(`traces: command spans are CLIENT spans with db.system.name=redis, db.operation.name, server.port=${port} (an integer)`,
  commandSpans.length > 0 && commandSpans.every((s) => s.kind === SPAN_KIND_CLIENT && s.attributes['db.system.name'] === 'redis'
    && s.attributes['db.operation.name'] === s.name && Number.isInteger(s.attributes['server.port']) && s.attributes['server.port'] === port),
  show(commandSpans.map((s) => ({ name: s.name, kind: s.kind, attributes: s.attributes }))));
const children = named('GET').filter((s) => s.parentSpanContext?.spanId === parent.spanId && s.spanContext().traceId === parent.traceId);
check('traces: the GET issued under an active span is its child (context through @opentelemetry/api)', children.length === 1,
  `parent ${parent.spanId}; GET parents: ${show(named('GET').map((s) => s.parentSpanContext?.spanId ?? null))}`);

// ---- Prometheus ---------------------------------------------------------------------------------
const exposition = await registry.metrics();
const countLine = exposition.split('\n').find((l) => l.startsWith('db_client_operation_duration_seconds_count{') && l.includes('db_operation_name="GET"'));
check('prometheus: the exposition has db_client_operation_duration_seconds_count for GET, value 3',
  countLine !== undefined && Number(countLine.split(' ').pop()) === 3,
  countLine ?? exposition.split('\n').filter((l) => l.startsWith('db_client_operation_duration')).join('\n'));

await Promise.all([meterProvider.shutdown(), tracerProvider.shutdown()]);
