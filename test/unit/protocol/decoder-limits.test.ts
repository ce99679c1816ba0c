import { constants } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { Decoder, ProtocolError, type RespValue } from '../../../src/protocol/index.js';

interface Fed {
  replies: RespValue[];
  errors: ProtocolError[];
  feed(text: string | Buffer): void;
}

function decoder(limits?: ConstructorParameters<typeof Decoder>[1]): Fed {
  const fed: Fed = {
    replies: [],
    errors: [],
    feed: (text) => instance.feed(typeof text === 'string' ? Buffer.from(text) : text),
  };
  const instance = new Decoder({ onReply: (v) => fed.replies.push(v), onPush: () => undefined, onError: (e) => fed.errors.push(e) }, limits);
  return fed;
}

describe('Decoder limits', () => {
  it('a bulk string at maxBulkLength decodes; one byte more fails at the header', () => {
    const at = decoder({ maxBulkLength: 5 });
    at.feed('$5\r\nhello\r\n');
    expect(at.replies).toEqual(['hello']);
    const over = decoder({ maxBulkLength: 5 });
    over.feed('$6\r\n');
    expect(over.errors.map((e) => e.message)).toEqual(['bulk length 6 exceeds maxBulkLength (5)']);
  });

  it('an aggregate at maxAggregateLength decodes; one more fails at the header (maps count entries)', () => {
    const at = decoder({ maxAggregateLength: 2 });
    at.feed('*2\r\n:1\r\n:2\r\n%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n');
    expect(at.replies).toEqual([[1, 2], { a: 1, b: 2 }]);
    for (const header of ['*3', '~3', '>3', '%3', '|3']) {
      const over = decoder({ maxAggregateLength: 2 });
      over.feed(`${header}\r\n`);
      expect(over.errors).toHaveLength(1);
      expect(over.errors[0]!.message).toMatch(/length 3 exceeds maxAggregateLength \(2\)/);
    }
  });

  it('the defaults refuse the headers that hang other clients ($4294967296, *2147483647) and keep 512 MiB bulk strings', () => {
    for (const header of ['$4294967296', '*2147483647', '%2147483647']) {
      const fed = decoder();
      fed.feed(`${header}\r\n`);
      expect(fed.errors).toHaveLength(1);
    }
    const fed = decoder();
    fed.feed(`$${512 * 1024 * 1024}\r\n`);
    expect(fed.errors).toEqual([]);
  });

  it('allocates nothing of the announced size while a large bulk string or aggregate is incomplete', () => {
    const before = process.memoryUsage().arrayBuffers;
    const bulk = decoder();
    bulk.feed(`$${500 * 1024 * 1024}\r\nonly a few bytes`);
    const aggregate = decoder();
    aggregate.feed(`*${2 ** 27}\r\n:1\r\n`);
    // 500 MiB announced; what is held is what arrived (plus whatever else the process does meanwhile).
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50 * 1024 * 1024);
    expect(bulk.errors).toEqual([]);
    expect(aggregate.errors).toEqual([]);
  });

  it(':12abc and other near-integers fail instead of becoming a number', () => {
    for (const text of [':12abc', ':1 2', ':0x10', ':1e3', ':--1', ':99999999999999999999x']) {
      const fed = decoder();
      fed.feed(`${text}\r\n`);
      expect(fed.replies).toEqual([]);
      expect(fed.errors).toHaveLength(1);
    }
  });

  it('decodes 1024 levels of nesting without recursion; 1025 is a ProtocolError', () => {
    const deep = decoder();
    deep.feed(`${'*1\r\n'.repeat(1024)}:7\r\n`);
    let value = deep.replies[0];
    let depth = 0;
    while (Array.isArray(value)) {
      value = value[0];
      depth++;
    }
    expect([depth, value]).toEqual([1024, 7]);
    const deeper = decoder();
    deeper.feed(`${'*1\r\n'.repeat(1025)}:7\r\n`);
    expect(deeper.errors.map((e) => e.message)).toEqual(['aggregates nested deeper than 1024 levels']);
  });

  it('a map key that is itself deeply nested does not overflow the stack', () => {
    const fed = decoder();
    fed.feed(`%1\r\n${'*1\r\n'.repeat(1000)}:1\r\n+v\r\n`);
    expect(fed.errors).toEqual([]);
    expect(Object.values(fed.replies[0] as object)).toEqual(['v']);
  });
});

describe('Decoder: a bulk string longer than the longest JavaScript string', () => {
  // Redis allows 512 MiB; V8 strings end 24 characters short of that. One 512 MiB buffer, briefly.
  it('is a ProtocolError as a string (instead of an exception out of the socket handler), and a Buffer with returnBuffers', () => {
    const length = 512 * 1024 * 1024;
    expect(length).toBeGreaterThan(constants.MAX_STRING_LENGTH);
    const header = `$${length}\r\n`;
    const frame = Buffer.alloc(header.length + length + 2, 0x61);
    frame.write(header, 0, 'latin1');
    frame.write('\r\n', header.length + length, 'latin1');
    const asString = decoder();
    asString.feed(frame);
    expect(asString.errors.map((e) => e.message)).toEqual([`a ${length}-byte string is longer than the longest JavaScript string (${constants.MAX_STRING_LENGTH}); read it with returnBuffers`]);
    const replies: RespValue[] = [];
    const asBuffer = new Decoder({ onReply: (v) => replies.push(v), onPush: () => undefined, onError: (e) => { throw e; } });
    asBuffer.returnBuffers = true;
    asBuffer.feed(frame);
    expect(replies.map((v) => (v as Buffer).length)).toEqual([length]);
  });
});
