import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../../src/client/options.js';
import { ConfigError, createClient, VERSION } from '../../../src/index.js';

describe('options', () => {
  it('defaults', () => {
    const o = resolveOptions(undefined);
    expect(o).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0, protocol: 3, connectTimeout: 5000, commandTimeout: 5000, poolSize: 10, minIdleConns: 0, maxActiveConns: 0, poolTimeout: 6000, offlineQueueLimit: 100_000 });
    expect(o.handshake.map((s) => s.name)).toEqual(['HELLO', 'SELECT', 'CLIENT SETINFO']);
  });

  it('limits: 512 MiB bulk strings (proto-max-bulk-len), 2^27-element aggregates, 1M pending commands per connection by default', () => {
    expect(resolveOptions(undefined)).toMatchObject({ maxBulkLength: 512 * 1024 * 1024, maxAggregateLength: 2 ** 27 });
    expect(resolveOptions(undefined).maxPendingCommands).toBe(1_000_000);
    expect(resolveOptions({ maxBulkLength: 1024, maxAggregateLength: 10 })).toMatchObject({ maxBulkLength: 1024, maxAggregateLength: 10 });
  });

  it('parses URLs; explicit fields win', () => {
    expect(resolveOptions('rediss://al%40ice:p%3Ass@example.com:7000/4')).toMatchObject({
      host: 'example.com', port: 7000, username: 'al@ice', password: 'p:ss', db: 4, tls: {},
    });
    expect(resolveOptions({ url: 'redis://h:1/2', port: 3, db: 0 })).toMatchObject({ host: 'h', port: 3, db: 0, tls: undefined });
    expect(resolveOptions('redis://[::1]:6380')).toMatchObject({ host: '::1', port: 6380 });
  });

  const bad: Array<[string, unknown, string, RegExp]> = [
    ['port out of range', { port: 70000 }, 'port', /65535, got 70000/],
    ['port not a number', { port: '6379' }, 'port', /got "6379"/],
    ['negative timeout', { commandTimeout: -1 }, 'commandTimeout', /got -1/],
    ['db not an integer', { db: 1.5 }, 'db', /got 1.5/],
    ['protocol 4', { protocol: 4 }, 'protocol', /expected 2 or 3, got 4/],
    ['unknown option with a suggestion', { comandTimeout: 5 }, 'comandTimeout', /did you mean "commandTimeout"/],
    ['node-redis socket', { socket: { host: 'h' } }, 'socket', /top-level here: host, port, tls, connectTimeout/],
    ['node-redis RESP', { RESP: 3 }, 'RESP', /use protocol: 2 or 3/],
    ['node-redis maintEndpointType', { maintEndpointType: 'none' }, 'maintEndpointType', /maintNotifications: \{ endpointType \}/],
    ['node-redis maintRelaxedCommandTimeout', { maintRelaxedCommandTimeout: 1 }, 'maintRelaxedCommandTimeout', /maintNotifications: \{ relaxedTimeout \}/],
    ['bad scheme', { url: 'http://x' }, 'url', /scheme "http:"/],
    ['not a URL', { url: 'nope' }, 'url', /not a valid URL/],
    ['db in URL not a number', { url: 'redis://h/abc' }, 'url', /database "abc"/],
    ['maxActiveConns 1', { maxActiveConns: 1 }, 'maxActiveConns', /at least 2/],
    ['minIdleConns >= maxActiveConns', { maxActiveConns: 3, minIdleConns: 3 }, 'minIdleConns', /below maxActiveConns/],
    ['reconnect not valid', { reconnect: 'yes' }, 'reconnect', /got "yes"/],
    ['reconnect maxDelay < initialDelay', { reconnect: { initialDelay: 100, maxDelay: 10 } }, 'reconnect.maxDelay', /at least initialDelay/],
    ['offline queue maxLength', { offlineQueue: { maxLength: -1 } }, 'offlineQueue.maxLength', /got -1/],
    ['hooks not an array', { hooks: {} }, 'hooks', /array of hook objects/],
    ['handshake step without run', { handshake: [{ name: 'x' }] }, 'handshake', /steps/],
    ['tls not valid', { tls: 'yes' }, 'tls', /expected true, false/],
    ['empty host', { host: '' }, 'host', /non-empty string/],
    ['maxBulkLength 0', { maxBulkLength: 0 }, 'maxBulkLength', /got 0/],
    ['maxBulkLength not an integer', { maxBulkLength: 1.5 }, 'maxBulkLength', /got 1.5/],
    ['maxPendingCommands 0', { maxPendingCommands: 0 }, 'maxPendingCommands', /from 1 to 4294967295, got 0/],
    ['maxAggregateLength above 2^32-1', { maxAggregateLength: 2 ** 32 }, 'maxAggregateLength', /to 4294967295, got 4294967296/],
  ];
  for (const [name, input, field, message] of bad) {
    it(`rejects ${name}, naming the field`, () => {
      let error: unknown;
      try {
        createClient(input as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).field).toBe(field);
      expect((error as ConfigError).code).toBe('ERR_CONFIG');
      expect((error as Error).message).toMatch(message);
    });
  }

  it('VERSION matches package.json', () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version);
  });
});
