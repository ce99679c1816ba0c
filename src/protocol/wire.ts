import { ProtocolError } from './errors.js';

/** Byte values and limits shared by the decoder and the frame splitter. */
export const CR = 13;
export const LF = 10;
/** Redis refuses bulk strings over 512 MiB (proto-max-bulk-len); so do we, unless told otherwise. */
export const MAX_BULK_LENGTH = 512 * 1024 * 1024;
/**
 * Default bound on the count in an aggregate header (`*`, `~`, `>`: elements; `%`, `|`: entries).
 * 2^27 elements take 1 GiB as bare pointers, more than a default Node heap holds once each is a
 * value, so a larger header is hostile or broken rather than a reply this process could hold.
 */
export const MAX_AGGREGATE_LENGTH = 2 ** 27;
/**
 * Aggregates open at once. Decoding is iterative, but what consumes a reply (JSON.stringify of a
 * map key, util.inspect, a caller's own recursion) is not; no Redis reply comes near this
 * (RedisJSON, the deepest, caps documents at 128 levels).
 */
export const MAX_NESTING_DEPTH = 1024;
/** Longest header or simple line buffered while waiting for its CRLF. */
export const MAX_LINE_LENGTH = 1024 * 1024;

/** A RESP length or count between `from` and `to`: -1, or digits only. Throws ProtocolError. */
export function parseLength(buffer: Buffer, from: number, to: number): number {
  if (to === from) throw new ProtocolError('empty length');
  if (buffer[from] === 0x2d) {
    if (to === from + 2 && buffer[from + 1] === 0x31) return -1;
    throw new ProtocolError(`invalid length "${buffer.toString('latin1', from, to)}"`);
  }
  if (to - from > 15) throw new ProtocolError(`length "${buffer.toString('latin1', from, to)}" is too large`);
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = buffer[i]! - 0x30;
    if (d < 0 || d > 9) throw new ProtocolError(`invalid length "${buffer.toString('latin1', from, to)}"`);
    n = n * 10 + d;
  }
  return n;
}
