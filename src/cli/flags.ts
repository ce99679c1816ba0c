/**
 * Validators of single command-line flags, shared by the commands: a bad value is a UsageError
 * naming the flag and the value (main turns it into exit code 2).
 */
import { UsageError } from './args.js';

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
