import type { ParsedArgs } from './args.js';
import { untilSignal } from './signals.js';
import { RedisUnavailableError } from '../demo/redis-server.js';
import { EXIT_INTERRUPTED } from '../demo/run.js';
import { EVENT_KINDS } from '../soak/events.js';
import { DEFAULT_DURATION_S, MIN_SOAK_DURATION_S, type SoakOptions } from '../soak/options.js';
import { soakOptions } from './soak-options.js';
import { CONSUMERS, WRITERS, runSoak } from '../soak/run.js';
import { formatSummary } from '../soak/summary.js';

export const SOAK_HELP = `Usage: hitless soak [options]

A long run under faults: a redis-server (started here on a free loopback port, or yours with
--redis-url), the maintenance simulator's two nodes in front of it, and a hitless client carrying
${WRITERS} writers (each checks what it reads back), ${CONSUMERS} blocking consumers (BRPOP) and a numbered
pub/sub stream, while an event starts every 2 s in a seeded random order (each round has every
kind once): ${EVENT_KINDS.join(', ')}.
A progress line every 10 s. At the end it checks and prints: command errors outside the documented
cases (a command written to a dropped connection fails with ERR_CONNECTION_LOST: documented,
counted apart), lost acknowledged writes, lost and duplicated pub/sub messages, RSS and heap at the
start and the end, and the sockets and timers still open once everything is closed.
Exit code 0 when every check passed; 1 on any violation; 2 for a bad option; 130 when stopped by
Ctrl-C (SIGINT) or SIGTERM. Everything it started is stopped.

Options:
  --duration S         seconds of load and events (default ${DEFAULT_DURATION_S}, at least ${MIN_SOAK_DURATION_S})
  --seed N             seeds the event order (0 to 4294967295; default random, printed)
  --json               print the summary as JSON on stdout (progress goes to stderr); it has at
                       least ok, errors, lostWrites, lostMessages and violations
  --redis-url URL      soak in front of this Redis instead of starting a redis-server (also
                       REDIS_URL); the soak's keys are deleted afterwards
  -h, --help           this help

Environment: REDIS_SERVER_BIN (the redis-server to start; default: redis-server on the PATH),
REDIS_URL (as --redis-url).
`;

/** Runs the soak until it ends or SIGINT/SIGTERM; returns the exit code. */
export function soak(args: ParsedArgs): Promise<number> {
  const options = soakOptions(args);
  return untilSignal((signal) => soakUntil(options, signal));
}

async function soakUntil(options: SoakOptions, signal: AbortSignal): Promise<number> {
  const progress = options.json ? process.stderr : process.stdout;
  try {
    const summary = await runSoak(options, { progress: (line) => progress.write(`${line}\n`) }, signal);
    process.stdout.write(`${options.json ? JSON.stringify(summary, null, 2) : formatSummary(summary)}\n`);
    return summary.interrupted ? EXIT_INTERRUPTED : summary.ok ? 0 : 1;
  } catch (error) {
    if (error instanceof RedisUnavailableError) {
      process.stderr.write(`hitless soak: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
