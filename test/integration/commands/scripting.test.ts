import { createHash } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReplyError, type Client } from '../../../src/index.js';
import { PROTOCOLS, useRedisServer } from './setup.js';

const redis = useRedisServer();
const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

const LIBRARY = "#!lua name=mylib\nredis.register_function('myfn', function(keys, args) return args[1] end)";
const LIBRARY_V2 = [
  '#!lua name=mylib',
  "redis.register_function('myfn', function(keys, args) return 'v2:' .. args[1] end)",
  "redis.register_function{function_name='getter', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}",
  "redis.register_function('setter', function(keys, args) return redis.call('SET', keys[1], args[1]) end)",
].join('\n');

describe.each(PROTOCOLS)('scripting (RESP%i)', (protocol) => {
  let client: Client;
  beforeAll(async () => {
    client = await redis.client(protocol);
  });
  beforeEach(async () => {
    await client.flushDb();
    await client.scriptFlush('SYNC');
    await client.functionFlush('SYNC');
  });

  it('eval with keys and arguments returns integers, strings, arrays and nil', async () => {
    expect(await client.eval('return 1')).toBe(1);
    expect(await client.eval('return 3.99')).toBe(3); // Lua numbers become integers
    expect(await client.eval("return 'text'")).toBe('text');
    expect(await client.eval('return nil')).toBeNull();
    expect(await client.eval('return {KEYS[1], ARGV[1], ARGV[2], #KEYS, #ARGV}', { keys: ['k1'], arguments: ['a1', 2] }))
      .toEqual(['k1', 'a1', '2', 1, 2]);
    expect(await client.eval("return redis.call('SET', KEYS[1], ARGV[1])", { keys: ['k'], arguments: ['v'] })).toBe('OK');
    expect(await client.get('k')).toBe('v');
    expect(await client.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", { keys: ['n'], arguments: [5] })).toBe(5);
  });

  it('evalRo runs read-only scripts and refuses writes', async () => {
    await client.set('k', 'v');
    expect(await client.evalRo("return redis.call('GET', KEYS[1])", { keys: ['k'] })).toBe('v');
    const err = await client.evalRo("return redis.call('SET', KEYS[1], 'x')", { keys: ['k'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyError);
    expect(await client.get('k')).toBe('v');
  });

  it('script errors carry their code: a Lua error_reply code, and ERR for a runtime error', async () => {
    const custom = await client.eval("return redis.error_reply('MYCODE something broke')").catch((e: unknown) => e);
    expect(custom).toBeInstanceOf(ReplyError);
    expect((custom as ReplyError).code).toBe('MYCODE');
    expect((custom as ReplyError).message).toMatch(/something broke/);
    const runtime = await client.eval('return nosuchfunction()').catch((e: unknown) => e);
    expect(runtime).toBeInstanceOf(ReplyError);
    expect((runtime as ReplyError).code).toBe('ERR');
  });

  it('scriptLoad returns the SHA1; evalSha runs it; scriptExists reports 1/0', async () => {
    const script = "return redis.call('GET', KEYS[1]) .. ':' .. ARGV[1]";
    const sha = await client.scriptLoad(script);
    expect(sha).toBe(sha1(script));
    await client.set('k', 'stored');
    expect(await client.evalSha(sha, { keys: ['k'], arguments: ['arg'] })).toBe('stored:arg');
    expect(await client.scriptExists(sha, sha1('never loaded'))).toEqual([1, 0]);
    // EVAL caches the script too.
    await client.eval('return 42');
    expect(await client.scriptExists(sha1('return 42'))).toEqual([1]);
  });

  it('evalSha of an unknown script fails with NOSCRIPT; scriptFlush forgets loaded scripts', async () => {
    const unknown = await client.evalSha(sha1('return 0')).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ReplyError);
    expect((unknown as ReplyError).code).toBe('NOSCRIPT');
    const sha = await client.scriptLoad('return 7');
    expect(await client.evalSha(sha)).toBe(7);
    expect(await client.scriptFlush()).toBe('OK');
    expect(await client.scriptExists(sha)).toEqual([0]);
    const flushed = await client.evalSha(sha).catch((e: unknown) => e);
    expect((flushed as ReplyError).code).toBe('NOSCRIPT');
  });

  it('functionLoad returns the library name; fCall calls the function', async () => {
    expect(await client.functionLoad(LIBRARY)).toBe('mylib');
    expect(await client.fCall('myfn', { arguments: ['hello'] })).toBe('hello');
    expect(await client.fCall('myfn', { keys: ['ignored'], arguments: [12] })).toBe('12');
  });

  it('functionLoad of an existing library fails without REPLACE and replaces with it', async () => {
    await client.functionLoad(LIBRARY);
    const again = await client.functionLoad(LIBRARY).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ReplyError);
    expect((again as Error).message).toMatch(/already exists/);
    expect(await client.functionLoad(LIBRARY_V2, { REPLACE: true })).toBe('mylib');
    expect(await client.fCall('myfn', { arguments: ['x'] })).toBe('v2:x');
    expect(await client.fCall('setter', { keys: ['fk'], arguments: ['fv'] })).toBe('OK');
    expect(await client.fCallRo('getter', { keys: ['fk'] })).toBe('fv');
    const readOnly = await client.fCallRo('setter', { keys: ['fk'], arguments: ['no'] }).catch((e: unknown) => e);
    expect(readOnly).toBeInstanceOf(ReplyError);
  });

  it('functionDelete removes the library; fCall of a missing function fails', async () => {
    await client.functionLoad(LIBRARY);
    expect(await client.functionDelete('mylib')).toBe('OK');
    const missing = await client.fCall('myfn', { arguments: ['x'] }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ReplyError);
    expect((missing as Error).message).toMatch(/Function not found/i);
    const deleted = await client.functionDelete('mylib').catch((e: unknown) => e);
    expect(deleted).toBeInstanceOf(ReplyError);
  });

  it('scripts run inside a transaction', async () => {
    const sha = await client.scriptLoad('return ARGV[1] .. ARGV[1]');
    const tx = await client.multi().evalSha(sha, { arguments: ['ab'] }).eval('return 5').exec();
    expect(tx).toEqual(['abab', 5]);
  });
});
