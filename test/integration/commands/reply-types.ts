/**
 * Compile-time checks (tsc, not vitest) that typed replies resolve `Bulk` to the client's string
 * type, keep tuples as tuples (SCAN's `[cursor, keys]`) and leave untyped replies as RespValue.
 */
import type { Client, RespValue } from '../../../src/index.js';

export async function replyTypes(c: Client, b: Client<Buffer>): Promise<void> {
  const evaluated: RespValue = await c.eval('return 1');
  const [cursor, keys] = await c.scan(0);
  const cursorText: string = cursor;
  const keyTexts: string[] = keys;
  const [bufferCursor, bufferKeys] = await b.scan(0);
  const cursorBuffer: Buffer = bufferCursor;
  const keyBuffers: Buffer[] = bufferKeys;
  const hash = await b.hGetAll('h');
  const field: Buffer | undefined = hash['a'];
  const time: [Buffer, Buffer] = await b.time();
  const scored: Array<{ value: Buffer; score: number }> = await b.zRangeWithScores('z', 0, -1);
  const popped: { key: string; element: string } | null = await c.blPop('l', 1);
  void [evaluated, cursorText, keyTexts, cursorBuffer, keyBuffers, field, time, scored, popped];
}
