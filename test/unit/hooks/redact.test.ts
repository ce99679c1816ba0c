import { describe, expect, it } from 'vitest';
import { REDACTED, redactArguments } from '../../../src/hooks/index.js';

describe('redactArguments', () => {
  const cases: Array<[string, Array<string | number>, Array<string | number>]> = [
    ['AUTH password', ['AUTH', 'pw'], ['AUTH', REDACTED]],
    ['AUTH user password', ['auth', 'u', 'pw'], ['auth', REDACTED, REDACTED]],
    ['HELLO with AUTH and SETNAME', ['HELLO', '3', 'AUTH', 'u', 'pw', 'SETNAME', 'n'], ['HELLO', '3', 'AUTH', REDACTED, REDACTED, 'SETNAME', 'n']],
    ['MIGRATE AUTH', ['MIGRATE', 'h', 6379, 'k', 0, 1000, 'AUTH', 'pw'], ['MIGRATE', 'h', 6379, 'k', 0, 1000, 'AUTH', REDACTED]],
    ['MIGRATE AUTH2', ['MIGRATE', 'h', 6379, 'k', 0, 1000, 'AUTH2', 'u', 'pw'], ['MIGRATE', 'h', 6379, 'k', 0, 1000, 'AUTH2', REDACTED, REDACTED]],
    ['CONFIG SET requirepass', ['CONFIG', 'SET', 'requirepass', 'pw', 'maxmemory', '1mb'], ['CONFIG', 'SET', 'requirepass', REDACTED, 'maxmemory', '1mb']],
    ['CONFIG SET masterauth', ['config', 'set', 'masterauth', 'pw'], ['config', 'set', 'masterauth', REDACTED]],
    ['ACL SETUSER rules', ['ACL', 'SETUSER', 'bob', 'on', '>pw', '#abc', '~*'], ['ACL', 'SETUSER', 'bob', 'on', REDACTED, REDACTED, '~*']],
    ['ordinary command untouched', ['SET', 'password', 'value'], ['SET', 'password', 'value']],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const copy = [...input];
      expect(redactArguments(input)).toEqual(expected);
      expect(input).toEqual(copy);
    });
  }
});
