import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ReplyError, type Client } from '../../../src/index.js';
import { PROTOCOLS, useRedisServer } from './setup.js';

const redis = useRedisServer();

describe.each(PROTOCOLS)('sorted sets (RESP%i)', (protocol) => {
  let client: Client;
  beforeAll(async () => {
    client = await redis.client(protocol);
  });
  beforeEach(async () => {
    await client.flushDb();
  });

  const seed = (): Promise<number> =>
    client.zAdd('z', [
      { score: 1, value: 'a' },
      { score: 2, value: 'b' },
      { score: 2.5, value: 'c' },
      { score: -3, value: 'neg' },
    ]);

  it('zAdd counts new members; zScore is a number (RESP2 string and RESP3 double alike)', async () => {
    expect(await seed()).toBe(4);
    expect(await client.zAdd('z', { score: 10, value: 'a' })).toBe(0);
    expect(await client.zScore('z', 'a')).toBe(10);
    expect(await client.zScore('z', 'c')).toBe(2.5);
    expect(await client.zScore('z', 'neg')).toBe(-3);
    expect(await client.zScore('z', 'missing')).toBeNull();
    expect(await client.zScore('missing', 'a')).toBeNull();
    expect(await client.zCard('z')).toBe(4);
  });

  it('infinite and very small scores survive the round trip', async () => {
    await client.zAdd('z', [
      { score: Infinity, value: 'top' },
      { score: -Infinity, value: 'bottom' },
      { score: 0.1, value: 'tenth' },
      { score: 1e-7, value: 'tiny' },
    ]);
    expect(await client.zScore('z', 'top')).toBe(Infinity);
    expect(await client.zScore('z', 'bottom')).toBe(-Infinity);
    expect(await client.zScore('z', 'tenth')).toBe(0.1);
    expect(await client.zScore('z', 'tiny')).toBe(1e-7);
    expect(await client.zRange('z', 0, -1)).toEqual(['bottom', 'tiny', 'tenth', 'top']);
  });

  it('zAdd NX, XX, GT, LT, CH', async () => {
    await client.zAdd('z', { score: 5, value: 'm' });
    expect(await client.zAdd('z', { score: 1, value: 'm' }, { NX: true })).toBe(0);
    expect(await client.zScore('z', 'm')).toBe(5);
    expect(await client.zAdd('z', { score: 1, value: 'new' }, { XX: true })).toBe(0);
    expect(await client.zScore('z', 'new')).toBeNull();
    expect(await client.zAdd('z', { score: 3, value: 'm' }, { GT: true, CH: true })).toBe(0);
    expect(await client.zAdd('z', { score: 7, value: 'm' }, { GT: true, CH: true })).toBe(1);
    expect(await client.zAdd('z', { score: 9, value: 'm' }, { LT: true, CH: true })).toBe(0);
    expect(await client.zAdd('z', { score: 6, value: 'm' }, { LT: true, CH: true })).toBe(1);
    expect(await client.zScore('z', 'm')).toBe(6);
    const err = await client.zAdd('z', { score: 1, value: 'm' }, { NX: true, XX: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplyError);
  });

  it('zMScore, zIncrBy', async () => {
    await seed();
    expect(await client.zMScore('z', ['b', 'missing', 'c'])).toEqual([2, null, 2.5]);
    expect(await client.zIncrBy('z', 0.5, 'a')).toBe(1.5);
    expect(await client.zIncrBy('z', -10, 'new')).toBe(-10);
    expect(await client.zScore('z', 'new')).toBe(-10);
  });

  it('zRange by index, by score (exclusive and infinite bounds), by lex, REV and LIMIT', async () => {
    await seed();
    expect(await client.zRange('z', 0, -1)).toEqual(['neg', 'a', 'b', 'c']);
    expect(await client.zRange('z', 1, 2)).toEqual(['a', 'b']);
    expect(await client.zRange('z', 0, 1, { REV: true })).toEqual(['c', 'b']);
    expect(await client.zRange('z', 1, 2.5, { BY: 'SCORE' })).toEqual(['a', 'b', 'c']);
    expect(await client.zRange('z', '(1', '+inf', { BY: 'SCORE' })).toEqual(['b', 'c']);
    expect(await client.zRange('z', -Infinity, 1, { BY: 'SCORE' })).toEqual(['neg', 'a']);
    expect(await client.zRange('z', Infinity, -Infinity, { BY: 'SCORE', REV: true, LIMIT: { offset: 1, count: 2 } }))
      .toEqual(['b', 'a']);
    expect(await client.zRangeByScore('z', 2, '+inf')).toEqual(['b', 'c']);
    expect(await client.zRange('missing', 0, -1)).toEqual([]);

    await client.zAdd('lex', ['a', 'b', 'c', 'd'].map((value) => ({ score: 0, value })));
    expect(await client.zRange('lex', '[b', '(d', { BY: 'LEX' })).toEqual(['b', 'c']);
    expect(await client.zRange('lex', '-', '+', { BY: 'LEX', LIMIT: { offset: 2, count: 5 } })).toEqual(['c', 'd']);
  });

  it('zRangeWithScores gives { value, score } with numeric scores under both protocols', async () => {
    await seed();
    expect(await client.zRangeWithScores('z', 0, -1)).toEqual([
      { value: 'neg', score: -3 },
      { value: 'a', score: 1 },
      { value: 'b', score: 2 },
      { value: 'c', score: 2.5 },
    ]);
    expect(await client.zRangeWithScores('z', '(1', 2.5, { BY: 'SCORE', REV: false })).toEqual([
      { value: 'b', score: 2 },
      { value: 'c', score: 2.5 },
    ]);
    expect(await client.zRangeWithScores('z', 0, 0, { REV: true })).toEqual([{ value: 'c', score: 2.5 }]);
    expect(await client.zRangeWithScores('missing', 0, -1)).toEqual([]);
  });

  it('zRank, zRevRank, zCount', async () => {
    await seed();
    expect(await client.zRank('z', 'neg')).toBe(0);
    expect(await client.zRank('z', 'c')).toBe(3);
    expect(await client.zRevRank('z', 'c')).toBe(0);
    expect(await client.zRank('z', 'missing')).toBeNull();
    expect(await client.zRevRank('z', 'missing')).toBeNull();
    expect(await client.zCount('z', 1, 2)).toBe(2);
    expect(await client.zCount('z', '(1', '+inf')).toBe(2);
    expect(await client.zCount('z', -Infinity, Infinity)).toBe(4);
  });

  it('zRem, zRemRangeByRank, zRemRangeByScore', async () => {
    await seed();
    expect(await client.zRem('z', 'a', 'missing')).toBe(1);
    expect(await client.zRemRangeByRank('z', 0, 0)).toBe(1);
    expect(await client.zRange('z', 0, -1)).toEqual(['b', 'c']);
    expect(await client.zRemRangeByScore('z', '(2', Infinity)).toBe(1);
    expect(await client.zRange('z', 0, -1)).toEqual(['b']);
  });

  it('zPopMin / zPopMax return one { value, score } or null; the count forms return arrays', async () => {
    await seed();
    expect(await client.zPopMin('z')).toEqual({ value: 'neg', score: -3 });
    expect(await client.zPopMax('z')).toEqual({ value: 'c', score: 2.5 });
    expect(await client.zPopMinCount('z', 5)).toEqual([
      { value: 'a', score: 1 },
      { value: 'b', score: 2 },
    ]);
    expect(await client.zPopMin('z')).toBeNull();
    expect(await client.zPopMax('missing')).toBeNull();
    expect(await client.zPopMinCount('missing', 2)).toEqual([]);
    await seed();
    expect(await client.zPopMaxCount('z', 2)).toEqual([
      { value: 'c', score: 2.5 },
      { value: 'b', score: 2 },
    ]);
    expect(await client.zPopMaxCount('z', 1)).toEqual([{ value: 'a', score: 1 }]);
  });

  it('zUnionStore and zInterStore with WEIGHTS and AGGREGATE', async () => {
    await client.zAdd('x', [{ score: 1, value: 'a' }, { score: 2, value: 'b' }]);
    await client.zAdd('y', [{ score: 10, value: 'b' }, { score: 20, value: 'c' }]);
    expect(await client.zUnionStore('u', ['x', 'y'])).toBe(3);
    expect(await client.zRangeWithScores('u', 0, -1)).toEqual([
      { value: 'a', score: 1 },
      { value: 'b', score: 12 },
      { value: 'c', score: 20 },
    ]);
    expect(await client.zInterStore('i', ['x', 'y'], { WEIGHTS: [2, 0.5], AGGREGATE: 'MAX' })).toBe(1);
    expect(await client.zRangeWithScores('i', 0, -1)).toEqual([{ value: 'b', score: 5 }]);
    expect(await client.zUnionStore('copy', 'x')).toBe(2);
  });

  it('scores keep their shape inside a pipeline and a transaction', async () => {
    await seed();
    const piped = await client.pipeline().zScore('z', 'c').zRangeWithScores('z', 0, 0).zPopMax('z').exec();
    expect(piped).toEqual([2.5, [{ value: 'neg', score: -3 }], { value: 'c', score: 2.5 }]);
    const tx = await client.multi().zIncrBy('z', 1, 'a').zMScore('z', ['a', 'b']).exec();
    expect(tx).toEqual([2, [2, 2]]);
  });
});
