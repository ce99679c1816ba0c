/**
 * The soak's flags, validated into one options object. A bad value is a UsageError naming the flag
 * and the value (the CLI turns it into exit code 2).
 */
import { UsageError, type ParsedArgs } from '../cli/args.js';
import { booleanFlag, numberFlag, redisUrl } from '../demo/options.js';

export interface SoakOptions {
  /** Seconds of load and events. */
  durationS: number;
  /** Seeds the event order; printed, so a failing run can be repeated. */
  seed: number;
  json: boolean;
  /** Soak in front of this Redis instead of starting a redis-server. */
  redisUrl: string | undefined;
}

export const DEFAULT_DURATION_S = 600;
export const MIN_SOAK_DURATION_S = 10;
const MAX_SEED = 2 ** 32 - 1;
const FLAGS = new Set(['duration', 'seed', 'json', 'redis-url', 'help']);

export function soakOptions(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env, randomSeed: () => number = () => Math.floor(Math.random() * MAX_SEED)): SoakOptions {
  for (const flag of Object.keys(args.flags)) {
    if (!FLAGS.has(flag)) throw new UsageError(`unknown option --${flag} (soak takes --duration, --seed, --json, --redis-url, --help)`);
  }
  if (args.params.length > 0) throw new UsageError('unknown option --param');
  const seed = args.flags.seed;
  return {
    durationS: numberFlag('duration', args.flags.duration, DEFAULT_DURATION_S, MIN_SOAK_DURATION_S, 7 * 24 * 3600, false),
    seed: seed === undefined ? randomSeed() : numberFlag('seed', seed, 0, 0, MAX_SEED, true),
    json: booleanFlag('json', args.flags.json),
    redisUrl: redisUrl('redis-url', args.flags['redis-url'], env.REDIS_URL),
  };
}
