import { randomBytes } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Client } from '../../../src/index.js';
import { waitFor } from '../../helpers/wait.js';
import { PROTOCOLS, useRedisServer } from './setup.js';

const redis = useRedisServer();

/** Bytes that are not valid UTF-8 and include CR, LF and NUL, which a text path would mangle. */
const KEY = Buffer.from([0x6b, 0x00, 0xff, 0xfe, 0x0d, 0x0a, 0x80]);
const VALUE = Buffer.from([0x00, 0x0d, 0x0a, 0x24, 0x2d, 0xc3, 0x28, 0xff, 0x00]);
const VALUE2 = Buffer.from([0xf0, 0x28, 0x8c, 0xbc, 0x0d, 0x0a]);

const asBuffers = (values: unknown[]): Buffer[] => values.map((v) => {
  expect(Buffer.isBuffer(v)).toBe(true);
  return v as Buffer;
});
const sortBuffers = (values: Buffer[]): Buffer[] => [...values].sort(Buffer.compare);

describe.each(PROTOCOLS)('binary safety (RESP%i)', (protocol) => {
  let bin: Client<Buffer>;
  let text: Client;
  beforeAll(async () => {
    bin = await redis.bufferClient(protocol);
    text = await redis.client(protocol);
  });
  beforeEach(async () => {
    await text.flushDb();
  });

  describe('a returnBuffers client', () => {
    it('strings: Buffer keys and values round-trip byte for byte', async () => {
      expect(await bin.set(KEY, VALUE)).toBe('OK');
      const got = await bin.get(KEY);
      expect(Buffer.isBuffer(got)).toBe(true);
      expect(got!.equals(VALUE)).toBe(true);
      expect(await bin.strLen(KEY)).toBe(VALUE.length);
      expect(await bin.get(Buffer.from([0xff]))).toBeNull();
      const [a, missing, b] = await bin.mGet([KEY, 'missing', KEY]);
      expect(a!.equals(VALUE) && b!.equals(VALUE)).toBe(true);
      expect(missing).toBeNull();
      expect((await bin.getRange(KEY, 1, 2)).equals(VALUE.subarray(1, 3))).toBe(true);
      // Simple-string status replies stay strings.
      expect(await bin.ping()).toBe('PONG');
      expect(await bin.type(KEY)).toBe('string');
    });

    it('a 1 MiB random value round-trips', async () => {
      const big = randomBytes(1024 * 1024);
      await bin.set('big', big);
      const got = await bin.get('big');
      expect(got!.length).toBe(big.length);
      expect(got!.equals(big)).toBe(true);
    });

    it('hashes: binary values in hGet, hGetAll (fields as text keys), hMGet, hVals', async () => {
      await bin.hSet(KEY, { field: VALUE, other: VALUE2 });
      expect((await bin.hGet(KEY, 'field'))!.equals(VALUE)).toBe(true);
      const all = await bin.hGetAll(KEY);
      expect(Object.keys(all).sort()).toEqual(['field', 'other']);
      expect(all['field']!.equals(VALUE)).toBe(true);
      expect(all['other']!.equals(VALUE2)).toBe(true);
      const [f, missing] = await bin.hMGet(KEY, ['field', 'nope']);
      expect(f!.equals(VALUE)).toBe(true);
      expect(missing).toBeNull();
      expect(sortBuffers(asBuffers(await bin.hVals(KEY)))).toEqual(sortBuffers([VALUE, VALUE2]));
      const fields = asBuffers(await bin.hKeys(KEY)).map((b) => b.toString()).sort();
      expect(fields).toEqual(['field', 'other']);
    });

    it('lists, sets, sorted sets and blocking pops return Buffers', async () => {
      await bin.rPush(KEY, VALUE, VALUE2);
      expect(asBuffers(await bin.lRange(KEY, 0, -1))).toEqual([VALUE, VALUE2]);
      const popped = await bin.blPop(KEY, 1);
      expect(Buffer.isBuffer(popped!.key) && popped!.key.equals(KEY)).toBe(true);
      expect(popped!.element.equals(VALUE)).toBe(true);

      await bin.sAdd('set', VALUE, VALUE2);
      expect(sortBuffers(asBuffers(await bin.sMembers('set')))).toEqual(sortBuffers([VALUE, VALUE2]));
      expect(await bin.sIsMember('set', VALUE)).toBe(1);

      await bin.zAdd('z', [{ score: 2, value: VALUE }, { score: 1.5, value: VALUE2 }]);
      const ranged = await bin.zRangeWithScores('z', 0, -1);
      expect(ranged.map((m) => m.score)).toEqual([1.5, 2]);
      expect(ranged[0]!.value.equals(VALUE2) && ranged[1]!.value.equals(VALUE)).toBe(true);
      expect(await bin.zScore('z', VALUE)).toBe(2);
      const min = await bin.zPopMin('z');
      expect(min!.value.equals(VALUE2)).toBe(true);
      expect(min!.score).toBe(1.5);
    });

    it('SCAN iterators yield Buffers', async () => {
      const keys = [KEY, Buffer.from([0x01, 0xff]), Buffer.from('plain')];
      for (const k of keys) await bin.set(k, VALUE);
      const scanned: Buffer[] = [];
      for await (const k of bin.scanIterator({ COUNT: 2 })) scanned.push(k);
      expect(sortBuffers(asBuffers(scanned))).toEqual(sortBuffers(keys));

      await bin.sAdd('s', VALUE, VALUE2);
      const members: Buffer[] = [];
      for await (const m of bin.sScanIterator('s')) members.push(m);
      expect(sortBuffers(asBuffers(members))).toEqual(sortBuffers([VALUE, VALUE2]));

      await bin.hSet('h', 'f', VALUE);
      const entries: Array<{ field: string; value: Buffer }> = [];
      for await (const e of bin.hScanIterator('h')) entries.push(e);
      expect(entries).toHaveLength(1);
      expect(entries[0]!.field).toBe('f');
      expect(entries[0]!.value.equals(VALUE)).toBe(true);

      await bin.zAdd('z', { score: -0.5, value: VALUE });
      const zs: Array<{ value: Buffer; score: number }> = [];
      for await (const m of bin.zScanIterator('z')) zs.push(m);
      expect(zs).toHaveLength(1);
      expect(zs[0]!.value.equals(VALUE)).toBe(true);
      expect(zs[0]!.score).toBe(-0.5);
    });

    it('pipelines, transactions and scripts return Buffers', async () => {
      const piped = await bin.pipeline().set(KEY, VALUE).get(KEY).exec();
      expect(piped[0]).toBe('OK');
      expect((piped[1] as Buffer).equals(VALUE)).toBe(true);
      const tx = await bin.multi().append(KEY, VALUE2).get(KEY).exec();
      expect(tx![0]).toBe(VALUE.length + VALUE2.length);
      expect((tx![1] as Buffer).equals(Buffer.concat([VALUE, VALUE2]))).toBe(true);
      const evaluated = await bin.eval("return redis.call('GET', KEYS[1])", { keys: [KEY] });
      expect(Buffer.isBuffer(evaluated)).toBe(true);
      expect((evaluated as Buffer).equals(Buffer.concat([VALUE, VALUE2]))).toBe(true);
    });

    it('pub/sub delivers binary messages as Buffers', async () => {
      const received: Buffer[] = [];
      await bin.subscribe('bin-channel', (message) => {
        received.push(message);
      });
      expect(await text.publish('bin-channel', VALUE)).toBe(1);
      await waitFor(() => received.length === 1, 'the binary message');
      expect(Buffer.isBuffer(received[0])).toBe(true);
      expect(received[0]!.equals(VALUE)).toBe(true);
      await bin.unsubscribe('bin-channel');
    });

    it('sendCommand(args, { returnBuffers: false }) returns text on a Buffer client', async () => {
      await bin.set('t', 'héllo');
      expect(await bin.sendCommand(['GET', 't'], { returnBuffers: false })).toBe('héllo');
      const raw = await bin.sendCommand(['GET', 't']);
      expect(Buffer.isBuffer(raw) && raw.toString()).toBe('héllo');
    });
  });

  describe('a text client', () => {
    it('accepts Buffer keys and values; sendCommand(args, { returnBuffers: true }) reads them back exactly', async () => {
      await text.set(KEY, VALUE);
      const lossy = await text.get(KEY);
      expect(typeof lossy).toBe('string');
      expect(lossy).toBe(VALUE.toString('utf8'));
      const exact = await text.sendCommand(['GET', KEY], { returnBuffers: true });
      expect(Buffer.isBuffer(exact)).toBe(true);
      expect((exact as Buffer).equals(VALUE)).toBe(true);
      const list = await text.sendCommand(['MGET', KEY, 'missing'], { returnBuffers: true });
      expect(Array.isArray(list)).toBe(true);
      expect(((list as unknown[])[0] as Buffer).equals(VALUE)).toBe(true);
      expect((list as unknown[])[1]).toBeNull();
      // The per-command option does not stick: the next command gets text again.
      expect(typeof (await text.get(KEY))).toBe('string');
    });

    it('sendCommand with returnBuffers reads binary hash values in either protocol shape', async () => {
      await text.hSet(KEY, 'f', VALUE);
      const reply = await text.sendCommand(['HGETALL', KEY], { returnBuffers: true });
      const value = Array.isArray(reply) ? reply[1] : (reply as Record<string, unknown>)['f'];
      expect(Buffer.isBuffer(value) && (value as Buffer).equals(VALUE)).toBe(true);
    });

    it('numbers and empty buffers are bulk strings too', async () => {
      await text.set(Buffer.from('num'), 12.5);
      expect(await text.get('num')).toBe('12.5');
      await text.set('empty', Buffer.alloc(0));
      expect(await text.get('empty')).toBe('');
      expect(await text.strLen('empty')).toBe(0);
    });
  });
});
