import { describe, expect, it } from 'vitest';
import * as hitless from '../../src/index.js';

describe('error classes', () => {
  const cases: Array<[string, () => Error, string]> = [
    ['ConfigError', () => new hitless.ConfigError('port', 'bad'), 'ERR_CONFIG'],
    ['ClientClosedError', () => new hitless.ClientClosedError(), 'ERR_CLIENT_CLOSED'],
    ['InvalidArgumentError', () => new hitless.InvalidArgumentError('x'), 'ERR_INVALID_ARGUMENT'],
    ['ConnectionError', () => new hitless.ConnectionError('x'), 'ERR_CONNECTION'],
    ['TimeoutError', () => new hitless.TimeoutError('x', 'GET', 5), 'ERR_TIMEOUT'],
    ['PoolTimeoutError', () => new hitless.PoolTimeoutError('x'), 'ERR_POOL_TIMEOUT'],
    ['ProtocolError', () => new hitless.ProtocolError('x'), 'ERR_PROTOCOL'],
    ['ReplyError', () => new hitless.ReplyError('WRONGTYPE Operation'), 'WRONGTYPE'],
  ];
  for (const [name, make, code] of cases) {
    it(`${name} has a stable name and code and extends HitlessError`, () => {
      const error = make();
      expect(error.name).toBe(name);
      expect((error as hitless.HitlessError).code).toBe(code);
      expect(error).toBeInstanceOf(hitless.HitlessError);
      expect(error).toBeInstanceOf(Error);
    });
  }
});
