import { describe, expect, it } from 'vitest';
import { LocalReplies, type Replacement } from '../../../src/simulator/local-replies.js';

/** The token inside a marker command `*2\r\n$4\r\nPING\r\n$34\r\n<token>\r\n`. */
const tokenOf = (marker: Buffer): string => marker.toString('latin1').split('\r\n')[4]!;
const bulk = (s: string): Buffer => Buffer.from(`$${s.length}\r\n${s}\r\n`);
const replace = (locals: LocalReplies, frame: Buffer): Replacement | undefined => locals.replace(frame, 0, frame.length);
const text = (r: Replacement | undefined): string | undefined => (r === undefined ? undefined : Buffer.concat(r.parts).toString());

describe('LocalReplies', () => {
  it('forwards PING <token> and swaps the bulk answer (normal mode, RESP3) for the local reply', () => {
    const locals = new LocalReplies();
    const ran: string[] = [];
    const marker = locals.add({ reply: Buffer.from('+OK\r\n'), then: () => ran.push('then') });
    expect(marker.toString('latin1')).toMatch(/^\*2\r\n\$4\r\nPING\r\n\$34\r\n__hitless_marker_[0-9a-f]{8}_00000000\r\n$/);
    expect(locals.waiting).toBe(true);
    expect(replace(locals, Buffer.from('+PONG\r\n'))).toBeUndefined();
    const r = replace(locals, bulk(tokenOf(marker)));
    expect(text(r)).toBe('+OK\r\n');
    r!.then.forEach((f) => f());
    expect(ran).toEqual(['then']);
    expect(locals.waiting).toBe(false);
  });

  it('recognises the RESP2 subscribed-mode answer *2 pong <token>', () => {
    const locals = new LocalReplies();
    const token = tokenOf(locals.add({ reply: Buffer.from('+OK\r\n') }));
    expect(text(replace(locals, Buffer.concat([Buffer.from('*2\r\n$4\r\npong\r\n'), bulk(token)])))).toBe('+OK\r\n');
  });

  it('passes look-alikes through: another connection\'s token, a value of the same length', () => {
    const a = new LocalReplies();
    const b = new LocalReplies();
    a.add({ reply: Buffer.from('+A\r\n') });
    const otherToken = tokenOf(b.add({ reply: Buffer.from('+B\r\n') }));
    expect(replace(a, bulk(otherToken))).toBeUndefined();
    expect(replace(a, bulk('x'.repeat(34)))).toBeUndefined();
    expect(a.waiting).toBe(true);
  });

  it('drops entries whose answer went by without a token once a later token arrives', () => {
    const locals = new LocalReplies();
    const ran: string[] = [];
    locals.add({ reply: Buffer.from('+first\r\n'), then: () => ran.push('first') });
    const second = tokenOf(locals.add({ reply: Buffer.from('+second\r\n'), then: () => ran.push('second') }));
    // The first marker was answered -NOAUTH, which passed through; the second one is answered.
    expect(replace(locals, Buffer.from('-NOAUTH Authentication required.\r\n'))).toBeUndefined();
    const r = replace(locals, bulk(second))!;
    expect(text(r)).toBe('+second\r\n');
    r.then.forEach((f) => f());
    expect(ran).toEqual(['second']);
    expect(locals.waiting).toBe(false);
  });

  it('after +QUEUED, replaces marker answers inside the EXEC array and leaves the rest of it alone', () => {
    const locals = new LocalReplies();
    const t1 = tokenOf(locals.add({ reply: Buffer.from('+OK\r\n') }));
    const t2 = tokenOf(locals.add({ reply: Buffer.from(':7\r\n') }));
    expect(replace(locals, Buffer.from('+QUEUED\r\n'))).toBeUndefined();
    const exec = Buffer.concat([Buffer.from('*4\r\n'), bulk(t1), Buffer.from('$1\r\nv\r\n'), bulk(t2), Buffer.from('+OK\r\n')]);
    expect(text(replace(locals, exec))).toBe('*4\r\n+OK\r\n$1\r\nv\r\n:7\r\n+OK\r\n');
    expect(locals.waiting).toBe(false);
  });

  it('does not look inside arrays unless a +QUEUED went by', () => {
    const locals = new LocalReplies();
    const token = tokenOf(locals.add({ reply: Buffer.from('+OK\r\n') }));
    const array = Buffer.concat([Buffer.from('*1\r\n'), bulk(token)]);
    expect(replace(locals, array)).toBeUndefined();
  });
});
