/**
 * The hook configurations of the benchmark: issue 10's (none, one hook implementing nothing, one
 * that counts command start/end, three such counting hooks) and issue 17's instrumentation hooks
 * with real backends (bench/instrumentation-hooks.ts).
 */
import type * as Instrumentation from '../instrumentation/index.js';
import type { CommandEvent, Hook } from '../src/index.js';
import { instrumentationHooks, type InstrumentationHookName } from './instrumentation-hooks.js';

export class CountingHook implements Hook {
  readonly name: string;
  starts = 0;
  ends = 0;

  constructor(name: string) {
    this.name = name;
  }

  onCommandStart(_event: CommandEvent): unknown {
    this.starts++;
    return undefined;
  }

  onCommandEnd(_event: CommandEvent, _state: unknown): void {
    this.ends++;
  }
}

export interface HookVariant {
  name: string;
  hooks: Hook[];
  /** Commands the counting hooks saw (start, end), to show they really ran. */
  counted(): { starts: number; ends: number } | undefined;
  /** Throws unless the instrumentation hooks recorded at least `commands` commands. */
  verify?(commands: number): Promise<void>;
}

function variant(name: string, hooks: Hook[]): HookVariant {
  const counters = hooks.filter((h): h is CountingHook => h instanceof CountingHook);
  return {
    name,
    hooks,
    counted: () =>
      counters.length === 0
        ? undefined
        : {
            starts: counters.reduce((n, h) => n + h.starts, 0),
            ends: counters.reduce((n, h) => n + h.ends, 0),
          },
  };
}

function instrumented(name: string, hooks: readonly InstrumentationHookName[], instrumentation: typeof Instrumentation): HookVariant {
  const made = instrumentationHooks(hooks, instrumentation);
  return { name, hooks: made.hooks, counted: () => undefined, verify: made.verify };
}

/** The instrumentation variants' names, as the tables and the targets refer to them. */
export const INSTRUMENTED = {
  metricsSdk: 'MetricsHook → OTel SDK',
  metricsSdkCommand: 'MetricsHook → OTel SDK, command only',
  metricsProducer: 'MetricsHook as MetricProducer',
  metricsProm: 'MetricsHook → prom-client',
  tracing: 'TracingHook, all sampled',
  tracingBatch: 'TracingHook, all sampled, batch processor',
  tracingRatio: 'TracingHook, ratio 0.1, batch processor',
  all: 'all three (producer, tracing, logging)',
} as const;

/**
 * `quick`: the default of `npm run bench`, one variant per question (does a hook cost anything,
 * do the fast metrics paths, what does tracing cost sampled and sampled at 10 %); `full`: every
 * configuration. The others (3 counting hooks, MetricsHook into the SDK, all three together)
 * answer questions already answered in instructions (bench/instructions/hooks.ts).
 */
export type HookSet = 'quick' | 'full';

/** `instrumentation`: where the instrumentation hooks come from (the compiled build); without it, issue 10's four only. */
export function hookVariants(instrumentation?: typeof Instrumentation, set: HookSet = 'full'): HookVariant[] {
  const full = set === 'full';
  const variants = [
    variant('no hooks', []),
    variant('empty hook {}', [{}]),
    variant('1 counting hook', [new CountingHook('count-1')]),
    ...(full ? [variant('3 counting hooks', [new CountingHook('count-1'), new CountingHook('count-2'), new CountingHook('count-3')])] : []),
  ];
  if (instrumentation === undefined) return variants;
  const hooks = (name: string, names: readonly InstrumentationHookName[]): HookVariant => instrumented(name, names, instrumentation);
  return [
    ...variants,
    ...(full ? [hooks(INSTRUMENTED.metricsSdk, ['metrics-otel']), hooks(INSTRUMENTED.metricsSdkCommand, ['metrics-otel-command'])] : []),
    hooks(INSTRUMENTED.metricsProducer, ['metrics-producer']),
    hooks(INSTRUMENTED.metricsProm, ['metrics-prom']),
    hooks(INSTRUMENTED.tracing, ['tracing']),
    ...(full ? [hooks(INSTRUMENTED.tracingBatch, ['tracing-batch'])] : []),
    hooks(INSTRUMENTED.tracingRatio, ['tracing-ratio']),
    ...(full ? [hooks(INSTRUMENTED.all, ['metrics-producer', 'tracing', 'logging'])] : []),
  ];
}
