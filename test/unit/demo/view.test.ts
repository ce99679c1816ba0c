/** The demo's progress views: the status block a terminal redraws in place, and the plain lines elsewhere. */
import { describe, expect, it } from 'vitest';
import { liveView, plainView, renderStatus, type DemoStatus } from '../../../src/demo/view.js';

const status = (over: Partial<DemoStatus> = {}): DemoStatus => ({
  elapsedS: 15, plannedS: 60, opsPerSecond: 987, errors: 0, state: 'moving-ip', connections: { A: 1, B: 3 }, handoffs: 4, p99: 1.234, ...over,
});
const visible = (line: string): string => line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');

describe('renderStatus', () => {
  it('shows progress, ops/s, errors, the maintenance step, connections per node, handoffs and p99', () => {
    const text = renderStatus(status(), 100).map(visible).join('\n');
    expect(text).toContain('15 / ~60 s');
    expect(text).toContain('maintenance: moving-ip');
    expect(text).toMatch(/987 ops\/s\s+0 errors\s+p99 1\.23 ms\s+handoffs 4/);
    expect(text).toContain('connections A 1 / B 3');
    // A quarter of the run: a quarter of the bar.
    const bar = /\[(#*)(\.*)\]/.exec(text)!;
    expect(bar[1]!.length / (bar[1]!.length + bar[2]!.length)).toBeCloseTo(0.25, 1);
    expect(renderStatus(status({ state: 'steady', p99: null }), 100).map(visible).join('\n')).toMatch(/steady traffic[\s\S]*p99 -/);
  });

  it('errors in red, and no line wider than the terminal', () => {
    const lines = renderStatus(status({ errors: 3 }), 30);
    expect(lines.join('\n')).toContain('\x1b[31m');
    for (const line of lines) expect(visible(line).length).toBeLessThanOrEqual(30);
  });
});

describe('liveView', () => {
  it('redraws the status block in place and scrolls event lines above it', () => {
    let out = '';
    const view = liveView({ write: (text: string) => (out += text), columns: 120 });
    expect(out).toBe('\x1b[?25l');
    view.status(status());
    expect(out).not.toContain('\x1b[J');
    const block = renderStatus(status(), 119);
    out = '';
    view.status(status({ opsPerSecond: 1000 }));
    // Back up over the block's lines, clear, draw the new one.
    expect(out.startsWith(`\x1b[${block.length}F\x1b[J`)).toBe(true);
    expect(visible(out)).toContain('1000 ops/s');
    out = '';
    view.event('[  16.0s] ✓ moving-ip: A -> B');
    expect(out).toMatch(/^\x1b\[4F\x1b\[J\[  16\.0s\] ✓ moving-ip: A -> B\n/);
    expect(visible(out)).toContain('1000 ops/s');
    out = '';
    view.close();
    expect(out).toBe('\x1b[?25h');
  });

  it('a terminal reporting 0 columns (a pseudo-terminal without a size) is drawn 80 wide', () => {
    let out = '';
    const view = liveView({ write: (text: string) => (out += text), columns: 0 });
    view.status(status());
    expect(visible(out)).toContain('connections A 1 / B 3');
  });
});

describe('plainView', () => {
  it('passes events through and prints the status once per interval of run time, without escape codes', () => {
    const lines: string[] = [];
    const view = plainView((line) => lines.push(line), 5000);
    view.event('redis: started');
    for (let t = 0; t <= 12; t += 0.25) view.status(status({ elapsedS: t }));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('redis: started');
    expect(lines[1]).toBe('[   5.0s] 987 ops/s, 0 errors, moving-ip, connections A 1 / B 3, handoffs 4, p99 1.23 ms');
    expect(lines[2]).toMatch(/^\[  10\.0s\] /);
    expect(lines.join('')).not.toContain('\x1b');
  });
});
