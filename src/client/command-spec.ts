import { Buffer } from 'node:buffer';
import type { ReplyTransform } from '../connection/index.js';
import { describeValue } from '../errors.js';
import { ProtocolError, type CommandArgument, type RespValue } from '../protocol/index.js';

/**
 * A command is described once, as a spec: how to build its arguments and how to shape its reply.
 * The Client, pipelines, transactions and WATCH scopes all get their typed methods from the same
 * table of specs, so a command is written in one place.
 */

declare const bulkBrand: unique symbol;
/**
 * A bulk string in a reply type. It is `string` on an ordinary client and `Buffer` on one created
 * with `returnBuffers: true` (see `Resolve`).
 */
export type Bulk = string & { readonly [bulkBrand]: true };

/**
 * Replaces `Bulk` with the client's string type `S`, deeply. `RespValue` (untyped replies such as
 * EVAL's) holds no `Bulk` and is left as is; so are Buffers, errors and bigints.
 */
export type Resolve<T, S> = [RespValue] extends [T] ? T : ResolveBulk<T, S>;

type ResolveBulk<T, S> = T extends Bulk
  ? S
  : T extends Buffer | Error | bigint
    ? T
    : T extends readonly unknown[]
      ? // A homomorphic mapped type keeps tuples as tuples: [Bulk, Bulk[]] becomes [S, S[]].
        { -readonly [K in keyof T]: ResolveBulk<T[K], S> }
      : T extends object
        ? { [K in keyof T]: ResolveBulk<T[K], S> }
        : T;

/** A key: a string or binary-safe Buffer. */
export type Key = string | Buffer;
/** A value: strings, Buffers (binary-safe) and numbers are sent as bulk strings. */
export type Value = string | Buffer | number;

export interface Reply<R> {
  readonly transform: ReplyTransform | undefined;
  /** Type-level only. */
  readonly type?: R;
}

export interface CommandSpec<A extends unknown[], R> {
  readonly build: (...args: A) => CommandArgument[];
  readonly reply: Reply<R>;
}

/** A spec whose type parameters are erased, for tables. */
export interface AnySpec {
  readonly build: (...args: never[]) => CommandArgument[];
  readonly reply: Reply<unknown>;
}

export function spec<A extends unknown[], R>(build: (...args: A) => CommandArgument[], reply: Reply<R>): CommandSpec<A, R> {
  return { build, reply };
}

/** The reply is returned as decoded, typed `R`. */
export function as<R>(): Reply<R> {
  return { transform: undefined };
}

/** The reply goes through `transform`, which must handle RESP2 and RESP3 shapes and Buffers. */
export function via<R>(transform: (raw: RespValue) => R): Reply<R> {
  return { transform: transform as ReplyTransform };
}

export type MethodsOf<T extends Record<string, AnySpec>, S> = {
  [K in keyof T]: T[K] extends CommandSpec<infer A, infer R> ? (...args: A) => Promise<Resolve<R, S>> : never;
};

export type ChainOf<T extends Record<string, AnySpec>, Self> = {
  [K in keyof T]: T[K] extends CommandSpec<infer A, unknown> ? (...args: A) => Self : never;
};

/**
 * Installs one method per spec on `prototype`; each builds the arguments and hands them to
 * `invoke` with the spec's reply transform.
 */
export function installCommands<This>(
  prototype: object,
  specs: Record<string, AnySpec>,
  invoke: (self: This, args: CommandArgument[], transform: ReplyTransform | undefined) => unknown,
): void {
  for (const [name, command] of Object.entries(specs)) {
    const build = command.build as (...args: unknown[]) => CommandArgument[];
    const transform = command.reply.transform;
    Object.defineProperty(prototype, name, {
      value: function (this: This, ...args: unknown[]) {
        return invoke(this, build(...args), transform);
      },
      writable: true,
      configurable: true,
    });
  }
}

// ---- shared reply shapes -------------------------------------------------------------------

export const text = (value: RespValue): string => (Buffer.isBuffer(value) ? value.toString() : String(value));

/**
 * A RESP3 double, or a RESP2 bulk string holding one; null stays null. Anything else is a
 * ProtocolError: a score that is not a number must not reach the caller as NaN.
 */
export const toNumberOrNull = (value: RespValue): number | null => {
  if (value === null) return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    const s = text(value).toLowerCase();
    if (s === 'inf' || s === '+inf') return Infinity;
    if (s === '-inf') return -Infinity;
    if (s === 'nan') return Number.NaN;
    // Number() would also take '' and surrounding blanks, which no server writes for a number.
    const n = s === '' || s.trim() !== s ? Number.NaN : Number(s);
    if (!Number.isNaN(n)) return n;
  }
  throw new ProtocolError(`expected a number, got ${describeValue(value)}`);
};

/** Field/value pairs: a RESP3 map as is, or a flat RESP2 array folded into an object. */
export const toRecord = (value: RespValue): Record<string, Bulk> => {
  if (!Array.isArray(value)) return (value ?? Object.create(null)) as Record<string, Bulk>;
  // An odd count means the server's pairs are broken; folding it would drop a field silently.
  if (value.length % 2 !== 0) throw new ProtocolError(`field/value reply with an odd number of elements (${value.length})`);
  const out = Object.create(null) as Record<string, RespValue>;
  for (let i = 0; i + 1 < value.length; i += 2) out[text(value[i]!)] = value[i + 1]!;
  return out as Record<string, Bulk>;
};

export interface ScoredMember {
  value: Bulk;
  score: number;
}

/** RESP3 `[[member, score], …]` or RESP2 flat `[member, score, …]` into `{ value, score }[]`. */
export const toScoredMembers = (value: RespValue): ScoredMember[] => {
  if (!Array.isArray(value)) return [];
  const out: ScoredMember[] = [];
  if (value.length > 0 && Array.isArray(value[0])) {
    for (const pair of value as RespValue[][]) out.push({ value: pair[0] as Bulk, score: toNumberOrNull(pair[1]!)! });
  } else {
    for (let i = 0; i + 1 < value.length; i += 2) out.push({ value: value[i] as Bulk, score: toNumberOrNull(value[i + 1]!)! });
  }
  return out;
};

/** `[member, score]` (ZPOPMIN without count) into `{ value, score }`, or null when empty. */
export const toScoredMember = (value: RespValue): ScoredMember | null => {
  if (!Array.isArray(value) || value.length === 0) return null;
  return toScoredMembers(value)[0] ?? null;
};

/** Appends `[NAME, value]` for each option present, e.g. `EX 10`. */
export function pushOptions(args: CommandArgument[], options: object | undefined, order: readonly string[]): CommandArgument[] {
  if (options === undefined) return args;
  const record = options as Record<string, unknown>;
  for (const name of order) {
    const value = record[name];
    if (value === undefined || value === false) continue;
    if (value === true) args.push(name);
    else args.push(name, value as CommandArgument);
  }
  return args;
}
