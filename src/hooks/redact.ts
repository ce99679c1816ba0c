import type { CommandArgument } from '../protocol/index.js';

export const REDACTED = '<redacted>';

/**
 * Returns the arguments a hook may see: credentials replaced by `<redacted>`. Covers AUTH,
 * HELLO … AUTH user pass, MIGRATE … AUTH pass / AUTH2 user pass, CONFIG SET of password settings,
 * and ACL SETUSER password rules. The input is never modified; the result is frozen.
 */
export function redactArguments(args: readonly CommandArgument[]): readonly CommandArgument[] {
  const name = upper(args[0]);
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
  return Object.freeze(out ?? args.slice());
}

function upper(arg: CommandArgument | undefined): string {
  return typeof arg === 'string' ? arg.toUpperCase() : arg === undefined ? '' : String(arg).toUpperCase();
}
