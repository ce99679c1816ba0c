import { describe, expect, it } from 'vitest';
import { windowBackstop } from '../../../src/maintnotifications/handlers.js';
import { ConfigError } from '../../../src/errors.js';
import {
  autoHandoffQueueSize,
  autoMaxWorkers,
  ENDPOINT_TYPES,
  EndpointType,
  MAINT_MODES,
  MaintMode,
  MAX_TIMER_MS,
  resolveMaintNotifications,
  type MaintNotificationsConfig,
} from '../../../src/maintnotifications/config.js';

const context = { poolSize: 100, maxActiveConns: 0, protocol: 3 } as const;

function resolve(input: unknown, overrides: Partial<{ poolSize: number; maxActiveConns: number; protocol: 2 | 3 }> = {}): MaintNotificationsConfig {
  return resolveMaintNotifications(input, { ...context, ...overrides });
}

function configError(input: unknown, overrides: Partial<{ poolSize: number; maxActiveConns: number; protocol: 2 | 3 }> = {}): ConfigError {
  try {
    resolve(input, overrides);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('constants', () => {
  it('name every mode and endpoint type', () => {
    expect(Object.values(MaintMode).sort()).toEqual([...MAINT_MODES].sort());
    expect(Object.values(EndpointType).sort()).toEqual([...ENDPOINT_TYPES].sort());
    expect(EndpointType.INTERNAL_FQDN).toBe('internal-fqdn');
  });
});

describe('resolveMaintNotifications', () => {
  it('defaults everything when the option is absent', () => {
    expect(resolve(undefined)).toEqual({
      mode: 'auto',
      endpointType: 'auto',
      relaxedTimeout: 10_000,
      handoffTimeout: 15_000,
      maxHandoffRetries: 3,
      maxWorkers: 33,
      handoffQueueSize: 500,
      postHandoffRelaxedDuration: 20_000,
      circuitBreakerFailureThreshold: 5,
      circuitBreakerResetTimeout: 60_000,
      circuitBreakerMaxRequests: 3,
      allowedEndpoints: undefined,
    });
    expect(resolve({})).toEqual(resolve(undefined));
  });

  it('keeps given values', () => {
    const given = {
      mode: 'enabled',
      endpointType: 'external-fqdn',
      relaxedTimeout: 3000,
      handoffTimeout: 1,
      maxHandoffRetries: 10,
      maxWorkers: 2,
      handoffQueueSize: 7,
      postHandoffRelaxedDuration: 500,
      circuitBreakerFailureThreshold: 1,
      circuitBreakerResetTimeout: 0,
      circuitBreakerMaxRequests: 1,
    } as const;
    expect(resolve(given)).toEqual({ ...given, allowedEndpoints: undefined });
  });

  it('keeps an explicit maxWorkers and handoffQueueSize as given, unlike go-redis', () => {
    expect(resolve({ maxWorkers: 5, handoffQueueSize: 10 })).toMatchObject({ maxWorkers: 5, handoffQueueSize: 10 });
    expect(resolve({ handoffQueueSize: 1000 }, { poolSize: 20 }).handoffQueueSize).toBe(1000);
  });

  it('sizes the queue from an explicit maxWorkers', () => {
    expect(resolve({ maxWorkers: 2 }).handoffQueueSize).toBe(100);
  });

  it('uses maxActiveConns to cap the queue', () => {
    expect(resolve(undefined, { maxActiveConns: 150 })).toMatchObject({ maxWorkers: 33, handoffQueueSize: 151 });
  });

  it('postHandoffRelaxedDuration 0 means 2 × relaxedTimeout', () => {
    expect(resolve({ relaxedTimeout: 4000 }).postHandoffRelaxedDuration).toBe(8000);
    expect(resolve({ relaxedTimeout: 4000, postHandoffRelaxedDuration: 0 }).postHandoffRelaxedDuration).toBe(8000);
    expect(resolve({ relaxedTimeout: 2_000_000_000 }).postHandoffRelaxedDuration).toBe(2_147_483_647);
  });

  it('mode "enabled" needs protocol 3', () => {
    const error = configError({ mode: 'enabled' }, { protocol: 2 });
    expect(error.field).toBe('maintNotifications.mode');
    expect(error.message).toMatch(/RESP3 push frames, so mode "enabled" needs protocol 3, but protocol is 2/);
    expect(resolve({ mode: 'auto' }, { protocol: 2 }).mode).toBe('auto');
    expect(resolve({ mode: 'disabled' }, { protocol: 2 }).mode).toBe('disabled');
  });

  const bad: Array<[string, unknown, string, RegExp]> = [
    ['not an object', 'enabled', 'maintNotifications', /expected an object, got "enabled"/],
    ['null', null, 'maintNotifications', /got null/],
    ['an array', [], 'maintNotifications', /got an array/],
    ['a near-miss key', { relaxedTimout: 1 }, 'maintNotifications.relaxedTimout', /unknown option \(did you mean "relaxedTimeout"\?\)/],
    ['a key in the wrong case', { MODE: 'auto' }, 'maintNotifications.MODE', /did you mean "mode"/],
    ['an unrelated key', { colour: 'red' }, 'maintNotifications.colour', /^invalid option "maintNotifications.colour": unknown option$/],
    ['mode unknown', { mode: 'on' }, 'maintNotifications.mode', /expected "disabled", "enabled" or "auto", got "on"/],
    ['mode a boolean', { mode: true }, 'maintNotifications.mode', /got true/],
    ['endpointType unknown', { endpointType: 'internal' }, 'maintNotifications.endpointType', /"external-fqdn" or "none", got "internal"/],
    ['relaxedTimeout 0', { relaxedTimeout: 0 }, 'maintNotifications.relaxedTimeout', /expected milliseconds from 1 to 2147483647, got 0/],
    ['relaxedTimeout a string', { relaxedTimeout: '10s' }, 'maintNotifications.relaxedTimeout', /got "10s"/],
    ['relaxedTimeout infinite', { relaxedTimeout: Infinity }, 'maintNotifications.relaxedTimeout', /got Infinity/],
    ['handoffTimeout negative', { handoffTimeout: -1 }, 'maintNotifications.handoffTimeout', /got -1/],
    ['handoffTimeout too long for a timer', { handoffTimeout: 2 ** 31 }, 'maintNotifications.handoffTimeout', /got 2147483648/],
    ['maxHandoffRetries 20', { maxHandoffRetries: 20 }, 'maintNotifications.maxHandoffRetries', /expected an integer from 1 to 10, got 20/],
    ['maxHandoffRetries 0', { maxHandoffRetries: 0 }, 'maintNotifications.maxHandoffRetries', /got 0/],
    ['maxHandoffRetries fractional', { maxHandoffRetries: 2.5 }, 'maintNotifications.maxHandoffRetries', /got 2.5/],
    ['maxWorkers negative', { maxWorkers: -1 }, 'maintNotifications.maxWorkers', /expected an integer from 0 to 10000, got -1/],
    ['handoffQueueSize negative', { handoffQueueSize: -1 }, 'maintNotifications.handoffQueueSize', /from 0 to 1000000, got -1/],
    ['handoffQueueSize NaN', { handoffQueueSize: NaN }, 'maintNotifications.handoffQueueSize', /got NaN/],
    ['postHandoffRelaxedDuration negative', { postHandoffRelaxedDuration: -1000 }, 'maintNotifications.postHandoffRelaxedDuration', /from 0 to 2147483647, got -1000/],
    ['circuitBreakerFailureThreshold 0', { circuitBreakerFailureThreshold: 0 }, 'maintNotifications.circuitBreakerFailureThreshold', /from 1 to/],
    ['circuitBreakerResetTimeout negative', { circuitBreakerResetTimeout: -5 }, 'maintNotifications.circuitBreakerResetTimeout', /got -5/],
    ['circuitBreakerMaxRequests 0', { circuitBreakerMaxRequests: 0 }, 'maintNotifications.circuitBreakerMaxRequests', /from 1 to 10000, got 0/],
    ['circuitBreakerMaxRequests an object', { circuitBreakerMaxRequests: {} }, 'maintNotifications.circuitBreakerMaxRequests', /got an object/],
    ['allowedEndpoints a string', { allowedEndpoints: '*.example.com' }, 'maintNotifications.allowedEndpoints', /expected an array of patterns or a function, got "\*.example.com"/],
    ['allowedEndpoints with a number', { allowedEndpoints: ['a.com', 5] }, 'maintNotifications.allowedEndpoints[1]', /got 5/],
    ['allowedEndpoints with an empty string', { allowedEndpoints: [''] }, 'maintNotifications.allowedEndpoints[0]', /got ""/],
    ['allowedEndpoints CIDR prefix too long', { allowedEndpoints: ['10.0.0.0/33'] }, 'maintNotifications.allowedEndpoints[0]', /prefix length 0 to 32\), got "10.0.0.0\/33"/],
    ['allowedEndpoints v6 CIDR prefix too long', { allowedEndpoints: ['fd00::/129'] }, 'maintNotifications.allowedEndpoints[0]', /0 to 128/],
    ['allowedEndpoints CIDR without prefix', { allowedEndpoints: ['a.com', '10.0.0.0/'] }, 'maintNotifications.allowedEndpoints[1]', /CIDR/],
    ['allowedEndpoints CIDR of a name', { allowedEndpoints: ['example.com/8'] }, 'maintNotifications.allowedEndpoints[0]', /CIDR/],
    ['allowedEndpoints CIDR with a port', { allowedEndpoints: ['10.0.0.0/8:6379'] }, 'maintNotifications.allowedEndpoints[0]', /CIDR/],
    ['allowedEndpoints with a space', { allowedEndpoints: ['bad host'] }, 'maintNotifications.allowedEndpoints[0]', /hostname, \*\.domain, IP address or CIDR/],
    ['allowedEndpoints a bare star', { allowedEndpoints: ['*'] }, 'maintNotifications.allowedEndpoints[0]', /got "\*"/],
    ['allowedEndpoints a star inside', { allowedEndpoints: ['a.*.com'] }, 'maintNotifications.allowedEndpoints[0]', /got "a.\*.com"/],
    ['allowedEndpoints a wildcard IP', { allowedEndpoints: ['*.10.0.0.1'] }, 'maintNotifications.allowedEndpoints[0]', /got/],
    ['allowedEndpoints port 0', { allowedEndpoints: ['a.com:0'] }, 'maintNotifications.allowedEndpoints[0]', /got "a.com:0"/],
  ];

  it.each(bad)('rejects %s', (_name, input, field, message) => {
    const error = configError(input);
    expect(error.code).toBe('ERR_CONFIG');
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });
});

describe('allowedEndpoints', () => {
  function allowed(patterns: unknown): (host: string, port?: number) => boolean {
    const predicate = resolve({ allowedEndpoints: patterns }).allowedEndpoints;
    if (predicate === undefined) throw new Error('no predicate');
    return (host, port = 6379) => predicate({ host, port });
  }

  it('exact hostnames, case-insensitively', () => {
    const ok = allowed(['redis.example.com']);
    expect(ok('redis.example.com')).toBe(true);
    expect(ok('REDIS.Example.COM')).toBe(true);
    expect(ok('other.example.com')).toBe(false);
    expect(ok('xredis.example.com')).toBe(false);
  });

  it('wildcards match one or more labels, never the bare domain', () => {
    const ok = allowed(['*.example.com']);
    expect(ok('a.example.com')).toBe(true);
    expect(ok('a.b.example.com')).toBe(true);
    expect(ok('example.com')).toBe(false);
    expect(ok('badexample.com')).toBe(false);
    expect(ok('a.example.com.evil.net')).toBe(false);
  });

  it('IP literals compare as addresses', () => {
    const ok = allowed(['10.0.0.5', '::1', 'fd00::1:6379']);
    expect(ok('10.0.0.5')).toBe(true);
    expect(ok('10.0.0.6')).toBe(false);
    expect(ok('0:0:0:0:0:0:0:1')).toBe(true);
    // A bare IPv6 pattern is an address, not address:port.
    expect(ok('fd00::1:6379', 1)).toBe(true);
    expect(ok('fd00::1')).toBe(false);
    expect(ok('10.0.0.5.example.com')).toBe(false);
  });

  it('CIDRs, IPv4 and IPv6', () => {
    const ok = allowed(['10.0.0.0/8', 'fd00::/8']);
    expect(ok('10.255.1.2')).toBe(true);
    expect(ok('11.0.0.1')).toBe(false);
    expect(ok('fd12::1')).toBe(true);
    expect(ok('fe80::1')).toBe(false);
    expect(ok('::ffff:10.1.1.1')).toBe(true);
    expect(ok('ten.example.com')).toBe(false);
  });

  it('a :port suffix restricts the port', () => {
    const ok = allowed(['redis.example.com:6380', '*.cache.net:7000', '10.0.0.1:6379', '[fd00::2]:6381']);
    expect(ok('redis.example.com', 6380)).toBe(true);
    expect(ok('redis.example.com', 6379)).toBe(false);
    expect(ok('a.cache.net', 7000)).toBe(true);
    expect(ok('a.cache.net', 7001)).toBe(false);
    expect(ok('10.0.0.1', 6379)).toBe(true);
    expect(ok('10.0.0.1', 6380)).toBe(false);
    expect(ok('fd00::2', 6381)).toBe(true);
    expect(ok('fd00::2', 6379)).toBe(false);
  });

  it('any pattern may match; an empty list allows nothing', () => {
    const ok = allowed(['a.com', '10.0.0.0/8']);
    expect(ok('a.com')).toBe(true);
    expect(ok('10.1.1.1')).toBe(true);
    expect(ok('b.com')).toBe(false);
    expect(allowed([])('a.com')).toBe(false);
  });

  it('a predicate is used as given; only a literal true allows', () => {
    const seen: unknown[] = [];
    const ok = allowed((endpoint: unknown) => (seen.push(endpoint), endpoint !== null && (endpoint as { port: number }).port === 1 ? true : 'yes'));
    expect(ok('h', 1)).toBe(true);
    expect(ok('h', 2)).toBe(false);
    expect(seen).toEqual([{ host: 'h', port: 1 }, { host: 'h', port: 2 }]);
  });
});

describe('auto sizing', () => {
  it.each([
    [6, 3], [10, 5], [15, 7], [30, 10], [50, 16], [60, 20], [100, 33], [120, 40], [1, 1], [2, 1], [1000, 333],
  ])('pool %i → %i workers', (poolSize, workers) => {
    expect(autoMaxWorkers(poolSize)).toBe(workers);
  });

  it.each([
    [100, 33, 0, 500],
    [100, 33, 150, 151],
    [50, 16, 0, 250],
    [10, 5, 0, 50],
    [1, 1, 0, 5],
    [1, 1, 1, 2],
    [100, 1, 0, 100],
    [100, 33, 1000, 660],
  ])('pool %i, %i workers, maxActiveConns %i → queue %i', (poolSize, workers, maxActiveConns, queue) => {
    expect(autoHandoffQueueSize(poolSize, workers, maxActiveConns)).toBe(queue);
  });

  it.each([
    [100, 0, 33, 500],
    [100, 150, 33, 151],
    [50, 0, 16, 250],
    [10, 0, 5, 50],
    [6, 0, 3, 30],
  ])('resolve at pool %i, maxActiveConns %i: %i workers, queue %i', (poolSize, maxActiveConns, maxWorkers, handoffQueueSize) => {
    expect(resolve(undefined, { poolSize, maxActiveConns })).toMatchObject({ maxWorkers, handoffQueueSize });
  });
});

describe('windowBackstop', () => {
  it('is the announced time plus twice the relaxed timeout, and never beyond what a timer can wait', () => {
    expect(windowBackstop(resolve({ relaxedTimeout: 500 }), 30)).toBe(31_000);
    expect(windowBackstop(resolve({ relaxedTimeout: 500 }), undefined)).toBe(1_000);
    expect(windowBackstop(resolve({ relaxedTimeout: 500 }), -5)).toBe(1_000);
    expect(windowBackstop(resolve({ relaxedTimeout: 2_000_000_000 }), 86_400)).toBe(MAX_TIMER_MS);
  });
});
