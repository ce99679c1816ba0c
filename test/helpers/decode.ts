import { Decoder, type ProtocolError, type RespValue } from '../../src/protocol/index.js';

export interface Decoded {
  replies: RespValue[];
  pushes: RespValue[][];
  errors: ProtocolError[];
}

/** Feeds `chunks` to a fresh decoder and collects everything it reports. */
export function decodeChunks(chunks: Buffer[], returnBuffers = false): Decoded {
  const out: Decoded = { replies: [], pushes: [], errors: [] };
  const decoder = new Decoder({
    onReply: (v) => out.replies.push(v),
    onPush: (v) => out.pushes.push(v),
    onError: (e) => out.errors.push(e),
  });
  decoder.returnBuffers = returnBuffers;
  for (const chunk of chunks) decoder.feed(chunk);
  return out;
}

export const decode = (text: string | Buffer, returnBuffers = false): Decoded =>
  decodeChunks([typeof text === 'string' ? Buffer.from(text) : text], returnBuffers);
