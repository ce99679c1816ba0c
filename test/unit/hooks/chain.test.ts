import { describe, expect, it } from 'vitest';
import { HookChain, type Hook, type HookErrorEvent } from '../../../src/hooks/index.js';

describe('HookChain', () => {
  it('precomputes, per member, only the hooks that implement it', () => {
    const a: Hook = { onCommandStart: () => undefined };
    const b: Hook = { onDial: () => undefined };
    const chain = new HookChain([a, b], () => undefined);
    expect(chain.table.onCommandStart).toEqual([a]);
    expect(chain.table.onDial).toEqual([b]);
    expect(chain.table.onCommandEnd).toEqual([]);
  });

  it('a table captured before removal is not changed by it', () => {
    const a: Hook = { onCommandEnd: () => undefined };
    const chain = new HookChain([a], () => undefined);
    const before = chain.table;
    expect(chain.remove(a)).toBe(true);
    expect(before.onCommandEnd).toEqual([a]);
    expect(chain.table.onCommandEnd).toEqual([]);
    expect(chain.remove(a)).toBe(false);
  });

  it('tells onChange of every add and remove that changes the table, and of nothing else', () => {
    const a: Hook = { onCommandStart: () => undefined, onCommandEnd: () => undefined };
    const b: Hook = { onCommandStart: () => undefined };
    const tables: unknown[] = [];
    const chain: HookChain = new HookChain([a], () => undefined, () => tables.push(chain.table));
    expect(tables).toHaveLength(0);
    chain.add(a);
    expect(chain.remove(b)).toBe(false);
    expect(tables).toHaveLength(0);
    chain.add(b);
    expect(chain.table.soleCommandStart).toBeUndefined();
    expect(chain.remove(a)).toBe(true);
    expect(tables).toHaveLength(2);
    expect(tables[1]).toBe(chain.table);
    expect(chain.table.soleCommandStart).toBe(b);
    expect(chain.table.pairedCommandHook).toBeUndefined();
  });

  it('adding the same hook twice keeps one', () => {
    const a: Hook = { onDial: () => undefined };
    const chain = new HookChain([a, a], () => undefined);
    chain.add(a);
    expect(chain.table.onDial).toHaveLength(1);
  });

  it('isolates throws and rejections; reports once per hook and member; counts all', async () => {
    const reports: HookErrorEvent[] = [];
    class Thrower implements Hook {
      onDial(): void {
        throw new Error('sync boom');
      }
      async onHandshake(): Promise<void> {
        throw new Error('async boom');
      }
    }
    const chain = new HookChain([new Thrower()], (e) => reports.push(e));
    const dial = { connectionId: 1, server: { host: 'h', port: 1 }, tls: false, duration: 0, error: undefined };
    const handshake = { connectionId: 1, server: { host: 'h', port: 1 }, protocol: 3 as const, steps: [], duration: 0, error: undefined };
    for (let i = 0; i < 3; i++) {
      expect(() => chain.emit(chain.table.onDial, 'onDial', dial)).not.toThrow();
      chain.emit(chain.table.onHandshake, 'onHandshake', handshake);
    }
    await new Promise((resolve) => setImmediate(resolve));
    expect(reports.map((r) => `${r.hook}.${r.member}`).sort()).toEqual(['Thrower.onDial', 'Thrower.onHandshake']);
    expect(chain.errorCounts()).toEqual({ Thrower: { onDial: 3, onHandshake: 3 } });
  });

  it('a throwing hookError listener does not escape', () => {
    const chain = new HookChain([{ onDial: () => { throw new Error('x'); } }], () => { throw new Error('listener'); });
    expect(() => chain.emit(chain.table.onDial, 'onDial', { connectionId: 1, server: { host: 'h', port: 1 }, tls: false, duration: 0, error: undefined })).not.toThrow();
  });
});
