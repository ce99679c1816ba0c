import { describe, expect, it } from 'vitest';
import { HitlessError } from '../../../src/errors.js';
import { SimulatorError, validateFrames } from '../../../src/simulator/index.js';

describe('SimulatorError', () => {
  it('extends HitlessError with a stable code and an HTTP status', () => {
    const err = new SimulatorError('ERR_SIM_NOT_FOUND', 'no node "x"');
    expect(err).toBeInstanceOf(HitlessError);
    expect(err.name).toBe('SimulatorError');
    expect([err.code, err.httpStatus]).toEqual(['ERR_SIM_NOT_FOUND', 404]);
    expect(new SimulatorError('ERR_SIM_BODY_TOO_LARGE', 'x').httpStatus).toBe(413);
  });

  it('validateFrames accepts whole frames only', () => {
    expect(() => validateFrames(Buffer.from('+OK\r\n>1\r\n+x\r\n'))).not.toThrow();
    for (const bad of ['', '+OK', '$5\r\nab\r\n', 'hello\r\n']) {
      expect(() => validateFrames(Buffer.from(bad))).toThrow(expect.objectContaining({ code: 'ERR_SIM_BAD_FRAME' }));
    }
  });
});
