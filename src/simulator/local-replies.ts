import { randomBytes } from 'node:crypto';

/**
 * Puts replies the proxy makes itself (the maintenance handshake, interceptors, CLUSTER SLOTS)
 * in reply order without modelling the server. Counting replies cannot do it: the subscribe
 * family is confirmed by one frame per channel (pushes in RESP3, arrays in RESP2), an
 * argument-less UNSUBSCRIBE by one per subscribed channel, RESP2 messages look like replies, and
 * CLIENT REPLY OFF/SKIP answers nothing. So the connection forwards `PING <token>` in the
 * command's place and writes the local reply where the upstream's answer carrying that token
 * arrives: the server orders it, in any mode. The answer has one of three shapes:
 *
 * - `$34\r\n<token>\r\n`: normal mode, RESP3 (subscribed or not);
 * - `*2\r\n$4\r\npong\r\n$34\r\n<token>\r\n`: RESP2 while subscribed;
 * - inside an EXEC array, after `+QUEUED` (MULTI): the array's element is replaced.
 *
 * When the server refuses the PING instead (NOAUTH, BUSY, NOPERM) its error passes through in
 * the command's place, which is what it would have answered the real command; with CLIENT REPLY
 * OFF nothing comes, as for the real command. Either way nothing waits: replies are never held
 * back, only a marker's answer is replaced, and an entry whose answer went by without its token
 * is dropped (its `then` not run) once a later token shows the server is past it.
 */

export interface LocalReply {
  reply: Buffer;
  /** Runs right after the reply is written (in reply order), e.g. to record an opt-in. */
  then?: () => void;
}

/** What replaces one upstream frame: written in order, then the callbacks run. */
export interface Replacement {
  parts: Buffer[];
  then: Array<() => void>;
}

interface Pending extends LocalReply {
  seq: number;
}

const SEQ_DIGITS = 8;
const PONG_HEAD = Buffer.from('*2\r\n$4\r\npong\r\n');
const QUEUED = Buffer.from('+QUEUED\r\n');
const STAR = 0x2a;

export class LocalReplies {
  /** `__hitless_marker_<nonce>_`: random per connection, so no stored value can pass for one. */
  readonly #tokenPrefix: Buffer;
  /** `$34\r\n` + the token prefix: what a marker's bulk answer starts with. */
  readonly #bulkPrefix: Buffer;
  readonly #bulkLength: number;
  readonly #pongLength: number;
  #seq = 0;
  #pending: Pending[] = [];
  /** A `+QUEUED` went by while markers were pending: one may be answered inside an EXEC array. */
  #maybeQueued = false;

  constructor() {
    this.#tokenPrefix = Buffer.from(`__hitless_marker_${randomBytes(4).toString('hex')}_`);
    const tokenLength = this.#tokenPrefix.length + SEQ_DIGITS;
    this.#bulkPrefix = Buffer.concat([Buffer.from(`$${tokenLength}\r\n`), this.#tokenPrefix]);
    this.#bulkLength = this.#bulkPrefix.length + SEQ_DIGITS + 2;
    this.#pongLength = PONG_HEAD.length + this.#bulkLength;
  }

  /** True while a marker waits for its answer (the only time upstream frames are looked at). */
  get waiting(): boolean {
    return this.#pending.length > 0;
  }

  /** Queues `local` and returns the command to forward in its place. */
  add(local: LocalReply): Buffer {
    const seq = this.#seq;
    this.#seq = (this.#seq + 1) >>> 0;
    this.#pending.push({ ...local, seq });
    const token = Buffer.concat([this.#tokenPrefix, Buffer.from(seq.toString(16).padStart(SEQ_DIGITS, '0'))]);
    return Buffer.concat([Buffer.from(`*2\r\n$4\r\nPING\r\n$${token.length}\r\n`), token, Buffer.from('\r\n')]);
  }

  /**
   * The replacement for upstream reply frame `buffer[start, end)` if it answers a marker, else
   * undefined (the frame passes through). Call only for replies, not pushes, while `waiting`.
   */
  replace(buffer: Buffer, start: number, end: number): Replacement | undefined {
    const length = end - start;
    if (length === this.#bulkLength && this.#isBulkToken(buffer, start)) return this.#answer(buffer, start);
    if (length === this.#pongLength && buffer.compare(PONG_HEAD, 0, PONG_HEAD.length, start, start + PONG_HEAD.length) === 0 &&
        this.#isBulkToken(buffer, start + PONG_HEAD.length)) {
      return this.#answer(buffer, start + PONG_HEAD.length);
    }
    if (length === QUEUED.length && buffer.compare(QUEUED, 0, QUEUED.length, start, end) === 0) {
      this.#maybeQueued = true;
      return undefined;
    }
    if (this.#maybeQueued && buffer[start] === STAR) return this.#replaceInArray(buffer, start, end);
    return undefined;
  }

  #isBulkToken(buffer: Buffer, at: number): boolean {
    const prefix = this.#bulkPrefix;
    return buffer.compare(prefix, 0, prefix.length, at, at + prefix.length) === 0;
  }

  /** The bulk answer at `at` is a marker's: its entry's reply replaces the whole frame. */
  #answer(buffer: Buffer, at: number): Replacement {
    const entry = this.#take(this.#seqAt(buffer, at + this.#bulkPrefix.length));
    // Not found: a marker answered after its entry was dropped; it was ours, so it is dropped too.
    if (entry === undefined) return { parts: [], then: [] };
    return { parts: [entry.reply], then: entry.then === undefined ? [] : [entry.then] };
  }

  /** An EXEC array: each marker answer among its elements becomes that entry's reply. */
  #replaceInArray(buffer: Buffer, start: number, end: number): Replacement | undefined {
    const frame = buffer.subarray(start, end);
    const prefix = this.#bulkPrefix;
    const parts: Buffer[] = [];
    const then: Array<() => void> = [];
    let copied = 0;
    for (let at = frame.indexOf(prefix); at >= 0 && at + prefix.length + SEQ_DIGITS + 2 <= frame.length; at = frame.indexOf(prefix, at + 1)) {
      const entry = this.#take(this.#seqAt(frame, at + prefix.length));
      if (entry === undefined) continue;
      parts.push(frame.subarray(copied, at), entry.reply);
      if (entry.then !== undefined) then.push(entry.then);
      copied = at + prefix.length + SEQ_DIGITS + 2;
    }
    if (parts.length === 0) return undefined;
    parts.push(frame.subarray(copied));
    return { parts, then };
  }

  #seqAt(buffer: Buffer, at: number): number {
    return Number.parseInt(buffer.toString('latin1', at, at + SEQ_DIGITS), 16);
  }

  /** Removes and returns the entry `seq`, dropping the ones before it (their answers went by). */
  #take(seq: number): Pending | undefined {
    const index = this.#pending.findIndex((p) => p.seq === seq);
    if (index < 0) return undefined;
    const entry = this.#pending[index]!;
    this.#pending.splice(0, index + 1);
    if (this.#pending.length === 0) this.#maybeQueued = false;
    return entry;
  }
}
