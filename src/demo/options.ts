/**
 * The demo's flags, validated into one options object. A bad value is a UsageError naming the
 * flag and the value (the CLI turns it into exit code 2).
 */
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { UsageError, type ParsedArgs } from '../cli/args.js';

/** The rehearsal steps, in the order they run. */
export const STEPS = ['migrate', 'failover', 'smigrate', 'moving-ip', 'moving-fqdn', 'moving-none', 'moving-slow', 'moving-unreachable'] as const;
export type StepName = (typeof STEPS)[number];

export interface DemoOptions {
  /** Seconds the rehearsal aims to take (steady phases included). */
  durationS: number;
  steps: StepName[];
  /** Target commands per second of the read/write load. */
  rate: number;
  keepRunning: boolean;
  json: boolean;
  /** Write the HTML report here. */
  report: string | undefined;
  /** undefined: 9464 when free, else a free port. */
  metricsPort: number | undefined;
  /** Rehearse against this Redis instead of starting a redis-server. */
  redisUrl: string | undefined;
}

export const MIN_DURATION_S = 8;

export function numberFlag(name: string, raw: string | boolean | undefined, fallback: number, min: number, max: number, integer: boolean): number {
  if (raw === undefined) return fallback;
  const text = String(raw);
  const value = Number(text);
  if (raw === true || text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got "${String(raw)}"`);
  }
  return value;
}

export function booleanFlag(name: string, raw: string | boolean | undefined): boolean {
  if (raw === undefined || raw === false) return false;
  if (raw === true || raw === 'true') return true;
  if (raw === 'false') return false;
  throw new UsageError(`--${name} takes no value (or true/false), got "${raw}"`);
}

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

/** A redis:// or rediss:// URL from `--<flag>` (or, when given, the environment's value). */
export function redisUrl(flag: string, raw: string | boolean | undefined, fallback: string | undefined): string | undefined {
  const value = raw === undefined ? fallback : raw;
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^rediss?:\/\/./.test(value)) throw new UsageError(`--${flag} must be a redis:// or rediss:// URL, got "${String(value)}"`);
  try {
    new URL(value);
  } catch {
    throw new UsageError(`--${flag} is not a valid URL: "${value}"`);
  }
  return value;
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
