import type { CommandArgument } from '../protocol/index.js';

/**
 * Which commands cannot share the multiplexed connection. Blocking commands run on a lease, so
 * they never hold up everyone else's replies; connection-state commands have their own API.
 */

const USE_INSTEAD = new Map<string, string>([
  ['MULTI', 'client.multi()'],
  ['EXEC', 'client.multi()'],
  ['DISCARD', 'client.multi()'],
  ['WATCH', 'client.watch(keys, fn)'],
  ['UNWATCH', 'client.watch(keys, fn)'],
  ['SUBSCRIBE', 'client.subscribe()'],
  ['PSUBSCRIBE', 'client.pSubscribe()'],
  ['SSUBSCRIBE', 'client.sSubscribe()'],
  ['UNSUBSCRIBE', 'client.unsubscribe()'],
  ['PUNSUBSCRIBE', 'client.pUnsubscribe()'],
  ['SUNSUBSCRIBE', 'client.sUnsubscribe()'],
  ['QUIT', 'client.close()'],
  ['RESET', 'a new client'],
  ['HELLO', 'the protocol, username and password options'],
  ['AUTH', 'the username and password options'],
  ['MONITOR', 'redis-cli monitor (MONITOR is not supported)'],
]);

/** The API to use instead, when a command must not be sent through sendCommand. */
export function replacementFor(name: string): string | undefined {
  return USE_INSTEAD.get(name);
}

/**
 * Whether `name` may be a blocking command: every one starts with B, W or X. The command path
 * asks this first, so `blockingTimeout` runs only for the few commands it could apply to (and V8
 * need not inline it into the path of all the others).
 */
export function mayBlock(name: string): boolean {
  const first = name.charCodeAt(0);
  return first === 66 || first === 87 || first === 88;
}

/**
 * For a blocking command, the reply timeout it needs: its own block time plus the normal command
 * timeout, or 0 (none) when it blocks forever. undefined for commands that do not block.
 */
export function blockingTimeout(name: string, args: readonly CommandArgument[], commandTimeout: number): number | undefined {
  // A switch rather than Set lookups: it also runs for every command `mayBlock` lets through.
  let blockMs: number;
  switch (name) {
    case 'BLPOP':
    case 'BRPOP':
    case 'BRPOPLPUSH':
    case 'BLMOVE':
    case 'BZPOPMIN':
    case 'BZPOPMAX':
      blockMs = Number(args[args.length - 1]) * 1000;
      break;
    case 'BLMPOP':
    case 'BZMPOP':
      blockMs = Number(args[1]) * 1000;
      break;
    case 'XREAD':
    case 'XREADGROUP': {
      const at = args.findIndex((a) => typeof a === 'string' && a.toUpperCase() === 'BLOCK');
      if (at === -1) return undefined;
      blockMs = Number(args[at + 1]);
      break;
    }
    case 'WAIT':
      blockMs = Number(args[2]);
      break;
    case 'WAITAOF':
      blockMs = Number(args[3]);
      break;
    default:
      return undefined;
  }
  if (!Number.isFinite(blockMs) || blockMs <= 0 || commandTimeout === 0) return 0;
  return blockMs + commandTimeout;
}
