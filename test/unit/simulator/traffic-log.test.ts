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

  it('never show a credential: AUTH, HELLO … AUTH, CONFIG SET requirepass, ACL SETUSER >pass, also inline', () => {
    const secret = 'S3cret-pass';
    const resp = (...args: string[]): Buffer => b(`*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`);
    const line = (frame: Buffer): string => trafficLine('n', 'c', 'REQ', frame, 0, frame.length);
    expect(line(resp('HELLO', '3', 'AUTH', 'default', secret))).toBe('[simulator] n c [REQ] *5 $5 HELLO $1 3 $4 AUTH $10 <redacted> $10 <redacted>');
    expect(line(resp('auth', secret))).toBe('[simulator] n c [REQ] *2 $4 auth $10 <redacted>');
    for (const frame of [resp('CONFIG', 'SET', 'requirepass', secret), resp('ACL', 'SETUSER', 'u', 'on', `>${secret}`), b(`AUTH ${secret}\r\n`)]) {
      expect(line(frame)).not.toContain(secret);
    }
    // Other commands are shown as they are, and other kinds of frame are not parsed as commands.
    expect(line(resp('SET', 'k', secret))).toBe(`[simulator] n c [REQ] *3 $3 SET $1 k $11 ${secret}`);
    expect(trafficLine('n', 'c', 'RES', b('+OK\r\n'), 0, 5)).toBe('[simulator] n c [RES] +OK');
  });
});
