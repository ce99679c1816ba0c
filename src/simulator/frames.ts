import { FrameSplitter, ProtocolError } from '../protocol/index.js';
import { SimulatorError } from './errors.js';

/** Throws ERR_SIM_BAD_FRAME unless `bytes` is one or more whole RESP frames. */
export function validateFrames(bytes: Buffer): void {
  const splitter = new FrameSplitter();
  let frames = 0;
  try {
    splitter.feed(bytes, () => void frames++);
  } catch (err) {
    if (err instanceof ProtocolError) throw new SimulatorError('ERR_SIM_BAD_FRAME', `not RESP: ${err.message}`);
    throw err;
  }
  if (frames === 0 || splitter.hasPartialFrame) {
    throw new SimulatorError('ERR_SIM_BAD_FRAME', 'the payload must be one or more whole RESP frames (it ends inside a frame)');
  }
}
