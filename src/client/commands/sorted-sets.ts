import type { CommandArgument, RespValue } from '../../protocol/index.js';
import {
  as, pushOptions, spec, toNumberOrNull, toScoredMember, toScoredMembers, via, type Bulk, type Key, type Value,
} from '../command-spec.js';
import { flat, type OneOrMany } from './variadic.js';
import { scanArgs, type ScanOptions } from './keys.js';

export interface ZMember {
  score: number;
  value: Value;
}

export interface ZAddOptions {
  NX?: boolean;
  XX?: boolean;
  GT?: boolean;
  LT?: boolean;
  /** Return the number of changed members, not only added ones. */
  CH?: boolean;
}

export interface ZRangeOptions {
  /** Interpret start/stop as scores (BYSCORE) or lexicographic bounds (BYLEX). */
  BY?: 'SCORE' | 'LEX';
  REV?: boolean;
  LIMIT?: { offset: number; count: number };
}

const score = (n: number): string => (n === Infinity ? '+inf' : n === -Infinity ? '-inf' : String(n));

function zAddArgs(key: Key, members: ZMember | ZMember[], options?: ZAddOptions): CommandArgument[] {
  const args = pushOptions(['ZADD', key], options, ['NX', 'XX', 'GT', 'LT', 'CH']);
  for (const member of Array.isArray(members) ? members : [members]) args.push(score(member.score), member.value);
  return args;
}

function zRangeArgs(key: Key, start: number | string, stop: number | string, options?: ZRangeOptions, withScores = false): CommandArgument[] {
  const bound = (b: number | string): CommandArgument => (typeof b === 'number' ? score(b) : b);
  const args: CommandArgument[] = ['ZRANGE', key, bound(start), bound(stop)];
  if (options?.BY === 'SCORE') args.push('BYSCORE');
  if (options?.BY === 'LEX') args.push('BYLEX');
  if (options?.REV) args.push('REV');
  if (options?.LIMIT) args.push('LIMIT', options.LIMIT.offset, options.LIMIT.count);
  if (withScores) args.push('WITHSCORES');
  return args;
}

export interface ZStoreOptions {
  /** One multiplier per source key. */
  WEIGHTS?: number[];
  /** How scores of a member in several sources combine (default SUM). */
  AGGREGATE?: 'SUM' | 'MIN' | 'MAX';
}

function zStoreArgs(command: string, destination: Key, keys: Key | Key[], options?: ZStoreOptions): CommandArgument[] {
  const list = Array.isArray(keys) ? keys : [keys];
  const args: CommandArgument[] = [command, destination, list.length, ...list];
  if (options?.WEIGHTS) args.push('WEIGHTS', ...options.WEIGHTS);
  if (options?.AGGREGATE) args.push('AGGREGATE', options.AGGREGATE);
  return args;
}

export interface KeyScoredMember {
  key: Bulk;
  value: Bulk;
  score: number;
}

/** BZPOPMIN/BZPOPMAX: `[key, member, score]`, or null on timeout. */
const toKeyScoredMember = (value: RespValue): KeyScoredMember | null =>
  Array.isArray(value) ? { key: value[0] as Bulk, value: value[1] as Bulk, score: toNumberOrNull(value[2]!)! } : null;

export const sortedSetCommands = {
  zAdd: spec(zAddArgs, as<number>()),
  zRem: spec((key: Key, ...members: OneOrMany<Value>[]) => ['ZREM', key, ...flat(members)], as<number>()),
  zScore: spec((key: Key, member: Value) => ['ZSCORE', key, member], via(toNumberOrNull)),
  zMScore: spec((key: Key, members: Value[]) => ['ZMSCORE', key, ...members], via((v) => (Array.isArray(v) ? v.map(toNumberOrNull) : []))),
  zIncrBy: spec((key: Key, increment: number, member: Value) => ['ZINCRBY', key, increment, member], via((v) => toNumberOrNull(v)!)),
  zCard: spec((key: Key) => ['ZCARD', key], as<number>()),
  zCount: spec((key: Key, min: number | string, max: number | string) =>
    ['ZCOUNT', key, typeof min === 'number' ? score(min) : min, typeof max === 'number' ? score(max) : max], as<number>()),
  zRange: spec((key: Key, start: number | string, stop: number | string, options?: ZRangeOptions) => zRangeArgs(key, start, stop, options), as<Bulk[]>()),
  zRangeWithScores: spec((key: Key, start: number | string, stop: number | string, options?: ZRangeOptions) =>
    zRangeArgs(key, start, stop, options, true), via(toScoredMembers)),
  zRangeByScore: spec((key: Key, min: number | string, max: number | string) =>
    zRangeArgs(key, min, max, { BY: 'SCORE' }), as<Bulk[]>()),
  zRank: spec((key: Key, member: Value) => ['ZRANK', key, member], as<number | null>()),
  zRevRank: spec((key: Key, member: Value) => ['ZREVRANK', key, member], as<number | null>()),
  zRemRangeByRank: spec((key: Key, start: number, stop: number) => ['ZREMRANGEBYRANK', key, start, stop], as<number>()),
  zRemRangeByScore: spec((key: Key, min: number | string, max: number | string) =>
    ['ZREMRANGEBYSCORE', key, typeof min === 'number' ? score(min) : min, typeof max === 'number' ? score(max) : max], as<number>()),
  /** Stores the union of `keys` in `destination`; returns its size. */
  zUnionStore: spec((destination: Key, keys: Key | Key[], options?: ZStoreOptions) => zStoreArgs('ZUNIONSTORE', destination, keys, options), as<number>()),
  /** Stores the intersection of `keys` in `destination`; returns its size. */
  zInterStore: spec((destination: Key, keys: Key | Key[], options?: ZStoreOptions) => zStoreArgs('ZINTERSTORE', destination, keys, options), as<number>()),
  zPopMin: spec((key: Key) => ['ZPOPMIN', key], via(toScoredMember)),
  zPopMax: spec((key: Key) => ['ZPOPMAX', key], via(toScoredMember)),
  zPopMinCount: spec((key: Key, count: number) => ['ZPOPMIN', key, count], via(toScoredMembers)),
  zPopMaxCount: spec((key: Key, count: number) => ['ZPOPMAX', key, count], via(toScoredMembers)),
  /** Blocks up to `timeout` seconds (0 = forever) on a leased connection; null on timeout. */
  bzPopMin: spec((keys: Key | Key[], timeout: number) => ['BZPOPMIN', ...(Array.isArray(keys) ? keys : [keys]), timeout], via(toKeyScoredMember)),
  bzPopMax: spec((keys: Key | Key[], timeout: number) => ['BZPOPMAX', ...(Array.isArray(keys) ? keys : [keys]), timeout], via(toKeyScoredMember)),
  zScan: spec((key: Key, cursor: string | number, options?: Omit<ScanOptions, 'TYPE'>) => scanArgs(['ZSCAN', key, cursor], options), as<[Bulk, Bulk[]]>()),
};
