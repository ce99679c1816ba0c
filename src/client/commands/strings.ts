import type { CommandArgument } from '../../protocol/index.js';
import { as, pushOptions, spec, type Bulk, type Key, type Value } from '../command-spec.js';

export interface SetOptions {
  /** Expire after this many seconds. */
  EX?: number;
  /** Expire after this many milliseconds. */
  PX?: number;
  /** Expire at this Unix time in seconds. */
  EXAT?: number;
  /** Expire at this Unix time in milliseconds. */
  PXAT?: number;
  /** Only set if the key does not exist. */
  NX?: boolean;
  /** Only set if the key exists. */
  XX?: boolean;
  /** Keep the key's time to live. */
  KEEPTTL?: boolean;
  /** Return the old value (the reply is then the old value or null). */
  GET?: boolean;
}

export interface GetExOptions {
  EX?: number;
  PX?: number;
  EXAT?: number;
  PXAT?: number;
  PERSIST?: boolean;
}

const SET_ORDER = ['NX', 'XX', 'GET', 'EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL'] as const;
const GETEX_ORDER = ['EX', 'PX', 'EXAT', 'PXAT', 'PERSIST'] as const;

const pairs = (entries: Record<string, Value> | Array<[Key, Value]>): CommandArgument[] =>
  (Array.isArray(entries) ? entries : Object.entries(entries)).flat();

export const stringCommands = {
  get: spec((key: Key) => ['GET', key], as<Bulk | null>()),
  /** 'OK', or null when NX/XX prevented the write; with GET, the old value. */
  set: spec((key: Key, value: Value, options?: SetOptions) => pushOptions(['SET', key, value], options, SET_ORDER), as<'OK' | Bulk | null>()),
  setNX: spec((key: Key, value: Value) => ['SETNX', key, value], as<number>()),
  setEx: spec((key: Key, seconds: number, value: Value) => ['SETEX', key, seconds, value], as<'OK'>()),
  pSetEx: spec((key: Key, milliseconds: number, value: Value) => ['PSETEX', key, milliseconds, value], as<'OK'>()),
  getDel: spec((key: Key) => ['GETDEL', key], as<Bulk | null>()),
  getEx: spec((key: Key, options?: GetExOptions) => pushOptions(['GETEX', key], options, GETEX_ORDER), as<Bulk | null>()),
  getSet: spec((key: Key, value: Value) => ['GETSET', key, value], as<Bulk | null>()),
  mGet: spec((keys: Key[]) => ['MGET', ...keys], as<Array<Bulk | null>>()),
  mSet: spec((entries: Record<string, Value> | Array<[Key, Value]>) => ['MSET', ...pairs(entries)], as<'OK'>()),
  mSetNX: spec((entries: Record<string, Value> | Array<[Key, Value]>) => ['MSETNX', ...pairs(entries)], as<number>()),
  incr: spec((key: Key) => ['INCR', key], as<number>()),
  incrBy: spec((key: Key, increment: number) => ['INCRBY', key, increment], as<number>()),
  incrByFloat: spec((key: Key, increment: number) => ['INCRBYFLOAT', key, increment], as<Bulk>()),
  decr: spec((key: Key) => ['DECR', key], as<number>()),
  decrBy: spec((key: Key, decrement: number) => ['DECRBY', key, decrement], as<number>()),
  append: spec((key: Key, value: Value) => ['APPEND', key, value], as<number>()),
  strLen: spec((key: Key) => ['STRLEN', key], as<number>()),
  getRange: spec((key: Key, start: number, end: number) => ['GETRANGE', key, start, end], as<Bulk>()),
  setRange: spec((key: Key, offset: number, value: Value) => ['SETRANGE', key, offset, value], as<number>()),
};
