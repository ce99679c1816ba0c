import { Buffer } from 'node:buffer';
import type { CommandArgument, RespValue } from '../../protocol/index.js';
import { as, spec, text, toRecord, via, type Bulk, type Key, type Value } from '../command-spec.js';
import { flat, type OneOrMany } from './variadic.js';
import { scanArgs, type ScanOptions } from './keys.js';

/** Several fields at once: an object, a Map, or `[field, value]` pairs (the last two allow Buffer fields). */
export type HashFields = Record<string, Value> | Map<Key, Value> | Array<[Key, Value]>;

/** `hSet(key, field, value)` or `hSet(key, { field: value, … })` (or a Map, or pairs). */
function hSetArgs(key: Key, fieldOrEntries: Key | HashFields, value?: Value): CommandArgument[] {
  if (fieldOrEntries instanceof Map) return ['HSET', key, ...[...fieldOrEntries].flat()];
  if (Array.isArray(fieldOrEntries)) return ['HSET', key, ...fieldOrEntries.flat()];
  if (typeof fieldOrEntries === 'object' && !Buffer.isBuffer(fieldOrEntries)) {
    return ['HSET', key, ...Object.entries(fieldOrEntries).flat()];
  }
  if (value === undefined) throw new TypeError('hSet(key, field, value): value is missing');
  return ['HSET', key, fieldOrEntries, value];
}

export interface HashEntry {
  field: string;
  value: Bulk;
}

/** HRANDFIELD … WITHVALUES: RESP3 `[[field, value], …]` or RESP2 flat `[field, value, …]`. */
const toHashEntries = (value: RespValue): HashEntry[] => {
  if (!Array.isArray(value)) return [];
  const flat = value.length > 0 && Array.isArray(value[0]) ? (value as RespValue[][]).flat() : value;
  const out: HashEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ field: text(flat[i]!), value: flat[i + 1] as Bulk });
  return out;
};

export const hashCommands = {
  hSet: spec(hSetArgs, as<number>()),
  hSetNX: spec((key: Key, field: Key, value: Value) => ['HSETNX', key, field, value], as<number>()),
  hGet: spec((key: Key, field: Key) => ['HGET', key, field], as<Bulk | null>()),
  hGetAll: spec((key: Key) => ['HGETALL', key], via(toRecord)),
  hMGet: spec((key: Key, fields: Key[]) => ['HMGET', key, ...fields], as<Array<Bulk | null>>()),
  hDel: spec((key: Key, ...fields: OneOrMany<Key>[]) => ['HDEL', key, ...flat(fields)], as<number>()),
  hExists: spec((key: Key, field: Key) => ['HEXISTS', key, field], as<number>()),
  hIncrBy: spec((key: Key, field: Key, increment: number) => ['HINCRBY', key, field, increment], as<number>()),
  hIncrByFloat: spec((key: Key, field: Key, increment: number) => ['HINCRBYFLOAT', key, field, increment], as<Bulk>()),
  hKeys: spec((key: Key) => ['HKEYS', key], as<Bulk[]>()),
  hVals: spec((key: Key) => ['HVALS', key], as<Bulk[]>()),
  hLen: spec((key: Key) => ['HLEN', key], as<number>()),
  hStrLen: spec((key: Key, field: Key) => ['HSTRLEN', key, field], as<number>()),
  hRandField: spec((key: Key) => ['HRANDFIELD', key], as<Bulk | null>()),
  /** Up to `count` distinct fields; a negative count allows repeats and returns exactly |count|. */
  hRandFieldCount: spec((key: Key, count: number) => ['HRANDFIELD', key, count], as<Bulk[]>()),
  hRandFieldCountWithValues: spec((key: Key, count: number) => ['HRANDFIELD', key, count, 'WITHVALUES'], via(toHashEntries)),
  hScan: spec((key: Key, cursor: string | number, options?: Omit<ScanOptions, 'TYPE'>) => scanArgs(['HSCAN', key, cursor], options), as<[Bulk, Bulk[]]>()),
};
