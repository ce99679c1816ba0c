import type { CommandArgument } from '../protocol/index.js';

export const REDACTED = '<redacted>';

/**
 * Dispatches on the length first: almost every command is rejected by one jump and at most one
 * compare of internalised strings, cheaper than a Set lookup or a five-way string switch.
 */
function mayCarryCredentials(name: string): boolean {
  switch (name.length) {
    case 3:
      return name === 'ACL';
    case 4:
      return name === 'AUTH';
    case 5:
      return name === 'HELLO';
    case 6:
      return name === 'CONFIG';
    case 7:
      return name === 'MIGRATE';
    default:
      return false;
  }
}

/**
 * Returns the arguments a hook may see: credentials replaced by `<redacted>`. Covers AUTH,
 * HELLO … AUTH user pass, MIGRATE … AUTH pass / AUTH2 user pass, CONFIG SET of password settings,
 * and ACL SETUSER password rules. The input is never modified: a command that carries credentials
 * gets a redacted copy; any other command's arguments are returned as they are (read-only by
 * contract), because copying every command's arguments would cost more than the hook itself.
 * `name` is the upper-case command name when the caller already knows it.
 */
export function redactArguments(args: readonly CommandArgument[], name: string = upper(args[0])): readonly CommandArgument[] {
  return mayCarryCredentials(name) ? redactedCopy(args, name) : args;
}

/**
 * Kept apart from redactArguments: its closure over `out` makes V8 allocate a context on every
 * call, which the per-command path (no credentials) must not pay (measured: ~200 instructions).
 */
function redactedCopy(args: readonly CommandArgument[], name: string): readonly CommandArgument[] {
  let out: CommandArgument[] | undefined;
  const hide = (i: number): void => {
    if (i >= args.length) return;
    out ??= args.slice();
    out[i] = REDACTED;
  };
  switch (name) {
    case 'AUTH':
      for (let i = 1; i < args.length; i++) hide(i);
      break;
    case 'HELLO':
    case 'MIGRATE':
      for (let i = 1; i < args.length; i++) {
        const word = upper(args[i]);
        if (word === 'AUTH' && name === 'HELLO') { hide(i + 1); hide(i + 2); i += 2; }
        else if (word === 'AUTH') { hide(i + 1); i += 1; }
        else if (word === 'AUTH2') { hide(i + 1); hide(i + 2); i += 2; }
      }
      break;
    case 'CONFIG':
      if (upper(args[1]) === 'SET') {
        for (let i = 2; i + 1 < args.length; i += 2) {
          if (/pass|auth|user/i.test(String(args[i]))) hide(i + 1);
        }
      }
      break;
    case 'ACL':
      if (upper(args[1]) === 'SETUSER') {
        for (let i = 3; i < args.length; i++) {
          const rule = String(args[i]);
          if (rule.startsWith('>') || rule.startsWith('<') || rule.startsWith('#') || rule.startsWith('!')) hide(i);
        }
      }
      break;
  }
  return out === undefined ? args : Object.freeze(out);
}

function upper(arg: CommandArgument | undefined): string {
  return typeof arg === 'string' ? arg.toUpperCase() : arg === undefined ? '' : String(arg).toUpperCase();
}
