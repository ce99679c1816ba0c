import { Buffer, constants } from 'node:buffer';
import { ProtocolError, ReplyError } from './errors.js';
import { CR, LF, MAX_AGGREGATE_LENGTH, MAX_BULK_LENGTH, MAX_LINE_LENGTH, MAX_NESTING_DEPTH, parseLength } from './wire.js';
import type { RespMap, RespValue } from './types.js';

/**
 * Streaming RESP2/RESP3 decoder. No I/O: `feed()` it bytes as they arrive; it calls `onReply` for
 * each complete top-level frame, `onPush` for push frames (`>`), which are never matched to
 * commands, and `onError` once if the stream breaks the protocol (after which it ignores input
 * until `reset()`).
 *
 * Aggregates are decoded with an explicit stack rather than recursion, so a frame split at any
 * byte boundary resumes where it stopped: no byte of a finished element is parsed twice, deep
 * nesting cannot overflow the call stack, and a large bulk string arriving in many chunks is
 * concatenated once, when its last byte is here, instead of once per chunk.
 *
 * Nothing is allocated from a length header: a bulk string's bytes are held as they arrive and
 * joined when complete, an aggregate grows element by element. Headers above the limits fail at
 * once, so a hostile `$4294967296` or `*2147483647` cannot make the connection wait for bytes
 * that will never come.
 */

export interface DecoderHandlers {
  onReply(value: RespValue): void;
  onPush(value: RespValue[]): void;
  onError(error: ProtocolError): void;
}

/** Bounds on what one header may announce; see wire.ts for the defaults and why. */
export interface DecoderLimits {
  /** Longest bulk, verbatim or blob-error string, in bytes. */
  maxBulkLength?: number;
  /** Largest count in an aggregate header: elements of an array, set or push; entries of a map. */
  maxAggregateLength?: number;
}

type AggregateKind = 'array' | 'set' | 'push' | 'map' | 'attribute';

interface Aggregate {
  kind: AggregateKind;
  /** Elements still expected (for maps: keys and values counted separately). */
  remaining: number;
  items: RespValue[] | RespMap;
  key: string | undefined;
}

/** Signals that the buffered bytes end inside the current element. */
const INCOMPLETE = Symbol('incomplete');

export class Decoder {
  /** Decode bulk strings as Buffers instead of UTF-8 strings, for the next top-level frame on. */
  returnBuffers = false;

  readonly #handlers: DecoderHandlers;
  readonly #maxBulkLength: number;
  readonly #maxAggregateLength: number;
  #buffer: Buffer | null = null;
  #offset = 0;
  /** Chunks held back until `#needed` bytes are available. */
  #held: Buffer[] = [];
  #heldBytes = 0;
  #needed = 0;
  #stack: Aggregate[] = [];
  #failed = false;
  /** Bumped by reset(), so a handler that resets us mid-chunk stops the loop that called it. */
  #generation = 0;

  constructor(handlers: DecoderHandlers, limits: DecoderLimits = {}) {
    this.#handlers = handlers;
    this.#maxBulkLength = limits.maxBulkLength ?? MAX_BULK_LENGTH;
    this.#maxAggregateLength = limits.maxAggregateLength ?? MAX_AGGREGATE_LENGTH;
  }

  /** Forget any partial frame and a previous protocol error (used when a socket is replaced). */
  reset(): void {
    this.#generation++;
    this.#buffer = null;
    this.#offset = 0;
    this.#held = [];
    this.#heldBytes = 0;
    this.#needed = 0;
    this.#stack = [];
    this.#failed = false;
  }

  feed(chunk: Buffer): void {
    if (this.#failed || chunk.length === 0) return;
    if (this.#needed > 0) {
      this.#held.push(chunk);
      this.#heldBytes += chunk.length;
      if (this.#heldBytes < this.#needed) return;
      this.#buffer = Buffer.concat(this.#held, this.#heldBytes);
      this.#offset = 0;
      this.#held = [];
      this.#heldBytes = 0;
      this.#needed = 0;
    } else {
      this.#buffer = chunk;
      this.#offset = 0;
    }
    const generation = this.#generation;
    try {
      this.#drain(generation);
    } catch (err) {
      // Our handlers never throw ProtocolError, so one here always comes from parsing.
      if (!(err instanceof ProtocolError)) throw err;
      if (generation !== this.#generation) return;
      this.#failed = true;
      this.#buffer = null;
      this.#stack = [];
      this.#handlers.onError(err);
    }
  }

  #drain(generation: number): void {
    const buffer = this.#buffer!;
    while (this.#offset < buffer.length) {
      const start = this.#offset;
      const value = this.#element(buffer);
      if (value === INCOMPLETE) {
        this.#holdFrom(buffer, start);
        return;
      }
      if (value === ATTRIBUTE_OR_OPENED) continue;
      this.#complete(value, generation);
      if (generation !== this.#generation) return;
    }
    this.#buffer = null;
  }

  /** Keep the unread tail of `buffer` until at least `#needed` bytes (counted from it) exist. */
  #holdFrom(buffer: Buffer, start: number): void {
    const rest = buffer.subarray(start);
    if (this.#needed === 0) {
      if (rest.length > MAX_LINE_LENGTH) throw new ProtocolError(`no CRLF within ${MAX_LINE_LENGTH} bytes`);
      this.#needed = rest.length + 1;
    }
    this.#held = [rest];
    this.#heldBytes = rest.length;
    this.#buffer = null;
  }

  /** Adds a finished value to the aggregate on top of the stack, or delivers it as a frame. */
  #complete(value: RespValue, generation: number): void {
    let current: RespValue = value;
    for (;;) {
      const top = this.#stack[this.#stack.length - 1];
      if (top === undefined) {
        this.#handlers.onReply(current);
        return;
      }
      if (top.kind === 'map' || top.kind === 'attribute') {
        if (top.key === undefined) {
          top.key = mapKey(current);
        } else {
          (top.items as RespMap)[top.key] = current;
          top.key = undefined;
        }
      } else {
        (top.items as RespValue[]).push(current);
      }
      if (--top.remaining > 0) return;
      this.#stack.pop();
      if (top.kind === 'attribute') {
        // Attributes describe the value that follows them; they are not a value themselves.
        return;
      }
      if (top.kind === 'push' && this.#stack.length === 0) {
        this.#handlers.onPush(top.items as RespValue[]);
        if (generation !== this.#generation) return;
        return;
      }
      current = top.items;
    }
  }

  /**
   * Reads one element starting at the current offset. Returns its value, INCOMPLETE when the
   * buffer ends inside it (offset untouched), or ATTRIBUTE_OR_OPENED when it opened an aggregate.
   */
  #element(buffer: Buffer): RespValue | typeof INCOMPLETE | typeof ATTRIBUTE_OR_OPENED {
    const start = this.#offset;
    const lineEnd = findCR(buffer, start + 1);
    if (lineEnd === -1 || lineEnd + 1 >= buffer.length) return INCOMPLETE;
    if (buffer[lineEnd + 1] !== LF) throw new ProtocolError(`expected LF after CR at byte ${lineEnd + 1}`);
    const type = buffer[start]!;
    const next = lineEnd + 2;
    switch (type) {
      case 0x2b /* + simple string */:
        this.#offset = next;
        if (lineEnd - start === 3 && buffer[start + 1] === 0x4f && buffer[start + 2] === 0x4b) return 'OK';
        return buffer.toString('utf8', start + 1, lineEnd);
      case 0x2d /* - simple error */:
        this.#offset = next;
        return new ReplyError(buffer.toString('utf8', start + 1, lineEnd));
      case 0x3a /* : integer */:
        this.#offset = next;
        return parseInteger(buffer, start + 1, lineEnd);
      case 0x24 /* $ bulk string */:
      case 0x3d /* = verbatim string */:
      case 0x21 /* ! blob error */:
        return this.#blob(buffer, type, start, lineEnd, next);
      case 0x5f /* _ null */:
        if (lineEnd !== start + 1) throw new ProtocolError('null frame with content');
        this.#offset = next;
        return null;
      case 0x23 /* # boolean */: {
        this.#offset = next;
        if (lineEnd === start + 2) {
          if (buffer[start + 1] === 0x74) return true;
          if (buffer[start + 1] === 0x66) return false;
        }
        throw new ProtocolError(`invalid boolean "${buffer.toString('latin1', start + 1, lineEnd)}"`);
      }
      case 0x2c /* , double */:
        this.#offset = next;
        return parseDouble(buffer.toString('latin1', start + 1, lineEnd));
      case 0x28 /* ( big number */: {
        this.#offset = next;
        const text = buffer.toString('latin1', start + 1, lineEnd);
        if (!/^[-+]?\d+$/.test(text)) throw new ProtocolError(`invalid big number "${text}"`);
        return BigInt(text);
      }
      case 0x2a /* * array */:
        return this.#open(buffer, 'array', start, lineEnd, next);
      case 0x7e /* ~ set */:
        return this.#open(buffer, 'set', start, lineEnd, next);
      case 0x3e /* > push */:
        return this.#open(buffer, 'push', start, lineEnd, next);
      case 0x25 /* % map */:
        return this.#open(buffer, 'map', start, lineEnd, next);
      case 0x7c /* | attribute */:
        return this.#open(buffer, 'attribute', start, lineEnd, next);
      default:
        throw new ProtocolError(`unknown RESP type byte 0x${type.toString(16).padStart(2, '0')}`);
    }
  }

  #blob(
    buffer: Buffer,
    type: number,
    start: number,
    lineEnd: number,
    next: number,
  ): RespValue | typeof INCOMPLETE {
    const length = parseLength(buffer, start + 1, lineEnd);
    if (length === -1) {
      if (type !== 0x24) throw new ProtocolError('negative length on a non-bulk blob');
      this.#offset = next;
      return null;
    }
    if (length > this.#maxBulkLength) throw tooLong('bulk', length, 'maxBulkLength', this.#maxBulkLength);
    const end = next + length;
    if (end + 2 > buffer.length) {
      this.#needed = end + 2 - start;
      return INCOMPLETE;
    }
    if (buffer[end] !== CR || buffer[end + 1] !== LF) throw new ProtocolError('bulk string not followed by CRLF');
    this.#offset = end + 2;
    // Node refuses to make a string of more bytes than V8's longest string (2^29 - 24 on 64-bit,
    // below Redis's 512 MiB limit) and throws, which here would escape from the socket's data handler.
    if (length > MAX_STRING_LENGTH && (type === 0x21 || !this.returnBuffers)) throw tooLongForString(length);
    if (type === 0x21) return new ReplyError(buffer.toString('utf8', next, end));
    let from = next;
    if (type === 0x3d) {
      if (length < 4 || buffer[next + 3] !== 0x3a) throw new ProtocolError('verbatim string without a format prefix');
      from = next + 4;
    }
    return this.returnBuffers ? Buffer.from(buffer.subarray(from, end)) : buffer.toString('utf8', from, end);
  }

  #open(
    buffer: Buffer,
    kind: AggregateKind,
    start: number,
    lineEnd: number,
    next: number,
  ): RespValue | typeof ATTRIBUTE_OR_OPENED {
    const count = parseLength(buffer, start + 1, lineEnd);
    this.#offset = next;
    if (count === -1) {
      if (kind !== 'array') throw new ProtocolError(`negative length on a ${kind}`);
      return null;
    }
    if (count > this.#maxAggregateLength) throw tooLong(kind, count, 'maxAggregateLength', this.#maxAggregateLength);
    if (kind === 'push' && this.#stack.length > 0) kind = 'array';
    const isMap = kind === 'map' || kind === 'attribute';
    if (count === 0) {
      if (kind === 'attribute') return ATTRIBUTE_OR_OPENED;
      if (kind === 'push') throw new ProtocolError('empty push frame');
      return isMap ? (Object.create(null) as RespMap) : [];
    }
    if (this.#stack.length >= MAX_NESTING_DEPTH) throw new ProtocolError(`aggregates nested deeper than ${MAX_NESTING_DEPTH} levels`);
    this.#stack.push({
      kind,
      remaining: isMap ? count * 2 : count,
      items: isMap ? (Object.create(null) as RespMap) : [],
      key: undefined,
    });
    return ATTRIBUTE_OR_OPENED;
  }
}

/** Returned when an element opened an aggregate (or was an empty attribute): no value yet. */
const ATTRIBUTE_OR_OPENED = Symbol('opened');

const MAX_STRING_LENGTH = constants.MAX_STRING_LENGTH;

function tooLongForString(length: number): ProtocolError {
  return new ProtocolError(`a ${length}-byte string is longer than the longest JavaScript string (${MAX_STRING_LENGTH}); read it with returnBuffers`);
}

/** Built out of line: the checks sit on the path of every reply, and V8 inlines by bytecode size. */
function tooLong(what: string, length: number, limit: string, max: number): ProtocolError {
  return new ProtocolError(`${what} length ${length} exceeds ${limit} (${max})`);
}

function findCR(buffer: Buffer, from: number): number {
  for (let i = from; i < buffer.length; i++) {
    if (buffer[i] === CR) return i;
  }
  return -1;
}

function mapKey(key: RespValue): string {
  if (typeof key === 'string') return key;
  if (Buffer.isBuffer(key)) return key.toString('utf8');
  if (key === null || typeof key !== 'object') return String(key);
  return JSON.stringify(key, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}


/** A RESP integer. Values beyond 2^53 lose precision, as JavaScript numbers do. */
function parseInteger(buffer: Buffer, from: number, to: number): number {
  let i = from;
  let negative = false;
  if (buffer[i] === 0x2d || buffer[i] === 0x2b) {
    negative = buffer[i] === 0x2d;
    i++;
  }
  if (i === to) throw new ProtocolError('integer without digits');
  if (to - i > 15) {
    const text = buffer.toString('latin1', from, to);
    if (!/^[-+]?\d+$/.test(text)) throw new ProtocolError(`invalid integer "${text}"`);
    return Number(text);
  }
  let n = 0;
  for (; i < to; i++) {
    const d = buffer[i]! - 0x30;
    if (d < 0 || d > 9) throw new ProtocolError(`invalid integer "${buffer.toString('latin1', from, to)}"`);
    n = n * 10 + d;
  }
  return negative ? -n : n;
}

const DOUBLE = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;

function parseDouble(text: string): number {
  switch (text.toLowerCase()) {
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
    case '-nan':
      return NaN;
  }
  if (!DOUBLE.test(text)) throw new ProtocolError(`invalid double "${text}"`);
  return Number(text);
}
