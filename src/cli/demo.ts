import type { ParsedArgs } from './args.js';
import { untilSignal } from './signals.js';
import { MIN_DURATION_S, STEPS, type DemoOptions } from '../demo/options.js';
import { demoOptions } from './demo-options.js';
import { RedisUnavailableError } from '../demo/redis-server.js';
import { runDemo, type DemoOutput } from '../demo/run.js';
import { MissingDependencyError } from '../demo/telemetry.js';
import { liveView, plainView } from '../demo/view.js';

export const DEMO_HELP = `Usage: hitless demo [options]

A maintenance rehearsal you can watch: a redis-server (started here on a free loopback port, or
yours with --redis-url), the maintenance simulator's two nodes in front of it, and a hitless client
with MetricsHook (Prometheus), TracingHook (in-memory spans) and LoggingHook carrying a steady load
of reads and writes, a blocking consumer and numbered pub/sub messages, while the simulator runs
the rehearsal: ${STEPS.join(', ')}.
It ends with a summary: commands, errors, lost writes, lost and duplicated messages, notifications
by type, handoffs, p99 and max latency during maintenance vs steady traffic.
Exit code 0 only with zero errors and zero lost writes (and the report written, if asked for); 1 otherwise; 2 for a bad option;
130 when stopped by Ctrl-C (SIGINT) or SIGTERM before the end. Everything it started is stopped.

Options:
  --duration S         how long the rehearsal takes, about (default 60, at least ${MIN_DURATION_S})
  --scenario LIST      "all" (default) or comma-separated steps: ${STEPS.join(', ')}
  --rate N             reads and writes per second (default 1000)
  --metrics-port N     serve Prometheus metrics on 127.0.0.1:N (default 9464 when free, else a
                       free port; the URL is printed)
  --keep-running       repeat the rehearsal until Ctrl-C, so Prometheus and Grafana (grafana/)
                       can watch; the summary covers every round
  --json               print the summary as JSON on stdout (progress goes to stderr)
  --report FILE        write a self-contained HTML report: latency over time with every
                       maintenance event marked, ops/s, connections per node, the summary
  --redis-url URL      rehearse in front of this Redis instead of starting a redis-server
                       (also REDIS_URL); the demo's keys are deleted afterwards
  -h, --help           this help

Environment: REDIS_SERVER_BIN (the redis-server to start; default: redis-server on the PATH),
REDIS_URL (as --redis-url).
`;

/** Runs the demo until it ends or SIGINT/SIGTERM; returns the exit code. */
export function demo(args: ParsedArgs): Promise<number> {
  return runRehearsal('demo', demoOptions(args));
}

/** Shared by `hitless demo` and `hitless rehearse`: the run, its output, signals, and its errors. */
export function runRehearsal(command: string, options: DemoOptions): Promise<number> {
  return untilSignal((signal) => rehearsal(command, options, signal));
}

async function rehearsal(command: string, options: DemoOptions, signal: AbortSignal): Promise<number> {
  // With --json, stdout carries the JSON alone and the progress goes to stderr.
  const progress = options.json ? process.stderr : process.stdout;
  const output: DemoOutput = {
    view: progress.isTTY ? liveView(progress) : plainView((line) => progress.write(`${line}\n`)),
    result: (text) => process.stdout.write(`${text}\n`),
  };
  try {
    const { exitCode } = await runDemo(options, output, signal);
    return exitCode;
  } catch (error) {
    // Nothing to rehearse against, or a dependency missing: say what to do, without a stack.
    if (error instanceof RedisUnavailableError || error instanceof MissingDependencyError) {
      process.stderr.write(`hitless ${command}: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    output.view.close();
  }
}
