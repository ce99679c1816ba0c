import { describe, expect, it } from 'vitest';
import { ProtocolError, ReplyError } from '../../../src/protocol/index.js';
import { decode, decodeChunks } from '../../helpers/decode.js';

const obj = (entries: Record<string, unknown>): Record<string, unknown> =>
  Object.assign(Object.create(null) as Record<string, unknown>, entries);

describe('Decoder: every RESP3 type', () => {
  const cases: Array<[string, string, unknown]> = [
    ['simple string', '+OK\r\n', 'OK'],
    ['simple string (not OK)', '+PONG\r\n', 'PONG'],
    ['empty simple string', '+\r\n', ''],
    ['integer', ':1234\r\n', 1234],
    ['negative integer', ':-42\r\n', -42],
    ['large integer', ':9007199254740993\r\n', 9007199254740993],
    ['bulk string', '$5\r\nhello\r\n', 'hello'],
    ['empty bulk string', '$0\r\n\r\n', ''],
    ['bulk with CRLF inside', '$4\r\na\r\nb\r\n', 'a\r\nb'],
    ['utf-8 bulk', '$6\r\nh\u00e9\u00e9l\r\n', 'h\u00e9\u00e9l'],
    ['RESP2 null bulk', '$-1\r\n', null],
    ['RESP2 null array', '*-1\r\n', null],
    ['null', '_\r\n', null],
    ['true', '#t\r\n', true],
    ['false', '#f\r\n', false],
    ['double', ',3.25\r\n', 3.25],
    ['double exponent', ',1.5e3\r\n', 1500],
    ['double inf', ',inf\r\n', Infinity],
    ['double -inf', ',-inf\r\n', -Infinity],
    ['big number', '(3492890328409238509324850943850943825024385\r\n', 3492890328409238509324850943850943825024385n],
    ['verbatim string', '=15\r\ntxt:Some string\r\n', 'Some string'],
    ['array', '*3\r\n:1\r\n$1\r\na\r\n+b\r\n', [1, 'a', 'b']],
    ['empty array', '*0\r\n', []],
    ['nested array', '*2\r\n*1\r\n:1\r\n*0\r\n', [[1], []]],
    ['set', '~2\r\n+a\r\n+b\r\n', ['a', 'b']],
    ['map', '%2\r\n+a\r\n:1\r\n+b\r\n:2\r\n', obj({ a: 1, b: 2 })],
    ['empty map', '%0\r\n', obj({})],
    ['map with integer keys', '%1\r\n:7\r\n+x\r\n', obj({ 7: 'x' })],
    ['map with __proto__ key', '%1\r\n$9\r\n__proto__\r\n:1\r\n', obj({ ['__proto__']: 1 })],
    ['attribute before a reply', '|1\r\n+key-popularity\r\n:1\r\n:42\r\n', 42],
    ['attribute inside an array', '*2\r\n|1\r\n+a\r\n+b\r\n:1\r\n:2\r\n', [1, 2]],
  ];
  for (const [name, wire, expected] of cases) {
    it(name, () => {
      const out = decode(wire);
      expect(out.errors).toEqual([]);
      expect(out.pushes).toEqual([]);
      expect(out.replies).toHaveLength(1);
      expect(out.replies[0]).toStrictEqual(expected);
    });
  }

  it('double nan', () => {
    expect(Number.isNaN(decode(',nan\r\n').replies[0])).toBe(true);
  });

  it('simple error becomes a ReplyError value with the server prefix as code', () => {
    const [err] = decode('-WRONGTYPE Operation against a key holding the wrong kind of value\r\n').replies;
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as ReplyError).code).toBe('WRONGTYPE');
    expect((err as ReplyError).message).toBe('WRONGTYPE Operation against a key holding the wrong kind of value');
  });

  it('lower-case error text falls back to code ERR', () => {
    expect((decode('-oops something\r\n').replies[0] as ReplyError).code).toBe('ERR');
  });

  it('blob error', () => {
    const [err] = decode('!21\r\nSYNTAX invalid syntax\r\n').replies;
    expect(err).toBeInstanceOf(ReplyError);
    expect((err as ReplyError).code).toBe('SYNTAX');
  });

  it('error inside an aggregate stays a value', () => {
    const [arr] = decode('*2\r\n+OK\r\n-ERR bad\r\n').replies as unknown[][];
    expect(arr![0]).toBe('OK');
    expect(arr![1]).toBeInstanceOf(ReplyError);
  });

  it('push frames go to onPush, never to onReply', () => {
    const out = decode('>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$2\r\nhi\r\n+OK\r\n');
    expect(out.pushes).toEqual([['message', 'ch', 'hi']]);
    expect(out.replies).toEqual(['OK']);
  });

  it('a push nested in an array is just an array', () => {
    const out = decode('*1\r\n>1\r\n:1\r\n');
    expect(out.replies).toEqual([[[1]]]);
    expect(out.pushes).toEqual([]);
  });

  it('returns Buffers for bulk strings when asked', () => {
    const out = decode(Buffer.from('*2\r\n$3\r\n\x00\xff\x01\r\n=7\r\ntxt:abc\r\n', 'latin1'), true);
    const [arr] = out.replies as Buffer[][];
    expect(Buffer.isBuffer(arr![0])).toBe(true);
    expect(arr![1]).toEqual(Buffer.from('abc'));
  });

  it('binary-safe bulk strings survive as Buffers', () => {
    const payload = Buffer.from([0, 13, 10, 255, 254, 36, 42]);
    const wire = Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from('\r\n')]);
    expect(decode(wire, true).replies[0]).toEqual(payload);
  });
});

describe('Decoder: frames split at any byte boundary', () => {
  const stream =
    '+OK\r\n:12\r\n$5\r\nhello\r\n*3\r\n%1\r\n+k\r\n~2\r\n#t\r\n,1.5\r\n_\r\n(123\r\n' +
    '>2\r\n+pubsub\r\n$3\r\nmsg\r\n=8\r\ntxt:abcd\r\n|1\r\n+a\r\n+b\r\n!5\r\nERR x\r\n$-1\r\n*0\r\n';
  const whole = decode(stream);

  it('decodes the reference stream cleanly', () => {
    expect(whole.errors).toEqual([]);
    expect(whole.replies).toHaveLength(8);
    expect(whole.pushes).toEqual([['pubsub', 'msg']]);
  });

  it('every two-way split decodes the same', () => {
    const bytes = Buffer.from(stream);
    for (let cut = 1; cut < bytes.length; cut++) {
      const out = decodeChunks([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(out, `split at byte ${cut}`).toEqual(whole);
    }
  });

  it('byte-at-a-time decodes the same', () => {
    const bytes = Buffer.from(stream);
    const chunks = Array.from(bytes, (_b, i) => bytes.subarray(i, i + 1));
    expect(decodeChunks(chunks)).toEqual(whole);
  });

  it('a large bulk string in many chunks decodes once complete', () => {
    const payload = 'x'.repeat(1_000_000);
    const wire = Buffer.from(`$${payload.length}\r\n${payload}\r\n+after\r\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 1000) chunks.push(wire.subarray(i, i + 1000));
    const out = decodeChunks(chunks);
    expect(out.replies).toEqual([payload, 'after']);
  });
});

describe('Decoder: malformed input', () => {
  const bad: Array<[string, string]> = [
    ['unknown type byte', '?what\r\n'],
    ['CR without LF', '+OK\rX'],
    ['non-numeric length', '$abc\r\n'],
    ['negative length other than -1', '$-2\r\n'],
    ['bulk not followed by CRLF', '$3\r\nabcXY'],
    ['bad boolean', '#x\r\n'],
    ['bad double', ',1.2.3\r\n'],
    ['bad big number', '(12a\r\n'],
    ['bad integer', ':12a\r\n'],
    ['integer with no digits', ':\r\n'],
    ['null with content', '_x\r\n'],
    ['verbatim without a format', '=2\r\nab\r\n'],
    ['null map', '%-1\r\n'],
    ['oversized bulk', `$${600 * 1024 * 1024}\r\n`],
    ['empty push', '>0\r\n'],
  ];
  for (const [name, wire] of bad) {
    it(`${name} → one ProtocolError`, () => {
      const out = decode(wire);
      expect(out.errors).toHaveLength(1);
      expect(out.errors[0]).toBeInstanceOf(ProtocolError);
      expect(out.errors[0]!.code).toBe('ERR_PROTOCOL');
    });
  }

  it('reports a line with no CRLF after 1 MiB instead of buffering forever', () => {
    const out = decodeChunks([Buffer.from('+'), Buffer.alloc(2 * 1024 * 1024, 0x61)]);
    expect(out.errors).toHaveLength(1);
  });

  it('ignores input after an error until reset', () => {
    const out = decode('?\r\n+OK\r\n');
    expect(out.replies).toEqual([]);
    expect(out.errors).toHaveLength(1);
  });
});
