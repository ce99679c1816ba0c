import { describe, expect, it } from 'vitest';
import { describeError } from '../../../instrumentation/index.js';
import { ConnectionError, PoolTimeoutError, ReplyError, TimeoutError } from '../../../src/index.js';

describe('describeError', () => {
  it.each([
    [new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'), { type: 'WRONGTYPE', statusCode: 'WRONGTYPE', category: 'server', internal: false }],
    [new ReplyError('ERR unknown command'), { type: 'ERR', statusCode: 'ERR', category: 'server', internal: false }],
    [new ReplyError('NOAUTH Authentication required.'), { type: 'NOAUTH', statusCode: 'NOAUTH', category: 'auth', internal: false }],
    [new ReplyError('WRONGPASS invalid username-password pair'), { type: 'WRONGPASS', statusCode: 'WRONGPASS', category: 'auth', internal: false }],
    [new TimeoutError('GET got no reply', 'GET', 100), { type: 'ERR_TIMEOUT', statusCode: undefined, category: 'network', internal: true }],
    [new ConnectionError('cannot connect', 'ERR_CONNECTION'), { type: 'ERR_CONNECTION', category: 'network', internal: true }],
    [new PoolTimeoutError('no connection'), { type: 'ERR_POOL_TIMEOUT', category: 'other', internal: true }],
    [new ConnectionError('tls', 'ERR_CONNECTION', { cause: Object.assign(new Error('altnames'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }) }), { type: 'ERR_CONNECTION', category: 'tls', internal: true }],
    [new TypeError('x'), { type: 'TypeError', category: 'other', internal: true }],
  ] as const)('%s', (error, expected) => {
    expect(describeError(error)).toMatchObject(expected);
  });
});
