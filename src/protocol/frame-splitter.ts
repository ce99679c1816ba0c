import { Buffer } from 'node:buffer';
import { ProtocolError } from './errors.js';
import { CR, LF, MAX_BULK_LENGTH, MAX_LINE_LENGTH, parseLength } from './wire.js';

/**
 * Splits a RESP2/RESP3 byte stream into whole top-level frames without decoding them, so a proxy
 * can forward the original bytes untouched (re-encoding a decoded reply would lose RESP3 detail:
 * attributes, verbatim formats, double spelling) and knows where it may insert bytes of its own.
 *
 * Frames are reported as ranges of a buffer: `onFrame(buffer, start, end, isPush)`. Consecutive
 * frames of one chunk share the chunk's buffer, so a caller can coalesce them into one write.
 * A frame spread over several chunks is reported as its own (concatenated) buffer.
 *
 * Scanning is resumable: elements already scanned are never scanned again when more bytes arrive,
 * and the bytes of a large frame are copied once, when it completes. An attribute (`|`) and the
 * value it annotates form one frame, so nothing can be inserted between them.
 */

export type FrameCallback = (buffer: Buffer, start: number, end: number, isPush: boolean) => void;

export interface FrameSplitterOptions {
  /**
   * Accept inline commands (`PING\r\n`, what telnet and redis-cli's inline mode send) as frames.
   * Only meaningful for the client-to-server direction. Default false.
   */
  inline?: boolean;
}


/** Marks an open attribute on the stack: its completion does not count as an element. */
const ATTRIBUTE = -1;

export class FrameSplitter {
  readonly #inline: boolean;
  /** Scanned bytes of the current frame that came from earlier chunks. */
  #done: Buffer[] = [];
  #doneBytes = 0;
  /** Unscanned bytes held until `#needed` bytes are available. */
  #held: Buffer[] = [];
  #heldBytes = 0;
  #needed = 0;
  /** Remaining element counts of the open aggregates; `#kinds` says which are attributes. */
  #remaining: number[] = [];
  #kinds: number[] = [];
  #isPush = false;
  /** A top-level attribute finished: the value it annotates still belongs to this frame. */
  #attributePending = false;
  #failed = false;

  constructor(options: FrameSplitterOptions = {}) {
    this.#inline = options.inline ?? false;
  }

  /** True while a frame has started but not finished. */
  get hasPartialFrame(): boolean {
    return this.#doneBytes > 0 || this.#heldBytes > 0 || this.#remaining.length > 0 || this.#attributePending;
  }

  reset(): void {
    this.#done = [];
    this.#doneBytes = 0;
    this.#held = [];
    this.#heldBytes = 0;
    this.#needed = 0;
    this.#remaining = [];
    this.#kinds = [];
    this.#isPush = false;
    this.#attributePending = false;
    this.#failed = false;
  }

  /**
   * Feeds bytes; calls `onFrame` for every frame completed by them. Throws `ProtocolError` when
   * the stream is not RESP; the splitter then ignores input until `reset()`.
   */
  feed(chunk: Buffer, onFrame: FrameCallback): void {
    if (this.#failed || chunk.length === 0) return;
    let buffer = chunk;
    if (this.#heldBytes > 0) {
      this.#held.push(chunk);
      this.#heldBytes += chunk.length;
      if (this.#heldBytes < this.#needed) return;
      buffer = Buffer.concat(this.#held, this.#heldBytes);
      this.#held = [];
      this.#heldBytes = 0;
    }
    this.#needed = 0;
    try {
      this.#scan(buffer, onFrame);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      this.#failed = true;
      throw err;
    }
  }

  #scan(buffer: Buffer, onFrame: FrameCallback): void {
    let frameStart = 0;
    let pos = 0;
    const length = buffer.length;
    while (pos < length) {
      const elementStart = pos;
      const end = this.#element(buffer, pos, frameStart);
      if (end < 0) {
        // Keep the scanned part of the frame aside and hold the element that is cut off.
        if (elementStart > frameStart) {
          this.#done.push(buffer.subarray(frameStart, elementStart));
          this.#doneBytes += elementStart - frameStart;
        }
        const rest = buffer.subarray(elementStart);
        this.#held = [rest];
        this.#heldBytes = rest.length;
        this.#needed = -end;
        return;
      }
      pos = end;
      if (this.#remaining.length === 0 && !this.#attributePending) {
        if (this.#doneBytes > 0) {
          this.#done.push(buffer.subarray(frameStart, pos));
          const whole = Buffer.concat(this.#done, this.#doneBytes + pos - frameStart);
          this.#done = [];
          this.#doneBytes = 0;
          onFrame(whole, 0, whole.length, this.#isPush);
        } else {
          onFrame(buffer, frameStart, pos, this.#isPush);
        }
        frameStart = pos;
        this.#isPush = false;
      }
    }
    // The chunk ended on an element boundary inside a frame: keep what was scanned.
    if (frameStart < length) {
      this.#done.push(buffer.subarray(frameStart, length));
      this.#doneBytes += length - frameStart;
    }
  }

  /**
   * Scans the element at `pos`. Returns the offset after it (having updated the aggregate stack),
   * or minus the number of bytes (counted from `pos`) needed before it can be scanned.
   */
  #element(buffer: Buffer, pos: number, frameStart: number): number {
    const type = buffer[pos]!;
    const atTop = this.#remaining.length === 0;
    const frameBegins = atTop && !this.#attributePending && pos === frameStart && this.#doneBytes === 0;
    if (this.#inline && frameBegins && !isRespType(type)) {
      const lf = buffer.indexOf(LF, pos);
      if (lf === -1) return this.#needLine(buffer, pos);
      this.#isPush = false;
      return lf + 1;
    }
    const cr = buffer.indexOf(CR, pos + 1);
    if (cr === -1 || cr + 1 >= buffer.length) return this.#needLine(buffer, pos);
    if (buffer[cr + 1] !== LF) throw new ProtocolError(`expected LF after CR at byte ${cr + 1}`);
    const next = cr + 2;
    switch (type) {
      case 0x2b: // + simple string
      case 0x2d: // - simple error
      case 0x3a: // : integer
      case 0x5f: // _ null
      case 0x23: // # boolean
      case 0x2c: // , double
      case 0x28: // ( big number
        return this.#completed(next);
      case 0x24: // $ bulk string
      case 0x3d: // = verbatim string
      case 0x21: {
        // ! blob error
        const n = parseLength(buffer, pos + 1, cr);
        if (n === -1) return this.#completed(next);
        if (n > MAX_BULK_LENGTH) throw new ProtocolError(`bulk length ${n} exceeds ${MAX_BULK_LENGTH}`);
        const end = next + n;
        if (end + 2 > buffer.length) return -(end + 2 - pos);
        if (buffer[end] !== CR || buffer[end + 1] !== LF) throw new ProtocolError('bulk string not followed by CRLF');
        return this.#completed(end + 2);
      }
      case 0x2a: // * array
      case 0x7e: // ~ set
      case 0x3e: // > push
      case 0x25: // % map
      case 0x7c: {
        // | attribute
        const n = parseLength(buffer, pos + 1, cr);
        if (atTop && type === 0x3e) this.#isPush = true;
        if (n === -1 && type !== 0x2a) throw new ProtocolError('negative length on a non-array aggregate');
        const count = type === 0x25 || type === 0x7c ? n * 2 : n;
        if (count <= 0) {
          if (type !== 0x7c) return this.#completed(next);
          if (atTop) this.#attributePending = true;
          return next;
        }
        this.#remaining.push(count);
        this.#kinds.push(type === 0x7c ? ATTRIBUTE : 0);
        return next;
      }
      default:
        throw new ProtocolError(`unknown RESP type byte 0x${type.toString(16).padStart(2, '0')}`);
    }
  }

  #needLine(buffer: Buffer, pos: number): number {
    const have = buffer.length - pos;
    if (have > MAX_LINE_LENGTH) throw new ProtocolError(`no CRLF within ${MAX_LINE_LENGTH} bytes`);
    return -(have + 1);
  }

  /** One element finished at `end`: count it against the open aggregates, closing finished ones. */
  #completed(end: number): number {
    for (;;) {
      const depth = this.#remaining.length;
      if (depth === 0) {
        this.#attributePending = false;
        return end;
      }
      const left = this.#remaining[depth - 1]! - 1;
      if (left > 0) {
        this.#remaining[depth - 1] = left;
        return end;
      }
      this.#remaining.pop();
      // A finished attribute is a prefix of the next value, not an element of its parent.
      if (this.#kinds.pop() === ATTRIBUTE) {
        if (this.#remaining.length === 0) this.#attributePending = true;
        return end;
      }
    }
  }
}

function isRespType(byte: number): boolean {
  switch (byte) {
    case 0x2b: case 0x2d: case 0x3a: case 0x5f: case 0x23: case 0x2c: case 0x28:
    case 0x24: case 0x3d: case 0x21: case 0x2a: case 0x7e: case 0x3e: case 0x25: case 0x7c:
      return true;
    default:
      return false;
  }
}
