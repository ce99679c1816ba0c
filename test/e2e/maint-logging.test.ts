/**
 * LoggingHook through a maintenance on the simulator, in front of a redis-server that requires a
 * password: which records, at which levels, in pino's (object, message) form and on a Console,
 * and that the password is in none of them.
 */
import { Console } from 'node:console';
import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LoggingHook, type LoggerLike, type LogLevel } from '../../instrumentation/index.js';
import { movingFrame, type Simulator, type NodeInfo } from '../../src/simulator/index.js';
import { connectedClient } from '../helpers/clients.js';
import { useSimulator } from '../helpers/fixtures.js';
import { waitFor } from '../helpers/wait.js';

const PASSWORD = 'sekret-Pa55word-for-logs';

const bed = useSimulator({ redis: { password: PASSWORD }, timings: { migrateWaitMs: 100, movingTimeS: 1 } });
let sim: Simulator;
let a: NodeInfo;
let b: NodeInfo;

beforeAll(() => {
  ({ sim, a, b } = bed);
});

afterEach(async () => {
  await sim.setFaults({ refuseConnections: false });
});

interface Entry {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
}

function capture(): LoggerLike & { entries: Entry[]; of(event: string): Entry[] } {
  const entries: Entry[] = [];
  const at = (level: LogLevel) => (fields: Record<string, unknown>, message: string): void => void entries.push({ level, message, fields });
  return { entries, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), of: (event) => entries.filter((e) => e.fields.event === event) };
}

describe('LoggingHook', () => {
  it('writes the maintenance story at the right levels, with no credential anywhere', async () => {
    const logger = capture();
    const client = await connectedClient({
      port: a.port, password: PASSWORD, hooks: [new LoggingHook({ logger, level: 'debug' })],
      maintNotifications: { mode: 'enabled', allowedEndpoints: ['127.0.0.0/8'], maxHandoffRetries: 1, circuitBreakerFailureThreshold: 1 },
    });
    await sim.migrate();
    await waitFor(() => logger.of('timeout.unrelaxed').length === 1, 'the window closed');
    await sim.moving({ from: [a.id], to: b.id });
    await waitFor(() => logger.of('handoff.succeeded').length === 1, 'the handoff');
    // Refused: outside allowedEndpoints. Failed: the target refuses connections (and the breaker opens).
    sim.sendToAll(movingFrame(5_000, 1, `10.1.2.3:${a.port}`), [b.id]);
    await waitFor(() => logger.of('handoff.refused').length === 1, 'the refused MOVING');
    await sim.setFaults({ refuseConnections: true }, [a.id]);
    sim.sendToAll(movingFrame(5_001, 2, `127.0.0.1:${a.port}`), [b.id]);
    await waitFor(() => logger.of('handoff.failed').length === 1, 'the failed handoff');

    const levelOf = (event: string): LogLevel[] => [...new Set(logger.of(event).map((e) => e.level))];
    expect(levelOf('notification.received')).toEqual(['debug']);
    expect(levelOf('timeout.relaxed')).toEqual(['debug']);
    expect(levelOf('handoff.started')).toEqual(['debug']);
    expect(levelOf('handoff.succeeded')).toEqual(['info']);
    expect(levelOf('handoff.refused')).toEqual(['warn']);
    expect(levelOf('handoff.failed')).toEqual(['warn']);
    expect(logger.of('circuit_breaker.state')).toEqual([
      expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ endpoint: `127.0.0.1:${a.port}`, from: 'closed', to: 'open', reason: 'failure-threshold' }) }),
    ]);
    const handled = logger.of('notification.handled');
    expect(handled.filter((e) => e.fields.type === 'MIGRATING')[0]).toMatchObject({ level: 'info', fields: { outcome: 'handled', server: `127.0.0.1:${a.port}` } });
    expect(handled.find((e) => e.fields.outcome === 'refused')).toMatchObject({ level: 'warn', fields: { error: { type: 'ERR_HANDOFF_NOT_ALLOWED' } } });
    expect(logger.of('handoff.succeeded')[0]!.fields).toMatchObject({ from: `127.0.0.1:${a.port}`, to: `${b.ipHost}:${b.port}`, attempt: 1, role: 'shared' });
    // No record holds the password, however deep.
    expect(JSON.stringify(logger.entries)).not.toContain(PASSWORD);
    expect(logger.entries.every((e) => e.message.length > 0 && !Object.values(e.fields).includes(undefined))).toBe(true);
    await client.close();
  });

  it('level filters: at warn, only warnings; at info, no debug', async () => {
    const warn = capture();
    const info = capture();
    const client = await connectedClient({
      port: a.port, password: PASSWORD, hooks: [new LoggingHook({ logger: warn, level: 'warn' }), new LoggingHook({ logger: info })],
      maintNotifications: { mode: 'enabled' },
    });
    await sim.migrate();
    sim.sendToAll(Buffer.from('>3\r\n$9\r\nMIGRATING\r\n$1\r\nx\r\n:1\r\n'), [a.id]);
    await waitFor(() => info.of('notification.handled').length === 3, 'three notifications handled');
    expect(warn.entries.map((e) => [e.level, e.fields.outcome])).toEqual([['warn', 'invalid']]);
    expect(info.entries.every((e) => e.level !== 'debug')).toBe(true);
    expect(info.entries.map((e) => e.fields.outcome)).toEqual(['handled', 'handled', 'invalid']);
    await client.close();
  });

  it('a flood of malformed notifications: one warning per kind per interval, the rest counted into the next', async () => {
    let now = 1_000_000;
    const limited = capture();
    const every = capture();
    const client = await connectedClient({
      port: a.port, password: PASSWORD, maintNotifications: { mode: 'enabled' },
      hooks: [new LoggingHook({ logger: limited, level: 'warn', now: () => now }), new LoggingHook({ logger: every, level: 'warn', repeatInterval: 0 })],
    });
    const badSeq = '>3\r\n$9\r\nMIGRATING\r\n$1\r\nx\r\n:1\r\n';
    const noPort = (seq: number): string => `>4\r\n$6\r\nMOVING\r\n:${seq}\r\n:1\r\n$9\r\n127.0.0.1\r\n`;
    const flood = Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? badSeq : noPort(i))).join('');
    sim.sendToAll(Buffer.from(flood), [a.id]);
    await waitFor(() => every.entries.length === 100, 'all 100 malformed notifications seen');
    expect(every.entries.every((e) => e.fields.outcome === 'invalid')).toBe(true);
    expect(limited.entries.map((e) => [e.fields.type, e.fields.suppressed])).toEqual([['MIGRATING', undefined], ['MOVING', undefined]]);
    expect(await client.set('after-flood', 'ok')).toBe('OK');

    // Within the interval: still nothing. After it: one record that says how many were left out.
    now += 59_999;
    sim.sendToAll(Buffer.from(badSeq), [a.id]);
    await waitFor(() => every.entries.length === 101, 'the 101st');
    expect(limited.entries).toHaveLength(2);
    now += 1;
    sim.sendToAll(Buffer.from(badSeq + noPort(7)), [a.id]);
    await waitFor(() => every.entries.length === 103, 'two more');
    expect(limited.entries.slice(2).map((e) => [e.fields.type, e.fields.suppressed])).toEqual([['MIGRATING', 50], ['MOVING', 49]]);
    expect(await client.get('after-flood')).toBe('ok');
    await client.close();
  });

  it('on a Console: one line per record, message first, fields as JSON', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const client = await connectedClient({
      port: a.port, password: PASSWORD, hooks: [new LoggingHook({ logger: new Console({ stdout: out, stderr: out }) })],
      maintNotifications: { mode: 'enabled' },
    });
    await sim.migrate();
    await waitFor(() => text.split('\n').filter(Boolean).length === 2, 'two lines');
    const [line] = text.split('\n');
    expect(line).toMatch(/^\[hitless\] maintenance notification MIGRATING handled \{"event":"notification.handled",.*"outcome":"handled"/);
    expect(JSON.parse(line!.slice(line!.indexOf('{')))).toMatchObject({ type: 'MIGRATING', server: `127.0.0.1:${a.port}` });
    await client.close();
  });

  it('rejects a bad level and a logger without the methods', () => {
    expect(() => new LoggingHook({ level: 'verbose' as LogLevel })).toThrow(/level must be one of error, warn, info, debug, got "verbose"/);
    expect(() => new LoggingHook({ logger: { info: () => undefined } as unknown as LoggerLike })).toThrow(/no error\(object, message\) method/);
    expect(() => new LoggingHook({ repeatInterval: -1 })).toThrow(/repeatInterval must be a number of milliseconds >= 0, got -1/);
    expect(() => new LoggingHook({ repeatInterval: Number.NaN })).toThrow(/got NaN/);
  });
});
