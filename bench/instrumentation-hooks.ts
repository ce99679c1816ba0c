/**
 * The instrumentation hooks as the benchmarks measure them (issue 17), each with the real backend
 * behind it, so what is measured is what a user pays:
 *
 *   metrics-otel          MetricsHook, every group, into a real @opentelemetry/sdk-metrics MeterProvider (pull reader)
 *   metrics-otel-command  the same with only the `command` group
 *   metrics-producer      MetricsHook aggregating in the hook, read by the SDK's reader as a MetricProducer
 *   metrics-prom          createPrometheusMetrics into a prom-client Registry
 *   tracing               TracingHook, every command sampled, a real BasicTracerProvider whose processor drops spans
 *   tracing-batch         the same into the production set-up: a BatchSpanProcessor (defaults) with an exporter
 *                         that drops what it is given
 *   tracing-ratio         the same with the sampler users pick, ParentBased(TraceIdRatioBased(0.1))
 *   tracing-hook-only     TracingHook into a tracer that hands out one shared do-nothing span: the hook's own
 *                         work per command (and @opentelemetry/api's context.active()), without any SDK span
 *   logging               LoggingHook at `info` into a logger that drops records (it has no command events)
 *
 * Both the bench (bench/run.ts) and the instruction counter (bench/instructions/hook-probe.mjs,
 * which imports this file compiled) make their hooks here. `verify` reads the backends afterwards
 * and throws unless every measured command was recorded, so a variant cannot look cheap by doing
 * nothing.
 */
import { MeterProvider, MetricReader, type MetricData, type MetricReaderOptions } from '@opentelemetry/sdk-metrics';
import {
  AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler,
  type ReadableSpan, type SpanExporter, type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Registry } from 'prom-client';
import type * as Instrumentation from '../instrumentation/index.js';
import type { Hook } from '../src/index.js';

export const INSTRUMENTATION_HOOKS = [
  'metrics-otel', 'metrics-otel-command', 'metrics-producer', 'metrics-prom', 'tracing', 'tracing-batch', 'tracing-ratio', 'tracing-hook-only', 'logging',
] as const;
export type InstrumentationHookName = (typeof INSTRUMENTATION_HOOKS)[number];

export interface InstrumentationHooks {
  hooks: Hook[];
  /** Throws unless the hooks recorded at least `commands` commands. */
  verify(commands: number): Promise<void>;
}

class PullReader extends MetricReader {
  constructor(options?: MetricReaderOptions) {
    super(options);
  }
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** Ends spans the way an exporting processor would see them, minus the export. */
class CountingProcessor implements SpanProcessor {
  ended = 0;
  onStart(): void {}
  onEnd(_span: ReadableSpan): void {
    this.ended++;
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** Takes every batch and drops it, as an exporter whose network costs nothing would. */
class CountingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: number }) => void): void {
    this.exported += spans.length;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

/**
 * The SDK set-ups the tracing variants and the SDK floor (bench/instructions/sdk-floor.mjs) use:
 *   counting  AlwaysOn, a processor that counts ends (the bench's `tracing`)
 *   none      AlwaysOn, no processor
 *   simple    AlwaysOn, SimpleSpanProcessor → an exporter that drops spans
 *   batch     AlwaysOn, BatchSpanProcessor (defaults: 512 a batch, 2048 queued, 5 s) → the same exporter
 *   ratio     ParentBased(TraceIdRatioBased(0.1)), BatchSpanProcessor → the same exporter
 */
export const TRACER_SETUPS = ['counting', 'none', 'simple', 'batch', 'ratio'] as const;
export type TracerSetup = (typeof TRACER_SETUPS)[number];

export interface MeasuredTracerProvider {
  provider: BasicTracerProvider;
  /** Throws unless at least the spans of `spans` commands reached the processor (with `ratio`: 8 % of them). */
  verify(spans: number): Promise<void>;
}

export function tracerProvider(setup: TracerSetup): MeasuredTracerProvider {
  const check = (seen: number, spans: number): void => {
    if (seen < (setup === 'ratio' ? spans * 0.08 : spans)) throw new Error(`tracer set-up ${setup}: ${seen} spans reached the processor for ${spans} started`);
  };
  switch (setup) {
    case 'counting': {
      const processor = new CountingProcessor();
      return { provider: new BasicTracerProvider({ sampler: new AlwaysOnSampler(), spanProcessors: [processor] }), verify: async (spans) => check(processor.ended, spans) };
    }
    case 'none':
      // Nothing sees an ended span, so nothing to count: it shows what the processor adds.
      return { provider: new BasicTracerProvider({ sampler: new AlwaysOnSampler() }), verify: async () => {} };
    case 'simple':
    case 'batch':
    case 'ratio': {
      const exporter = new CountingExporter();
      const processor = setup === 'simple' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
      const sampler = setup === 'ratio' ? new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) }) : new AlwaysOnSampler();
      const provider = new BasicTracerProvider({ sampler, spanProcessors: [processor] });
      return {
        provider,
        async verify(spans) {
          await provider.forceFlush();
          check(exporter.exported, spans);
        },
      };
    }
  }
}

const dropLogs = { error() {}, warn() {}, info() {}, debug() {} };

/** The number of operations db.client.operation.duration recorded, over every data point. */
function operations(metrics: MetricData[]): number {
  const duration = metrics.find((m) => m.descriptor.name === 'db.client.operation.duration');
  return (duration?.dataPoints as Array<{ value: { count: number } }> | undefined)?.reduce((n, p) => n + p.value.count, 0) ?? 0;
}

async function collected(reader: MetricReader): Promise<MetricData[]> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
  return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
}

/** Parses `a+b+c` names; throws on an unknown one. */
export function instrumentationHookNames(spec: string): InstrumentationHookName[] {
  return spec.split('+').map((name) => {
    if (!(INSTRUMENTATION_HOOKS as readonly string[]).includes(name)) {
      throw new Error(`unknown instrumentation hook "${name}" (expected ${INSTRUMENTATION_HOOKS.join(', ')}, joined by +)`);
    }
    return name as InstrumentationHookName;
  });
}

/** `instrumentation`: the module to take the hooks from (the compiled build when measuring it). */
export function instrumentationHooks(names: readonly InstrumentationHookName[], instrumentation: typeof Instrumentation): InstrumentationHooks {
  const hooks: Hook[] = [];
  const checks: Array<(commands: number) => Promise<void>> = [];
  const atLeast = (what: string, seen: number, commands: number): void => {
    if (seen < commands) throw new Error(`${what} recorded ${seen} commands, fewer than the ${commands} measured`);
  };
  for (const name of names) {
    switch (name) {
      case 'metrics-otel':
      case 'metrics-otel-command': {
        const reader = new PullReader();
        const meterProvider = new MeterProvider({ readers: [reader] });
        hooks.push(new instrumentation.MetricsHook({ meterProvider, ...(name === 'metrics-otel-command' && { enabledMetricGroups: ['command'] }) }));
        checks.push(async (commands) => atLeast(name, operations(await collected(reader)), commands));
        break;
      }
      case 'metrics-prom': {
        const registry = new Registry();
        hooks.push(instrumentation.createPrometheusMetrics({ registry }));
        checks.push(async (commands) => {
          const text = await registry.metrics();
          const counts = [...text.matchAll(/^db_client_operation_duration_seconds_count\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
          atLeast(name, counts, commands);
        });
        break;
      }
      case 'tracing':
      case 'tracing-batch':
      case 'tracing-ratio': {
        const measured = tracerProvider(name === 'tracing' ? 'counting' : name === 'tracing-batch' ? 'batch' : 'ratio');
        hooks.push(new instrumentation.TracingHook({ tracerProvider: measured.provider }));
        checks.push(measured.verify);
        break;
      }
      case 'tracing-hook-only': {
        let started = 0;
        const span = {
          setAttribute: () => span, setAttributes: () => span, addEvent: () => span, setStatus: () => span, end() {},
          spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 0 }),
        };
        const tracer = {
          startSpan: () => {
            started++;
            return span;
          },
        };
        hooks.push(new instrumentation.TracingHook({ tracerProvider: { getTracer: () => tracer } }));
        checks.push(async (commands) => atLeast(name, started, commands));
        break;
      }
      case 'logging':
        hooks.push(new instrumentation.LoggingHook({ logger: dropLogs }));
        break;
      case 'metrics-producer': {
        const producer = instrumentation.createMetricProducer();
        const reader = new PullReader({ metricProducers: [producer] });
        new MeterProvider({ readers: [reader] });
        hooks.push(producer);
        checks.push(async (commands) => atLeast(name, operations(await collected(reader)), commands));
        break;
      }
    }
  }
  return {
    hooks,
    async verify(commands) {
      for (const check of checks) await check(commands);
    },
  };
}
