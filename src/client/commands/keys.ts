import { as, spec, type Bulk, type Key } from '../command-spec.js';
import { flat, type OneOrMany } from './variadic.js';

type ExpireCondition = 'NX' | 'XX' | 'GT' | 'LT';
const withCondition = (args: Array<string | Buffer | number>, condition?: ExpireCondition): Array<string | Buffer | number> =>
  condition === undefined ? args : [...args, condition];

export const keyCommands = {
  del: spec((...keys: OneOrMany<Key>[]) => ['DEL', ...flat(keys)], as<number>()),
  unlink: spec((...keys: OneOrMany<Key>[]) => ['UNLINK', ...flat(keys)], as<number>()),
  exists: spec((...keys: OneOrMany<Key>[]) => ['EXISTS', ...flat(keys)], as<number>()),
  touch: spec((...keys: OneOrMany<Key>[]) => ['TOUCH', ...flat(keys)], as<number>()),
  expire: spec((key: Key, seconds: number, condition?: ExpireCondition) => withCondition(['EXPIRE', key, seconds], condition), as<number>()),
  pExpire: spec((key: Key, ms: number, condition?: ExpireCondition) => withCondition(['PEXPIRE', key, ms], condition), as<number>()),
  expireAt: spec((key: Key, unixSeconds: number, condition?: ExpireCondition) => withCondition(['EXPIREAT', key, unixSeconds], condition), as<number>()),
  pExpireAt: spec((key: Key, unixMs: number, condition?: ExpireCondition) => withCondition(['PEXPIREAT', key, unixMs], condition), as<number>()),
  /** Seconds to live; -1 without expiry, -2 when the key does not exist. */
  ttl: spec((key: Key) => ['TTL', key], as<number>()),
  pTTL: spec((key: Key) => ['PTTL', key], as<number>()),
  expireTime: spec((key: Key) => ['EXPIRETIME', key], as<number>()),
  persist: spec((key: Key) => ['PERSIST', key], as<number>()),
  type: spec((key: Key) => ['TYPE', key], as<string>()),
  rename: spec((key: Key, newKey: Key) => ['RENAME', key, newKey], as<'OK'>()),
  renameNX: spec((key: Key, newKey: Key) => ['RENAMENX', key, newKey], as<number>()),
  copy: spec((source: Key, destination: Key, options?: { REPLACE?: boolean }) =>
    options?.REPLACE ? ['COPY', source, destination, 'REPLACE'] : ['COPY', source, destination], as<number>()),
  keys: spec((pattern: string) => ['KEYS', pattern], as<Bulk[]>()),
  randomKey: spec(() => ['RANDOMKEY'], as<Bulk | null>()),
  /** One SCAN step; `scanIterator` walks them all. */
  scan: spec((cursor: string | number, options?: ScanOptions) => scanArgs(['SCAN', cursor], options), as<[Bulk, Bulk[]]>()),
};

export interface ScanOptions {
  MATCH?: string;
  COUNT?: number;
  /** SCAN only: the key type, e.g. 'string', 'hash'. */
  TYPE?: string;
}

export function scanArgs(args: Array<string | Buffer | number>, options?: ScanOptions): Array<string | Buffer | number> {
  if (options?.MATCH !== undefined) args.push('MATCH', options.MATCH);
  if (options?.COUNT !== undefined) args.push('COUNT', options.COUNT);
  if (options?.TYPE !== undefined) args.push('TYPE', options.TYPE);
  return args;
}
