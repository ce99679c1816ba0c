export { Decoder, type DecoderHandlers, type DecoderLimits } from './decoder.js';
export { CommandWriter, encodeCommands, invalidArgument, type CommandArgument } from './encoder.js';
export { ProtocolError, ReplyError } from './errors.js';
export { MAX_AGGREGATE_LENGTH, MAX_BULK_LENGTH } from './wire.js';
export { FrameSplitter, type FrameCallback, type FrameSplitterOptions } from './frame-splitter.js';
export type { RespMap, RespValue } from './types.js';
