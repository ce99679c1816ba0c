import type { ParsedArgs } from './args.js';
import { MIN_DURATION_S, STEPS } from '../demo/options.js';
import { demoOptions } from './demo-options.js';
import { runRehearsal } from './demo.js';

export const REHEARSE_HELP = `Usage: hitless rehearse --url redis://[user:password@]host:port[/db] [options]

The demo's rehearsal in front of your own Redis (a staging server, say), before a maintenance
window: the maintenance simulator's two nodes forward to it, and a hitless client with
MetricsHook, TracingHook and LoggingHook carries a steady load through them (reads and writes, a
blocking consumer, numbered pub/sub messages) while the simulator runs the steps:
${STEPS.join(', ')}.
The Redis itself is not touched beyond that load: its keys are named hitless-demo:<run>:* and
deleted at the end. It ends with the same summary as \`hitless demo\`.
Exit code 0 only with zero errors and zero lost writes (and the report written, if asked for);
1 otherwise or when the Redis cannot be reached; 2 for a bad option; 130 when stopped by Ctrl-C
(SIGINT) or SIGTERM before the end. Everything it started is stopped.

Options:
  --url URL            the Redis to rehearse in front of (required); rediss:// reaches it over
                       TLS, trusting Node's CAs
  --duration S         how long the rehearsal takes, about (default 60, at least ${MIN_DURATION_S})
  --scenario LIST      "all" (default) or comma-separated steps: ${STEPS.join(', ')}
  --rate N             reads and writes per second (default 1000)
  --metrics-port N     serve Prometheus metrics on 127.0.0.1:N (default 9464 when free, else a
                       free port; the URL is printed)
  --keep-running       repeat the rehearsal until Ctrl-C; the summary covers every round
  --json               print the summary as JSON on stdout (progress goes to stderr)
  --report FILE        write the self-contained HTML report
  -h, --help           this help
`;

/** `hitless rehearse --url …`; returns the exit code. */
export function rehearse(args: ParsedArgs): Promise<number> {
  return runRehearsal('rehearse', demoOptions(args, process.env, { name: 'url', required: true }));
}
