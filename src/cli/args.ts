/**
 * A small argv parser: `--key value`, `--key=value`, boolean flags, positionals. Hand-rolled to
 * keep the package free of runtime dependencies.
 */

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | boolean>;
  /** `--param k=v`, repeatable. */
  params: string[];
}

export class UsageError extends Error {
  readonly code = 'ERR_USAGE';
}

/** Flags that never take a value. */
const BOOLEAN = new Set(['help', 'h', 'oss', 'replay-last-completion', 'no-wait', 'enableLogging', 'enable-logging', 'tls-require-client-cert', 'keep-running', 'json']);

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: {}, params: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      out.flags.help = true;
      continue;
    }
    if (!arg.startsWith('--')) {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const key = arg.slice(2, eq === -1 ? undefined : eq);
    let value: string | boolean;
    if (eq !== -1) value = arg.slice(eq + 1);
    else if (BOOLEAN.has(key)) value = true;
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`--${key} needs a value`);
      value = next;
      i++;
    }
    if (value === 'true' && BOOLEAN.has(key)) value = true;
    if (key === 'param') out.params.push(String(value));
    else out.flags[key] = value;
  }
  return out;
}
