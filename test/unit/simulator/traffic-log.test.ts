import { describe, expect, it } from 'vitest';
import { abbreviate, trafficLine } from '../../../src/simulator/traffic-log.js';

const b = (s: string): Buffer => Buffer.from(s);

describe('traffic log lines', () => {
  it('show a frame on one line, CRLF as spaces and other control bytes as dots', () => {
    expect(abbreviate(b('*2\r\n$3\r\nGET\r\n$3\r\na\tb\r\n'), 0, 22)).toBe('*2 $3 GET $3 a.b');
    expect(trafficLine('127.0.0.1:7000@16379', 'conn_1', 'RES', b('xx+OK\r\n'), 2, 7)).toBe('[simulator] 127.0.0.1:7000@16379 conn_1 [RES] +OK');
  });

  it('cut long frames and say how long they were', () => {
    const value = 'v'.repeat(5000);
    const frame = b(`$5000\r\n${value}\r\n`);
    const line = abbreviate(frame, 0, frame.length);
    expect(line.startsWith('$5000 vvv')).toBe(true);
    expect(line.endsWith(`… (${frame.length} bytes)`)).toBe(true);
    expect(line.length).toBeLessThan(150);
  });
});
