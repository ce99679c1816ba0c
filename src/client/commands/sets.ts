import { as, spec, type Bulk, type Key, type Value } from '../command-spec.js';
import { flat, type OneOrMany } from './variadic.js';
import { scanArgs, type ScanOptions } from './keys.js';

export const setCommands = {
  sAdd: spec((key: Key, ...members: OneOrMany<Value>[]) => ['SADD', key, ...flat(members)], as<number>()),
  sRem: spec((key: Key, ...members: OneOrMany<Value>[]) => ['SREM', key, ...flat(members)], as<number>()),
  sMembers: spec((key: Key) => ['SMEMBERS', key], as<Bulk[]>()),
  sIsMember: spec((key: Key, member: Value) => ['SISMEMBER', key, member], as<number>()),
  sMIsMember: spec((key: Key, members: Value[]) => ['SMISMEMBER', key, ...members], as<number[]>()),
  sCard: spec((key: Key) => ['SCARD', key], as<number>()),
  sPop: spec((key: Key) => ['SPOP', key], as<Bulk | null>()),
  /** Removes and returns up to `count` random members ([] for a missing key). */
  sPopCount: spec((key: Key, count: number) => ['SPOP', key, count], as<Bulk[]>()),
  sRandMember: spec((key: Key) => ['SRANDMEMBER', key], as<Bulk | null>()),
  /** Up to `count` distinct random members; a negative count allows repeats and returns exactly |count|. */
  sRandMemberCount: spec((key: Key, count: number) => ['SRANDMEMBER', key, count], as<Bulk[]>()),
  sMove: spec((source: Key, destination: Key, member: Value) => ['SMOVE', source, destination, member], as<number>()),
  sInter: spec((...keys: OneOrMany<Key>[]) => ['SINTER', ...flat(keys)], as<Bulk[]>()),
  sUnion: spec((...keys: OneOrMany<Key>[]) => ['SUNION', ...flat(keys)], as<Bulk[]>()),
  sDiff: spec((...keys: OneOrMany<Key>[]) => ['SDIFF', ...flat(keys)], as<Bulk[]>()),
  /** The size of the intersection, counting at most `LIMIT` (0 = no limit). */
  sInterCard: spec((keys: Key | Key[], options?: { LIMIT?: number }) => {
    const list = Array.isArray(keys) ? keys : [keys];
    const args: Array<string | Buffer | number> = ['SINTERCARD', list.length, ...list];
    if (options?.LIMIT !== undefined) args.push('LIMIT', options.LIMIT);
    return args;
  }, as<number>()),
  sInterStore: spec((destination: Key, ...keys: OneOrMany<Key>[]) => ['SINTERSTORE', destination, ...flat(keys)], as<number>()),
  sUnionStore: spec((destination: Key, ...keys: OneOrMany<Key>[]) => ['SUNIONSTORE', destination, ...flat(keys)], as<number>()),
  sDiffStore: spec((destination: Key, ...keys: OneOrMany<Key>[]) => ['SDIFFSTORE', destination, ...flat(keys)], as<number>()),
  sScan: spec((key: Key, cursor: string | number, options?: Omit<ScanOptions, 'TYPE'>) => scanArgs(['SSCAN', key, cursor], options), as<[Bulk, Bulk[]]>()),
};
