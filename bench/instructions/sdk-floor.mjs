// Runs under valgrind (bench/instructions/sdk-floor.ts): the OpenTelemetry SDK's cost of one span,
// without Redis and without hitless. It does what TracingHook asks of the SDK per command and
// nothing else: startSpan(name, { kind: CLIENT, attributes }, context.active()) and end(), with
// the same five attributes and one options object reused, 100 spans per event-loop turn (as the
// instruction bench's `gets` issues 100 GETs a turn, so a BatchSpanProcessor's timers and exports
// run as they would under that client). 100k warm-up spans and a full GC come first.
// Arguments: <compiled build dir (bench/instructions/tsconfig.probe.json)> <measured spans> <set-up>
// <set-up>: loop (the same loop, no span: subtracted from the others) or one of TRACER_SETUPS in
// bench/instrumentation-hooks.ts (counting, none, simple, batch, ratio).
import { createRequire } from 'node:module';
import { setImmediate as turn } from 'node:timers/promises';

const [build, total, setup] = process.argv.slice(2);
// The API the SDK registered itself against: the one in this repository's node_modules.
const api = createRequire(import.meta.url)('@opentelemetry/api');
const { tracerProvider } = await import(`${build}/bench/instrumentation-hooks.js`);
const measured = setup === 'loop' ? undefined : tracerProvider(setup);
const tracer = measured?.provider.getTracer('hitless');
const options = {
  kind: api.SpanKind.CLIENT,
  attributes: { 'db.system.name': 'redis', 'server.address': '127.0.0.1', 'server.port': 6379, 'db.operation.name': 'GET', 'db.namespace': '0' },
};
let looped = 0;

const spans = async (count) => {
  for (let i = 0; i < count; i += 100) {
    if (tracer === undefined) {
      for (let j = 0; j < 100; j++) looped += options.kind;
    } else {
      for (let j = 0; j < 100; j++) tracer.startSpan('GET', options, api.context.active()).end();
    }
    await turn();
  }
};

await spans(100_000);
globalThis.gc();
await spans(Number(total));
// Every span started, the warm-up's too, must have reached the processor: a queue that dropped
// spans would make a set-up look cheap.
if (measured !== undefined) await measured.verify(100_000 + Number(total));
else if (looped === 0) throw new Error('the loop did not run');
