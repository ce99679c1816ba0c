import type { CommandArgument, RespValue } from '../../protocol/index.js';
import { as, spec, via, type Bulk, type Key, type Value } from '../command-spec.js';
import { flat, type OneOrMany } from './variadic.js';

type Side = 'LEFT' | 'RIGHT';

export interface KeyElement {
  key: Bulk;
  element: Bulk;
}

/** BLPOP/BRPOP: `[key, element]` or null on timeout. */
const toKeyElement = (value: RespValue): KeyElement | null =>
  Array.isArray(value) ? { key: value[0] as Bulk, element: value[1] as Bulk } : null;

export interface LPosOptions {
  /** Which match to return: 1 = first, 2 = second, -1 = last, … */
  RANK?: number;
  /** Compare at most this many elements (0 = all). */
  MAXLEN?: number;
}

const lPosArgs = (key: Key, element: Value, options?: LPosOptions, count?: number): CommandArgument[] => {
  const args: CommandArgument[] = ['LPOS', key, element];
  if (options?.RANK !== undefined) args.push('RANK', options.RANK);
  if (count !== undefined) args.push('COUNT', count);
  if (options?.MAXLEN !== undefined) args.push('MAXLEN', options.MAXLEN);
  return args;
};

export const listCommands = {
  lPush: spec((key: Key, ...elements: OneOrMany<Value>[]) => ['LPUSH', key, ...flat(elements)], as<number>()),
  rPush: spec((key: Key, ...elements: OneOrMany<Value>[]) => ['RPUSH', key, ...flat(elements)], as<number>()),
  lPushX: spec((key: Key, ...elements: OneOrMany<Value>[]) => ['LPUSHX', key, ...flat(elements)], as<number>()),
  rPushX: spec((key: Key, ...elements: OneOrMany<Value>[]) => ['RPUSHX', key, ...flat(elements)], as<number>()),
  lPop: spec((key: Key) => ['LPOP', key], as<Bulk | null>()),
  rPop: spec((key: Key) => ['RPOP', key], as<Bulk | null>()),
  lPopCount: spec((key: Key, count: number) => ['LPOP', key, count], as<Bulk[] | null>()),
  rPopCount: spec((key: Key, count: number) => ['RPOP', key, count], as<Bulk[] | null>()),
  lLen: spec((key: Key) => ['LLEN', key], as<number>()),
  lRange: spec((key: Key, start: number, stop: number) => ['LRANGE', key, start, stop], as<Bulk[]>()),
  lIndex: spec((key: Key, index: number) => ['LINDEX', key, index], as<Bulk | null>()),
  lSet: spec((key: Key, index: number, element: Value) => ['LSET', key, index, element], as<'OK'>()),
  lRem: spec((key: Key, count: number, element: Value) => ['LREM', key, count, element], as<number>()),
  lTrim: spec((key: Key, start: number, stop: number) => ['LTRIM', key, start, stop], as<'OK'>()),
  lInsert: spec((key: Key, where: 'BEFORE' | 'AFTER', pivot: Value, element: Value) => ['LINSERT', key, where, pivot, element], as<number>()),
  /** Index of the first (or RANK-th) match, or null. */
  lPos: spec((key: Key, element: Value, options?: LPosOptions) => lPosArgs(key, element, options), as<number | null>()),
  /** Indexes of up to `count` matches (0 = all). */
  lPosCount: spec((key: Key, element: Value, count: number, options?: LPosOptions) => lPosArgs(key, element, options, count), as<number[]>()),
  lMove: spec((source: Key, destination: Key, from: Side, to: Side) => ['LMOVE', source, destination, from, to], as<Bulk | null>()),
  /** Blocks up to `timeout` seconds (0 = forever) on a leased connection; null on timeout. */
  blPop: spec((keys: Key | Key[], timeout: number) => ['BLPOP', ...(Array.isArray(keys) ? keys : [keys]), timeout], via(toKeyElement)),
  brPop: spec((keys: Key | Key[], timeout: number) => ['BRPOP', ...(Array.isArray(keys) ? keys : [keys]), timeout], via(toKeyElement)),
  blMove: spec((source: Key, destination: Key, from: Side, to: Side, timeout: number) => ['BLMOVE', source, destination, from, to, timeout], as<Bulk | null>()),
  brPopLPush: spec((source: Key, destination: Key, timeout: number) => ['BRPOPLPUSH', source, destination, timeout], as<Bulk | null>()),
};
