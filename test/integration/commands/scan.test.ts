import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Client } from '../../../src/index.js';
import { PROTOCOLS, useRedisServer } from './setup.js';

// Small encoding limits, so a few hundred items are stored as hash tables and the server walks
// them in several cursor steps (a listpack is returned whole in one step).
const redis = useRedisServer(['--hash-max-listpack-entries', '64', '--zset-max-listpack-entries', '64']);

async function collect<T>(iterator: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterator) out.push(item);
  return out;
}

/** Every item exactly once: no duplicates, nothing missing. */
function expectExactlyOnce(items: string[], expected: string[]): void {
  expect(items.length).toBe(expected.length);
  expect(new Set(items).size).toBe(items.length);
  expect([...items].sort()).toEqual([...expected].sort());
}

const range = <T = string>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i));

describe.each(PROTOCOLS)('SCAN iterators (RESP%i)', (protocol) => {
  let client: Client;
  beforeAll(async () => {
    client = await redis.client(protocol);
  });
  beforeEach(async () => {
    await client.flushDb();
  });

  it('scanIterator walks every key exactly once over several cursor steps', async () => {
    const keys = range(400, (i) => `key:${i}`);
    await client.mSet(keys.map((k): [string, string] => [k, 'v']));
    const steps = vi.spyOn(client, 'scan');
    expectExactlyOnce(await collect(client.scanIterator({ COUNT: 25 })), keys);
    expect(steps.mock.calls.length).toBeGreaterThan(5);
    expect(steps.mock.calls[0]![0]).toBe('0');
    steps.mockRestore();
  });

  it('scanIterator with MATCH and COUNT yields only matching keys', async () => {
    const users = range(250, (i) => `user:${i}`);
    const orders = range(150, (i) => `order:${i}`);
    await client.mSet([...users, ...orders].map((k): [string, string] => [k, 'v']));
    expectExactlyOnce(await collect(client.scanIterator({ MATCH: 'user:*', COUNT: 50 })), users);
    expectExactlyOnce(await collect(client.scanIterator({ MATCH: 'order:1?' })), range(10, (i) => `order:1${i}`));
    expect(await collect(client.scanIterator({ MATCH: 'nothing:*', COUNT: 100 }))).toEqual([]);
  });

  it('scanIterator with TYPE yields only keys of that type', async () => {
    const strings = range(200, (i) => `s:${i}`);
    const hashes = range(60, (i) => `h:${i}`);
    const lists = range(40, (i) => `l:${i}`);
    const pipeline = client.pipeline();
    pipeline.mSet(strings.map((k): [string, string] => [k, 'v']));
    for (const h of hashes) pipeline.hSet(h, 'f', 'v');
    for (const l of lists) pipeline.rPush(l, 'x');
    await pipeline.exec();
    expectExactlyOnce(await collect(client.scanIterator({ TYPE: 'hash', COUNT: 30 })), hashes);
    expectExactlyOnce(await collect(client.scanIterator({ TYPE: 'list' })), lists);
    expectExactlyOnce(await collect(client.scanIterator({ TYPE: 'string', MATCH: 's:1*', COUNT: 100 })),
      strings.filter((k) => k.startsWith('s:1')));
    expect(await collect(client.scanIterator({ TYPE: 'zset' }))).toEqual([]);
  });

  it('scanIterator on an empty database yields nothing; breaking out early stops the walk', async () => {
    expect(await collect(client.scanIterator())).toEqual([]);
    await client.mSet(range(300, (i) => `k${i}`).map((k): [string, string] => [k, 'v']));
    const steps = vi.spyOn(client, 'scan');
    let seen = 0;
    for await (const key of client.scanIterator({ COUNT: 10 })) {
      expect(key).toMatch(/^k\d+$/);
      if (++seen === 5) break;
    }
    expect(seen).toBe(5);
    expect(steps.mock.calls.length).toBeLessThanOrEqual(2);
    steps.mockRestore();
  });

  it('hScanIterator yields every field with its value exactly once (hashtable encoding)', async () => {
    const fields = range(300, (i) => `field:${i}`);
    await client.hSet('h', Object.fromEntries(fields.map((f, i) => [f, `value:${i}`])));
    const steps = vi.spyOn(client, 'hScan');
    const entries = await collect(client.hScanIterator('h', { COUNT: 20 }));
    expect(steps.mock.calls.length).toBeGreaterThan(1);
    steps.mockRestore();
    expectExactlyOnce(entries.map((e) => e.field), fields);
    for (const { field, value } of entries) expect(value).toBe(field.replace('field', 'value'));
  });

  it('hScanIterator on a small (listpack) hash and with MATCH', async () => {
    await client.hSet('small', { a: '1', b: '2', ab: '3' });
    const all = await collect(client.hScanIterator('small'));
    expect(all.sort((x, y) => x.field.localeCompare(y.field))).toEqual([
      { field: 'a', value: '1' },
      { field: 'ab', value: '3' },
      { field: 'b', value: '2' },
    ]);
    const matched = await collect(client.hScanIterator('small', { MATCH: 'a*' }));
    expectExactlyOnce(matched.map((e) => e.field), ['a', 'ab']);
    expect(await collect(client.hScanIterator('missing'))).toEqual([]);
  });

  it('sScanIterator yields every member exactly once', async () => {
    const members = range(350, (i) => `member-${i}`);
    await client.sAdd('s', ...members);
    const steps = vi.spyOn(client, 'sScan');
    expectExactlyOnce(await collect(client.sScanIterator('s', { COUNT: 15 })), members);
    expect(steps.mock.calls.length).toBeGreaterThan(1);
    steps.mockRestore();
    expectExactlyOnce(await collect(client.sScanIterator('s', { MATCH: 'member-1?' })), range(10, (i) => `member-1${i}`));
    await client.sAdd('ints', 1, 2, 3);
    expectExactlyOnce(await collect(client.sScanIterator('ints')), ['1', '2', '3']);
  });

  it('zScanIterator yields every member exactly once with its numeric score', async () => {
    const members = range(300, (i) => ({ value: `m${i}`, score: i / 4 - 10 }));
    await client.zAdd('z', members);
    const steps = vi.spyOn(client, 'zScan');
    const items = await collect(client.zScanIterator('z', { COUNT: 20 }));
    expect(steps.mock.calls.length).toBeGreaterThan(1);
    steps.mockRestore();
    expectExactlyOnce(items.map((m) => m.value), members.map((m) => m.value));
    const byValue = new Map(items.map((m) => [m.value, m.score]));
    for (const m of members) expect(byValue.get(m.value)).toBe(m.score);
    await client.zAdd('inf', [{ score: Infinity, value: 'top' }, { score: -1.5, value: 'low' }]);
    const small = await collect(client.zScanIterator('inf', { MATCH: '*' }));
    expect(small.sort((a, b) => a.score - b.score)).toEqual([{ value: 'low', score: -1.5 }, { value: 'top', score: Infinity }]);
  });
});
