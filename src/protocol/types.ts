import type { ReplyError } from './errors.js';

/**
 * A decoded RESP value. RESP3 maps become null-prototype objects (keys as strings), sets become
 * arrays (so RESP2 and RESP3 replies have one shape), doubles become numbers (inf, -inf and nan
 * included), big numbers become bigints, and verbatim strings lose their 3-letter format prefix.
 * An error inside an aggregate (e.g. in an EXEC result) stays a `ReplyError` value.
 */
export type RespValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | Buffer
  | ReplyError
  | RespValue[]
  | RespMap;

export interface RespMap {
  [key: string]: RespValue;
}
