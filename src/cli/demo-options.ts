/**
 * The demo's and `hitless rehearse`'s flags, validated into one DemoOptions. A bad value is a
 * UsageError naming the flag and the value (the CLI turns it into exit code 2).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { MIN_DURATION_S, STEPS, type DemoOptions, type StepName } from '../demo/options.js';
import { UsageError, type ParsedArgs } from './args.js';
import { booleanFlag, numberFlag, redisUrl } from './flags.js';

/** `all` or a comma-separated list of step names; kept in rehearsal order. */
export function parseSteps(raw: string | boolean | undefined): StepName[] {
  if (raw === undefined || raw === 'all') return [...STEPS];
  const items = String(raw).split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (raw === true || items.length === 0) throw new UsageError(`--scenario needs "all" or a list of: ${STEPS.join(', ')}`);
  for (const item of items) {
    if (!(STEPS as readonly string[]).includes(item)) throw new UsageError(`--scenario: unknown step "${item}" (choose from all, ${STEPS.join(', ')})`);
  }
  return STEPS.filter((s) => items.includes(s));
}

/** Fails now, not after the whole rehearsal, when the report could not be written. */
function checkWritable(file: string): void {
  const dir = path.dirname(path.resolve(file));
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    throw new UsageError(`--report ${file}: cannot write to ${dir} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

const COMMON_FLAGS = ['duration', 'scenario', 'rate', 'keep-running', 'json', 'report', 'metrics-port', 'help'];

/** Which flag names the Redis to use, and whether it is required (`hitless rehearse --url`) or optional (`hitless demo --redis-url`, REDIS_URL). */
export interface UrlFlag {
  name: 'redis-url' | 'url';
  required: boolean;
}

export function demoOptions(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env, url: UrlFlag = { name: 'redis-url', required: false }): DemoOptions {
  const allowed = new Set([...COMMON_FLAGS, url.name]);
  for (const flag of Object.keys(args.flags)) {
    if (!allowed.has(flag)) throw new UsageError(`unknown option --${flag}`);
  }
  if (args.params.length > 0) throw new UsageError('unknown option --param');
  const report = args.flags.report;
  if (report === true || report === '') throw new UsageError('--report needs a file name');
  if (typeof report === 'string') checkWritable(report);
  const given = redisUrl(url.name, args.flags[url.name], url.required ? undefined : env.REDIS_URL);
  if (url.required && given === undefined) throw new UsageError(`--${url.name} is required: the Redis to rehearse in front of, e.g. --${url.name} redis://:password@staging-redis:6379`);
  return {
    durationS: numberFlag('duration', args.flags.duration, 60, MIN_DURATION_S, 3600, false),
    steps: parseSteps(args.flags.scenario),
    rate: numberFlag('rate', args.flags.rate, 1000, 10, 100_000, true),
    keepRunning: booleanFlag('keep-running', args.flags['keep-running']),
    json: booleanFlag('json', args.flags.json),
    report: report === undefined ? undefined : String(report),
    metricsPort: args.flags['metrics-port'] === undefined ? undefined : numberFlag('metrics-port', args.flags['metrics-port'], 0, 0, 65_535, true),
    redisUrl: given,
  };
}
