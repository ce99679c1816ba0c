import { describe, expect, it } from 'vitest';
import { ReplyError } from '../../../src/protocol/errors.js';
import type { RespValue } from '../../../src/protocol/types.js';
import { NotificationError } from '../../../src/maintnotifications/errors.js';
import {
  NOTIFICATION_TYPES,
  notificationType,
  parseEndpoint,
  parseNotification,
  splitHostPort,
  validSlotRanges,
} from '../../../src/maintnotifications/notification.js';

const b = (text: string) => Buffer.from(text);

/** Every string of a frame turned into a Buffer, as with `returnBuffers: true`. */
function asBuffers(frame: RespValue[]): RespValue[] {
  return frame.map((v) => (typeof v === 'string' ? b(v) : Array.isArray(v) ? asBuffers(v) : v));
}

function rejection(frame: RespValue[]): NotificationError {
  try {
    parseNotification(frame);
  } catch (error) {
    expect(error).toBeInstanceOf(NotificationError);
    return error as NotificationError;
  }
  throw new Error(`accepted ${JSON.stringify(frame)}`);
}

describe('notificationType', () => {
  it.each(NOTIFICATION_TYPES)('recognises %s as a string and as a Buffer', (type) => {
    expect(notificationType([type, 1])).toBe(type);
    expect(notificationType([b(type), 1])).toBe(type);
  });

  it.each([
    ['pub/sub message', ['message', 'ch', 'payload']],
    ['pub/sub pmessage', [b('pmessage'), b('p*'), b('ch'), b('x')]],
    ['lower case', ['moving', 1, 2]],
    ['a prefix', ['MOVIN', 1]],
    ['a longer name', ['MIGRATINGS', 1]],
    ['same length, other letters', ['MOVINX', 1]],
    ['same length Buffer, other bytes', [b('MOVINX'), 1]],
    ['too long', ['FAILING_OVER_', 1]],
    ['an empty frame', []],
    ['a number', [42]],
    ['null', [null]],
    ['an array', [['MOVING']]],
  ] as Array<[string, RespValue[]]>)('is undefined for %s', (_name, frame) => {
    expect(notificationType(frame)).toBeUndefined();
  });
});

describe('parseNotification', () => {
  describe('good shapes, as strings and as Buffers', () => {
    const cases: Array<[string, RespValue[], unknown]> = [
      ['MOVING with an endpoint', ['MOVING', 7, 15, 'redis-1.example.com:6380'], { type: 'MOVING', seq: 7, timeS: 15, endpoint: { host: 'redis-1.example.com', port: 6380 } }],
      ['MOVING with a null endpoint', ['MOVING', 7, 15, null], { type: 'MOVING', seq: 7, timeS: 15, endpoint: null }],
      ['MOVING without an endpoint', ['MOVING', 7, 15], { type: 'MOVING', seq: 7, timeS: 15, endpoint: null }],
      ['MOVING to [v6]:port', ['MOVING', 1, 5, '[fd00::5]:6379'], { type: 'MOVING', seq: 1, timeS: 5, endpoint: { host: 'fd00::5', port: 6379 } }],
      ['MOVING to a bare v6 with port', ['MOVING', 1, 5, '2001:db8::1:6379'], { type: 'MOVING', seq: 1, timeS: 5, endpoint: { host: '2001:db8::1', port: 6379 } }],
      ['MOVING with extra elements', ['MOVING', 1, 0, '10.0.0.2:7000', 'future'], { type: 'MOVING', seq: 1, timeS: 0, endpoint: { host: '10.0.0.2', port: 7000 } }],
      ['MOVING with a negative time', ['MOVING', 1, -3, null], { type: 'MOVING', seq: 1, timeS: -3, endpoint: null }],
      ['MIGRATING, real shape', ['MIGRATING', 10, 30, '["2", "4"]'], { type: 'MIGRATING', seq: 10, timeS: 30, shards: '["2", "4"]' }],
      ['MIGRATING, go-redis fixture', ['MIGRATING', 10, '1000'], { type: 'MIGRATING', seq: 10, timeS: undefined, shards: undefined }],
      ['MIGRATING, seq only', ['MIGRATING', 10], { type: 'MIGRATING', seq: 10, timeS: undefined, shards: undefined }],
      ['MIGRATING, zero and negative time kept', ['MIGRATING', 10, -2], { type: 'MIGRATING', seq: 10, timeS: -2, shards: undefined }],
      ['MIGRATING, an absurd time left out', ['MIGRATING', 10, 10 ** 12, '["1"]'], { type: 'MIGRATING', seq: 10, timeS: undefined, shards: '["1"]' }],
      ['MOVING, a day is the longest time', ['MOVING', 7, 86_400, null], { type: 'MOVING', seq: 7, timeS: 86_400, endpoint: null }],
      ['FAILING_OVER', ['FAILING_OVER', 3, 0, '["1"]', 'more'], { type: 'FAILING_OVER', seq: 3, timeS: 0, shards: '["1"]' }],
      ['MIGRATED', ['MIGRATED', 11, '["2"]'], { type: 'MIGRATED', seq: 11, shards: '["2"]' }],
      ['MIGRATED, seq only', ['MIGRATED', 11], { type: 'MIGRATED', seq: 11, shards: undefined }],
      ['FAILED_OVER with a non-string shard list', ['FAILED_OVER', 4, 99], { type: 'FAILED_OVER', seq: 4, shards: undefined }],
      ['SMIGRATING', ['SMIGRATING', 16, '1000-2000', '3000', '1,5-9'], { type: 'SMIGRATING', seq: 16, slots: ['1000-2000', '3000', '1,5-9'] }],
      [
        'SMIGRATED, triplets',
        ['SMIGRATED', 17, [['10.0.0.1:6379', '10.0.0.2:6379', '123,789-1000'], ['[fd00::1]:7000', 'node-3:7001', '0']]],
        {
          type: 'SMIGRATED',
          seq: 17,
          moves: [
            { source: { host: '10.0.0.1', port: 6379 }, destination: { host: '10.0.0.2', port: 6379 }, slots: '123,789-1000' },
            { source: { host: 'fd00::1', port: 7000 }, destination: { host: 'node-3', port: 7001 }, slots: '0' },
          ],
        },
      ],
      [
        'SMIGRATED, pairs and triplets mixed',
        ['SMIGRATED', 17, [['node-2:6379', '0-5000'], ['a:1', 'b:2', '16383']]],
        {
          type: 'SMIGRATED',
          seq: 17,
          moves: [
            { source: undefined, destination: { host: 'node-2', port: 6379 }, slots: '0-5000' },
            { source: { host: 'a', port: 1 }, destination: { host: 'b', port: 2 }, slots: '16383' },
          ],
        },
      ],
    ];

    it.each(cases)('%s', (_name, frame, expected) => {
      expect(parseNotification(frame)).toEqual(expected);
      expect(parseNotification(asBuffers(frame))).toEqual(expected);
    });
  });

  describe('bad shapes name the field', () => {
    const cases: Array<[string, RespValue[], string, RegExp]> = [
      ['not a notification', ['message', 'ch', 'x'], 'type', /type "message" is not one of MOVING/],
      ['an empty frame', [], 'type', /type nothing is not one of/],
      ['seq missing', ['MIGRATED'], 'seq', /^MIGRATED: seq is missing$/],
      ['seq a string', ['MOVING', '7', 1, null], 'seq', /^MOVING: seq must be an integer >= 0, got "7"$/],
      ['seq negative', ['FAILING_OVER', -1], 'seq', /got -1/],
      ['seq fractional', ['MIGRATING', 1.5], 'seq', /got 1.5/],
      ['seq beyond safe integers', ['FAILED_OVER', 2 ** 60], 'seq', /must be an integer >= 0/],
      ['seq a big number', ['SMIGRATING', 10n, '1'], 'seq', /got 10n/],
      ['seq null', ['MIGRATING', null], 'seq', /got null/],
      ['MOVING time_s missing', ['MOVING', 1], 'time_s', /^MOVING: time_s is missing$/],
      ['MOVING time_s a string', ['MOVING', 1, '15', 'h:1'], 'time_s', /time_s must be an integer, got "15"/],
      ['MOVING time_s a double', ['MOVING', 1, 1.5, 'h:1'], 'time_s', /got 1.5/],
      ['MOVING time_s absurd', ['MOVING', 1, 86_401, null], 'time_s', /^MOVING: time_s must be at most 86400 seconds, got 86401$/],
      ['MOVING time_s beyond safe integers', ['MOVING', 1, 2 ** 60, 'h:1'], 'time_s', /must be an integer/],
      ['MOVING endpoint without port', ['MOVING', 1, 15, 'nohost'], 'endpoint', /^MOVING: endpoint "nohost" is not host:port$/],
      ['MOVING endpoint port 0', ['MOVING', 1, 15, 'h:0'], 'endpoint', /"h:0" is not host:port/],
      ['MOVING endpoint port too high', ['MOVING', 1, 15, 'h:65536'], 'endpoint', /"h:65536"/],
      ['MOVING endpoint empty host', ['MOVING', 1, 15, ':6379'], 'endpoint', /":6379"/],
      ['MOVING endpoint with a space', ['MOVING', 1, 15, 'bad host:6379'], 'endpoint', /"bad host:6379"/],
      ['MOVING endpoint empty', ['MOVING', 1, 15, ''], 'endpoint', /"" is not host:port/],
      ['MOVING endpoint a number', ['MOVING', 1, 15, 6379], 'endpoint', /endpoint must be a string, got 6379/],
      ['MOVING endpoint an array', ['MOVING', 1, 15, ['h:1']], 'endpoint', /got an array/],
      ['MOVING endpoint an error reply', ['MOVING', 1, 15, new ReplyError('ERR x')], 'endpoint', /got an error/],
      ['MOVING endpoint a map', ['MOVING', 1, 15, { host: 'h' }], 'endpoint', /got an object/],
      ['MOVING endpoint a bare v6 without port', ['MOVING', 1, 15, 'fd00::1'], 'endpoint', /"fd00::1" is not host:port/],
      ['SMIGRATING without slots', ['SMIGRATING', 1], 'slots', /^SMIGRATING: slots is missing$/],
      ['SMIGRATING slot out of range', ['SMIGRATING', 1, '0-16384'], 'slots[0]', /slots\[0\] "0-16384" is not a list of slots/],
      ['SMIGRATING second range reversed', ['SMIGRATING', 1, '5', '9-1'], 'slots[1]', /"9-1"/],
      ['SMIGRATING slot a number', ['SMIGRATING', 1, 5], 'slots[0]', /must be a string, got 5/],
      ['SMIGRATED moves missing', ['SMIGRATED', 1], 'moves', /^SMIGRATED: moves is missing$/],
      ['SMIGRATED moves a string', ['SMIGRATED', 1, 'a:1 b:2 1'], 'moves', /moves must be an array, got "a:1 b:2 1"/],
      ['SMIGRATED moves empty', ['SMIGRATED', 1, []], 'moves', /^SMIGRATED: moves is empty$/],
      ['SMIGRATED entry not an array', ['SMIGRATED', 1, [['a:1', 'b:1', '1'], 'c:1']], 'moves[1]', /moves\[1\] must be \[source, destination, slots\]/],
      ['SMIGRATED entry of one element', ['SMIGRATED', 1, [['a:1']]], 'moves[0]', /got an array/],
      ['SMIGRATED entry of four elements', ['SMIGRATED', 1, [['a:1', 'b:1', '1', 'x']]], 'moves[0]', /must be/],
      ['SMIGRATED bad source', ['SMIGRATED', 1, [['a', 'b:1', '1']]], 'moves[0]', /moves\[0\] source "a" is not host:port/],
      ['SMIGRATED bad destination', ['SMIGRATED', 1, [['a:1', 'b:99999', '1']]], 'moves[0]', /destination "b:99999"/],
      ['SMIGRATED bad pair destination', ['SMIGRATED', 1, [['b', '1']]], 'moves[0]', /destination "b"/],
      ['SMIGRATED bad slots', ['SMIGRATED', 1, [['a:1', 'b:1', '1,,2']]], 'moves[0]', /slots "1,,2"/],
      ['SMIGRATED slots not a string', ['SMIGRATED', 1, [['b:1', null]]], 'moves[0]', /slots must be a string, got null/],
    ];

    it.each(cases)('%s', (_name, frame, field, message) => {
      const error = rejection(frame);
      expect(error.code).toBe('ERR_INVALID_NOTIFICATION');
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    });

    it('names the type, also for Buffer frames', () => {
      expect(rejection([b('MOVING'), 1, 1, b('x')]).notificationType).toBe('MOVING');
      expect(rejection(['pmessage']).notificationType).toBe('pmessage');
      expect(rejection([5]).notificationType).toBe('');
    });

    it('cuts long server text short in the message', () => {
      const error = rejection(['MOVING', 1, 1, 'x'.repeat(10_000)]);
      expect(error.message.length).toBeLessThan(200);
    });

    it('escapes control characters in the message', () => {
      expect(rejection(['MOVING', 1, 1, 'h\n:1']).message).toContain('"h\\n:1"');
    });
  });
});

describe('parseEndpoint', () => {
  it.each([
    ['redis.example.com:6379', 'redis.example.com', 6379],
    ['10.0.0.1:1', '10.0.0.1', 1],
    ['localhost:65535', 'localhost', 65535],
    ['[::1]:6379', '::1', 6379],
    ['[fe80::1%eth0]:7000', 'fe80::1%eth0', 7000],
    ['2001:db8::1:6379', '2001:db8::1', 6379],
    ['::ffff:10.0.0.1:6379', '::ffff:10.0.0.1', 6379],
    ['under_score-1.internal:6380', 'under_score-1.internal', 6380],
  ])('%s', (text, host, port) => {
    expect(parseEndpoint(text)).toEqual({ host, port });
  });

  it.each([
    'nohost', 'host:', ':6379', 'host:0', 'host:65536', 'host:06379', 'host:63 79', 'host:-1', 'host:1.5', 'bad host:1', 'a..b:1',
    '-a:1', 'a-:1', '999.1.1.1:6379', '1.2.3:6379', '[::1]', '[::1]6379', '[::1]:', '[nope]:1', '[10.0.0.1]:1', 'fd00::1', '::1',
    '2001:db8:0:0:0:0:0:1', 'a:b:c', `${'a'.repeat(64)}.com:1`, '',
  ])('rejects %j', (text) => {
    expect(parseEndpoint(text)).toBeUndefined();
  });

  it('splitHostPort also accepts a host without port', () => {
    expect(splitHostPort('example.com')).toEqual({ host: 'example.com', port: undefined });
    expect(splitHostPort('[fd00::1]')).toEqual({ host: 'fd00::1', port: undefined });
    expect(splitHostPort('fd00::1')).toEqual({ host: 'fd00::1', port: undefined });
    expect(splitHostPort('bad host')).toBeUndefined();
  });
});

describe('validSlotRanges', () => {
  it.each(['0', '16383', '123', '1000-2000', '1,5-9', '123,789-1000', '7-7'])('accepts %s', (text) => {
    expect(validSlotRanges(text)).toBe(true);
  });

  it.each(['', ',', '1,', ',1', '16384', '0-16384', '9-1', '-1', '1-', 'a', '1 - 2', ' 1', '1-2-3', '123456'])('rejects %j', (text) => {
    expect(validSlotRanges(text)).toBe(false);
  });
});
