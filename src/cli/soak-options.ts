/**
 * The soak's flags, validated into one SoakOptions. A bad value is a UsageError naming the flag
 * and the value (the CLI turns it into exit code 2).
 */
import { DEFAULT_DURATION_S, MIN_SOAK_DURATION_S, type SoakOptions } from '../soak/options.js';
import { UsageError, type ParsedArgs } from './args.js';
import { booleanFlag, numberFlag, redisUrl } from './flags.js';

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
