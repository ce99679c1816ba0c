import { HitlessError } from '../errors.js';

/**
 * Errors of the maintenance simulator. Each carries a stable `code` and the HTTP status the
 * control APIs answer with, so a bad request from a client suite becomes a clear 4xx (and the
 * proxy keeps running) instead of a crash.
 */
export type SimulatorErrorCode =
  | 'ERR_SIM_BAD_INPUT'
  | 'ERR_SIM_BAD_FRAME'
  | 'ERR_SIM_UNKNOWN_ACTION'
  | 'ERR_SIM_NOT_FOUND'
  | 'ERR_SIM_BODY_TOO_LARGE'
  | 'ERR_SIM_LISTEN'
  | 'ERR_SIM_CLOSED';

const STATUS: Record<SimulatorErrorCode, number> = {
  ERR_SIM_BAD_INPUT: 400,
  ERR_SIM_BAD_FRAME: 400,
  ERR_SIM_UNKNOWN_ACTION: 400,
  ERR_SIM_NOT_FOUND: 404,
  ERR_SIM_BODY_TOO_LARGE: 413,
  ERR_SIM_LISTEN: 409,
  ERR_SIM_CLOSED: 409,
};

export class SimulatorError extends HitlessError {
  declare readonly code: SimulatorErrorCode;
  /** The HTTP status a control API answers this error with. */
  readonly httpStatus: number;

  constructor(code: SimulatorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, code, options);
    this.httpStatus = STATUS[code];
  }
}

export const badInput = (message: string): SimulatorError => new SimulatorError('ERR_SIM_BAD_INPUT', message);
